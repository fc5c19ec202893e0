import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addSlackCommunity, createSlackPost, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
let c: SlackCommunity;

beforeEach(async () => {
  h = await startSlackHarness();
  c = await addSlackCommunity(h);
});
afterEach(async () => {
  await h.close();
});

describe("/imagine on Slack", () => {
  it("acks at once, shows the queue, then uploads the image to the gallery with prompt, creator name and details", async () => {
    const [ana] = c.members;
    const handle = await h.slack.slashCommand({ command: "/imagine", text: "a lighthouse at dawn --aspect portrait --quality high", userId: ana!.id, channelId: c.gallery.id });
    expect(handle.status).toBe(200);
    expect(handle.ackMs).toBeLessThan(3000);
    await handle.waitForResponse((r) => (r.text ?? "").includes("Queued"));
    await handle.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);
    const post = await h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0);
    expect(post.text).toContain("a lighthouse at dawn");
    expect(post.text).toContain("by ana");
    expect(post.text).not.toContain(`<@${ana!.id}>`);
    expect(post.text).toContain("gpt-image-2 · high · 1024x1536");
    const meta = await sharp(post.files[0]!.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 1536]);
  });

  it("counts reactions on the uploaded image as likes, from its first second", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createSlackPost(h, c, ana!, "a red fox");
    await h.slack.react(c.gallery.id, post.ts, ben!.id, "+1");
    await h.slack.react(c.gallery.id, post.ts, chloe!.id, "fire");
    await h.slack.react(c.gallery.id, post.ts, ana!.id, "heart");
    const community = (await h.running.salon.deps.communities.findCommunity({ platform: "slack", externalId: h.slack.teamId }))!;
    await expect.poll(async () => (await h.running.salon.deps.creations.findCreationByPost(community.id, c.gallery.id, post.ts))?.likeCount).toBe(2);
  });
});
