/**
 * What a recount reads back from Discord: super reactions (burst, read with `type=1`, which the reactions endpoint
 * never returns by default) and emoji whose characters mean something in a URL (a keycap `#️⃣`: unencoded, its `#`
 * would start the URL's fragment and the request would never name the emoji).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCommunity, adminCommand, createPost, likeCountOf, startHarness, storedReactionsOf, type Community, type Harness } from "../support/harness.js";

let h: Harness;
let c: Community;

beforeEach(async () => {
  h = await startHarness();
  c = await addCommunity(h);
});
afterEach(async () => {
  await h.close();
});

describe("recounts on Discord", () => {
  it("counts a member's super reaction as a like, and still after /salon recount and after a restart's reconciliation", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "a super reaction's worth");
    h.discord.react(c.gallery.id, post.id, ben!.id, "🔥", { burst: true });
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);

    expect(await adminCommand(h, c, "recount")).toBe("Re-read the likes of 1 recent post: 0 corrected, 0 found deleted.");
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
    expect(await storedReactionsOf(h.running, c, ben!.id)).toHaveLength(1);

    await h.running.stop();
    // A super reaction given while Salon was offline is read back too.
    h.discord.react(c.gallery.id, post.id, chloe!.id, "✨", { burst: true, silent: true });
    const restarted = await h.restart();
    await restarted.reconciled;
    expect(await likeCountOf(restarted, c, post.id)).toBe(2);
    expect(await storedReactionsOf(restarted, c, ben!.id)).toHaveLength(1);
  });

  it("reads one member's normal and super reaction with the same emoji as one reaction and one like", async () => {
    const [ana, ben] = c.members;
    const post = await createPost(h, c, ana!, "twice the fire");
    h.discord.react(c.gallery.id, post.id, ben!.id, "🔥", { burst: true });
    h.discord.react(c.gallery.id, post.id, ben!.id, "🔥");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);

    expect(await adminCommand(h, c, "recount")).toBe("Re-read the likes of 1 recent post: 0 corrected, 0 found deleted.");
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
    expect(await storedReactionsOf(h.running, c, ben!.id)).toHaveLength(1);
  });

  it("re-reads keycap and custom-emoji reactions with /salon recount, with exact like counts", async () => {
    const [ana, ben, chloe, dev] = c.members;
    const post = await createPost(h, c, ana!, "number sign");
    h.discord.react(c.gallery.id, post.id, ben!.id, "#️⃣");
    h.discord.react(c.gallery.id, post.id, ben!.id, "salon_blob:1180000000000000999");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);
    // Reactions Discord has and Salon never heard of (lost gateway events).
    h.discord.react(c.gallery.id, post.id, chloe!.id, "#️⃣", { silent: true });
    h.discord.react(c.gallery.id, post.id, dev!.id, "salon_blob:1180000000000000999", { silent: true });
    h.discord.react(c.gallery.id, post.id, dev!.id, "*️⃣", { silent: true });

    expect(await adminCommand(h, c, "recount")).toBe("Re-read the likes of 1 recent post: 1 corrected, 0 found deleted.");

    expect(await likeCountOf(h.running, c, post.id)).toBe(3);
    expect((await storedReactionsOf(h.running, c, ben!.id)).map((r) => r.split(":").slice(1).join(":")).sort()).toEqual(["#️⃣", "salon_blob:1180000000000000999"].sort());
    expect((await storedReactionsOf(h.running, c, chloe!.id)).map((r) => r.split(":")[1])).toEqual(["#️⃣"]);
    expect(await storedReactionsOf(h.running, c, dev!.id)).toHaveLength(2);
    expect(h.discord.unhandled).toEqual([]);
  });
});
