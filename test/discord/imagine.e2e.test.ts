import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCommunity, createPost, imagine, startHarness, type Community, type Harness } from "../support/harness.js";

let h: Harness;
let c: Community;

beforeEach(async () => {
  h = await startHarness();
  c = await addCommunity(h);
});
afterEach(async () => {
  await h.close();
});

describe("/imagine on Discord", () => {
  it("defers at once, shows the queue, then posts the image to the gallery with prompt, creator and details", async () => {
    const [ana] = c.members;
    const handle = imagine(h, c, ana!, "a lighthouse at dawn, oil on canvas");
    const callback = await handle.response();
    expect(callback.type).toBe(5);
    expect(callback.data?.flags).toBe(64);
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    const post = await h.discord.waitForMessage(c.gallery.id, (m) => m.attachments.length > 0);
    expect(post.embeds[0].description).toBe("a lighthouse at dawn, oil on canvas");
    expect(JSON.stringify(post.embeds[0].fields)).toContain(`<@${ana!.id}>`);
    expect(JSON.stringify(post.embeds[0].fields)).toContain("gpt-image-2");
    expect(post.allowedMentions).toEqual({ parse: [] });
    const meta = await sharp(post.attachments[0]!.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 1024]);
    expect(handle.original()?.revisions.map((r) => r.content).some((t) => t.includes("Queued"))).toBe(true);
  });

  it("counts reactions on the post as likes", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "a red fox");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "🔥");
    h.discord.react(c.gallery.id, post.id, ana!.id, "❤️");
    const creation = async () => (await h.running.salon.deps.creations.findCreationByPost(1, c.gallery.id, post.id))!;
    await expect.poll(async () => (await creation()).likeCount).toBe(2);
  });
});
