import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningSalon } from "../../src/app.js";
import {
  addCommunity,
  adminCommand,
  command,
  createPost,
  creationOfPost,
  likeCountOf,
  startHarness,
  storedReactionsOf,
  type Community,
  type Harness,
} from "../support/harness.js";

let h: Harness;
let c: Community;

beforeEach(async () => {
  h = await startHarness();
  c = await addCommunity(h);
});
afterEach(async () => {
  await h.close();
});

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the stored like count of the post is `count`, then checks it stays there. */
async function likesSettleAt(post: { id: string }, count: number, running: RunningSalon = h.running): Promise<void> {
  await expect.poll(() => likeCountOf(running, c, post.id), { timeout: 5_000 }).toBe(count);
  await settle();
  expect(await likeCountOf(running, c, post.id)).toBe(count);
}

describe("likes on Discord", () => {
  it("counts a replayed reaction event once", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "a replayed fox");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);

    h.discord.replayLastDispatch();
    h.discord.replayLastDispatch();
    // A later, distinct like proves the replays were handled before we look.
    h.discord.react(c.gallery.id, post.id, chloe!.id, "👍");

    await likesSettleAt(post, 2);
    expect(await storedReactionsOf(h.running, c, ben!.id)).toHaveLength(1);
  });

  it("does not count reactions of bots, our own bot included", async () => {
    const [ana, ben] = c.members;
    const otherBot = h.discord.addUser({ username: "starboard", bot: true });
    h.discord.addMember(c.guild.id, otherBot.id);
    const post = await createPost(h, c, ana!, "a robot painting flowers");

    h.discord.react(c.gallery.id, post.id, otherBot.id, "⭐");
    h.discord.react(c.gallery.id, post.id, h.discord.botUser.id, "👍");
    h.discord.react(c.gallery.id, post.id, ben!.id, "🔥");

    await likesSettleAt(post, 1);
    expect(await storedReactionsOf(h.running, c, otherBot.id)).toEqual([]);
    expect(await storedReactionsOf(h.running, c, h.discord.botUser.id)).toEqual([]);
  });

  it("does not count the author's own reaction", async () => {
    const [ana, ben] = c.members;
    const post = await createPost(h, c, ana!, "a self portrait");

    h.discord.react(c.gallery.id, post.id, ana!.id, "❤️");
    h.discord.react(c.gallery.id, post.id, ben!.id, "❤️");

    await likesSettleAt(post, 1);
  });

  it("counts a second emoji from the same member as one like", async () => {
    const [ana, ben] = c.members;
    const post = await createPost(h, c, ana!, "two emoji, one fan");

    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, ben!.id, "🔥");
    h.discord.react(c.gallery.id, post.id, ben!.id, "party:1180000000000000777");

    await expect.poll(() => storedReactionsOf(h.running, c, ben!.id).then((r) => r.length)).toBe(3);
    await likesSettleAt(post, 1);
  });

  it("keeps the like while one of two emoji remains and removes it with the last one", async () => {
    const [ana, ben] = c.members;
    const post = await createPost(h, c, ana!, "a fickle admirer");
    const creationId = (await creationOfPost(h.running, c, post.id))!.id;
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, ben!.id, "🔥");
    await expect.poll(() => storedReactionsOf(h.running, c, ben!.id)).toEqual([`${creationId}:👍`, `${creationId}:🔥`]);
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);

    h.discord.unreact(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => storedReactionsOf(h.running, c, ben!.id)).toEqual([`${creationId}:🔥`]);
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);

    h.discord.unreact(c.gallery.id, post.id, ben!.id, "🔥");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(0);
    expect(await storedReactionsOf(h.running, c, ben!.id)).toEqual([]);
  });

  it("removes every like when a moderator removes all reactions", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "a cleared canvas");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "🎉");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(2);

    h.discord.removeAllReactions(c.gallery.id, post.id);

    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(0);
    expect(await storedReactionsOf(h.running, c, ben!.id)).toEqual([]);
  });

  it("removes only the likes that rested on an emoji a moderator removed", async () => {
    const [ana, ben, chloe, dev] = c.members;
    const post = await createPost(h, c, ana!, "a mixed reception");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "🔥");
    h.discord.react(c.gallery.id, post.id, dev!.id, "🔥");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(3);

    h.discord.removeEmoji(c.gallery.id, post.id, "👍");

    // Ben liked only with 👍; Chloe still has 🔥.
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(2);
    expect(await storedReactionsOf(h.running, c, ben!.id)).toEqual([]);
  });

  it("ignores reactions on messages that are not gallery posts", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "the only real post");
    const chatter = h.discord.addMessage(c.gallery.id, { authorId: ben!.id, content: "nice gallery!" });

    h.discord.react(c.gallery.id, chatter.id, chloe!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "👍");

    const creationId = (await creationOfPost(h.running, c, post.id))!.id;
    await expect.poll(() => storedReactionsOf(h.running, c, chloe!.id)).toEqual([`${creationId}:👍`]);
    await settle();
    expect(await storedReactionsOf(h.running, c, chloe!.id)).toEqual([`${creationId}:👍`]);
    expect(await creationOfPost(h.running, c, chatter.id)).toBeNull();
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
  });

  it("takes a gallery post deleted on Discord out of /top", async () => {
    const [ana, ben] = c.members;
    const post = await createPost(h, c, ana!, "a short-lived masterpiece");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);
    expect(await command(h, c, ben!, "top")).toContain(post.id);

    h.discord.deleteMessage(c.gallery.id, post.id);

    await expect.poll(async () => (await creationOfPost(h.running, c, post.id))!.status).toBe("deleted");
    const top = await command(h, c, ben!, "top");
    expect(top).not.toContain(post.id);
    expect(top).toContain("No liked creations");
  });

  it("does not count a blocked member's reactions, and counts them again once unblocked", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "a post with a troll");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(2);

    await adminCommand(h, c, "block", [{ type: 6, name: "member", value: ben!.id }]);
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
    h.discord.react(c.gallery.id, post.id, ben!.id, "🔥");
    await expect.poll(() => storedReactionsOf(h.running, c, ben!.id).then((r) => r.length)).toBe(2);
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);

    await adminCommand(h, c, "unblock", [{ type: 6, name: "member", value: ben!.id }]);
    expect(await likeCountOf(h.running, c, post.id)).toBe(2);
  });

  it("takes every post of a bulk deletion out of the rankings", async () => {
    const [ana, ben, chloe] = c.members;
    const first = await createPost(h, c, ana!, "bulk deleted one");
    const second = await createPost(h, c, ben!, "bulk deleted two");
    const kept = await createPost(h, c, chloe!, "survives the purge");
    h.discord.deleteMessage(c.gallery.id, first.id, { silent: true });
    h.discord.deleteMessage(c.gallery.id, second.id, { silent: true });

    h.discord.dispatch("MESSAGE_DELETE_BULK", { ids: [first.id, second.id], channel_id: c.gallery.id, guild_id: c.guild.id });

    await expect.poll(async () => [(await creationOfPost(h.running, c, first.id))!.status, (await creationOfPost(h.running, c, second.id))!.status]).toEqual(["deleted", "deleted"]);
    expect((await creationOfPost(h.running, c, kept.id))!.status).toBe("posted");
  });

  it("counts reactions made during a brief gateway outage once the session resumes", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "liked while the line was down");

    h.discord.disconnectAll();
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "👍");
    h.discord.unreact(c.gallery.id, post.id, chloe!.id, "👍");

    await expect.poll(() => likeCountOf(h.running, c, post.id), { timeout: 5_000 }).toBe(1);
    expect(await storedReactionsOf(h.running, c, chloe!.id)).toEqual([]);
    // What /healthz shows of the shard: it resumed its session.
    expect(h.running.discord!.shards()).toMatchObject([{ id: 0, ready: true, lastResumeAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
  });

  it("counts reactions on a post made before a restart (uncached message)", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "made before the restart");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);

    await h.running.stop();
    const restarted = await h.restart();
    await restarted.reconciled;

    h.discord.react(c.gallery.id, post.id, chloe!.id, "🔥");
    await expect.poll(() => likeCountOf(restarted, c, post.id)).toBe(2);
    h.discord.unreact(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(restarted, c, post.id)).toBe(1);
  });

  it("handles removals and deletions of posts from before a restart (uncached messages)", async () => {
    const [ana, ben, chloe, dev] = c.members;
    const cleared = await createPost(h, c, ana!, "cleared after the restart");
    const trimmed = await createPost(h, c, ben!, "trimmed after the restart");
    const deleted = await createPost(h, c, chloe!, "deleted after the restart");
    h.discord.react(c.gallery.id, cleared.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, trimmed.id, ana!.id, "👍");
    h.discord.react(c.gallery.id, trimmed.id, dev!.id, "🔥");
    h.discord.react(c.gallery.id, deleted.id, dev!.id, "👍");
    await expect.poll(async () => [await likeCountOf(h.running, c, cleared.id), await likeCountOf(h.running, c, trimmed.id), await likeCountOf(h.running, c, deleted.id)]).toEqual([1, 2, 1]);

    await h.running.stop();
    const restarted = await h.restart();
    await restarted.reconciled;

    h.discord.removeAllReactions(c.gallery.id, cleared.id);
    h.discord.removeEmoji(c.gallery.id, trimmed.id, "👍");
    h.discord.deleteMessage(c.gallery.id, deleted.id);

    await expect.poll(async () => [await likeCountOf(restarted, c, cleared.id), await likeCountOf(restarted, c, trimmed.id)]).toEqual([0, 1]);
    await expect.poll(async () => (await creationOfPost(restarted, c, deleted.id))!.status).toBe("deleted");
  });

  it("reconciles at start-up the reactions added, removed and the posts deleted while the bot was offline", async () => {
    const [ana, ben, chloe, dev] = c.members;
    const gained = await createPost(h, c, ana!, "gains likes while offline");
    const lost = await createPost(h, c, dev!, "loses its like while offline");
    const gone = await createPost(h, c, ben!, "deleted while offline");
    h.discord.react(c.gallery.id, gained.id, ben!.id, "party:1180000000000000777");
    h.discord.react(c.gallery.id, lost.id, chloe!.id, "👍");
    h.discord.react(c.gallery.id, gone.id, chloe!.id, "👍");
    await expect.poll(async () => [await likeCountOf(h.running, c, gained.id), await likeCountOf(h.running, c, lost.id), await likeCountOf(h.running, c, gone.id)]).toEqual([1, 1, 1]);

    const bensBefore = await storedReactionsOf(h.running, c, ben!.id);
    await h.running.stop();
    h.discord.react(c.gallery.id, gained.id, chloe!.id, "🔥", { silent: true });
    h.discord.react(c.gallery.id, gained.id, chloe!.id, "blob:1180000000000000888", { silent: true });
    h.discord.react(c.gallery.id, gained.id, dev!.id, "👍", { silent: true });
    h.discord.react(c.gallery.id, gained.id, h.discord.botUser.id, "👍", { silent: true });
    h.discord.unreact(c.gallery.id, lost.id, chloe!.id, "👍", { silent: true });
    h.discord.deleteMessage(c.gallery.id, gone.id, { silent: true });

    const started = Date.now();
    const restarted = await h.restart();
    await restarted.reconciled;
    expect(Date.now() - started).toBeLessThan(30_000);

    expect(await likeCountOf(restarted, c, gained.id)).toBe(3);
    // A live custom-emoji reaction and the same reaction read back from Discord are one and the same.
    expect(await storedReactionsOf(restarted, c, ben!.id)).toEqual(bensBefore);
    expect((await storedReactionsOf(restarted, c, chloe!.id)).filter((r) => r.endsWith("blob:1180000000000000888"))).toHaveLength(1);
    expect(await likeCountOf(restarted, c, lost.id)).toBe(0);
    expect((await creationOfPost(restarted, c, gone.id))!.status).toBe("deleted");
    expect(h.logs.some((l) => l.msg === "reconciled recent likes with the platforms" && l.corrected === 2 && l.deleted === 1)).toBe(true);

    const top = await command(h, c, dev!, "top", [{ type: 3, name: "period", value: "all" }]);
    expect(top).toContain(gained.id);
    expect(top).toContain("3 likes");
    expect(top).not.toContain(lost.id);
    expect(top).not.toContain(gone.id);
  });

  it("corrects silent reaction changes with /salon recount and says how many it corrected", async () => {
    const [ana, ben, chloe, dev] = c.members;
    const first = await createPost(h, c, ana!, "recount me");
    const second = await createPost(h, c, ben!, "recount me too");
    const untouched = await createPost(h, c, chloe!, "nothing changes here");
    h.discord.react(c.gallery.id, first.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, untouched.id, ana!.id, "👍");
    await expect.poll(async () => (await likeCountOf(h.running, c, first.id)) + (await likeCountOf(h.running, c, untouched.id))).toBe(2);

    // Changes Discord made without telling the bot (lost gateway events).
    h.discord.react(c.gallery.id, first.id, chloe!.id, "👍", { silent: true });
    h.discord.react(c.gallery.id, first.id, dev!.id, "🔥", { silent: true });
    h.discord.react(c.gallery.id, second.id, dev!.id, "👍", { silent: true });
    expect(await likeCountOf(h.running, c, first.id)).toBe(1);

    const reply = await adminCommand(h, c, "recount");

    expect(reply).toBe("Re-read the likes of 3 recent posts: 2 corrected, 0 found deleted.");
    expect(await likeCountOf(h.running, c, first.id)).toBe(3);
    expect(await likeCountOf(h.running, c, second.id)).toBe(1);
    expect(await likeCountOf(h.running, c, untouched.id)).toBe(1);
  });
});
