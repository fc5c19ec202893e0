import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { expectedCollage } from "../support/expected-collage.js";
import { MovableClock } from "../support/movable-clock.js";
import type { FakeSlackChannel, FakeSlackMessage, FakeSlackUser } from "../support/slack/types.js";
import {
  addSlackCommunity,
  createSlackPost,
  salonText,
  slackLikeCountOf,
  startSlackHarness,
  storedSlackCommunity,
  type SlackCommunity,
  type SlackHarness,
} from "../support/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const permalink = (post: FakeSlackMessage) => `https://fake.slack.com/archives/${post.channel}/p${post.ts.replace(".", "")}`;

type Block = { type: string; text?: { type: string; text: string }; elements?: Array<{ type: string; text: string }>; slack_file?: { id: string }; alt_text?: string };

/**
 * A community whose digest goes to #digest at 09:00 Paris time, and a day in its gallery on 25 November 2026: the
 * lighthouse (3 likes), the fox (1 like, posted before the meadow) and the meadow (1 like); the sketch has none.
 */
async function dayOfCreations(clock: MovableClock) {
  h = await startSlackHarness({ clock });
  const c = await addSlackCommunity(h);
  const digest = h.slack.addChannel({ name: "digest" });
  expect(await salonText(h, c, c.admin, `setup ${h.slack.channelRef(c.gallery.id)} ${h.slack.channelRef(digest.id)} 09:00 Europe/Paris`)).toContain("at 09:00 (Europe/Paris)");
  expect(await salonText(h, c, c.admin, "limits cooldown_seconds=0")).toContain("0 s cooldown");
  const [ana, ben, chloe, dev] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser, FakeSlackUser];
  const lighthouse = await createSlackPost(h, c, ana, "a lighthouse at dawn, oil on canvas");
  const fox = await createSlackPost(h, c, ben, "a red fox in the snow");
  const meadow = await createSlackPost(h, c, ana, "a meadow full of poppies");
  const sketch = await createSlackPost(h, c, chloe, "an unloved sketch");
  for (const user of [ben, chloe, dev]) await h.slack.react(c.gallery.id, lighthouse.ts, user.id, "+1");
  await h.slack.react(c.gallery.id, fox.ts, ana.id, "+1");
  await h.slack.react(c.gallery.id, meadow.ts, dev.id, "fire");
  await expect.poll(async () => Promise.all([lighthouse, fox, meadow, sketch].map((p) => slackLikeCountOf(h!, c, p.ts)))).toEqual([3, 1, 1, 0]);
  return { h, c, digest, ana, ben, chloe, dev, lighthouse, fox, meadow, sketch };
}

const digestMessages = (channel: FakeSlackChannel) => h!.slack.messages(channel.id).filter((m) => m.text.includes("Salon digest"));

describe("the daily digest on Slack", () => {
  it("posts yesterday's top creations once, after the digest time, as one Block Kit message with a collage", async () => {
    const clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
    const { h, c, digest, ana, ben, lighthouse, fox, meadow, sketch } = await dayOfCreations(clock);
    const stored = await storedSlackCommunity(h);

    clock.set(new Date("2026-11-26T07:55:00Z")); // 08:55 in Paris: not yet
    await h.running.salon.publishDueDigests();
    expect(digestMessages(digest)).toHaveLength(0);
    expect(await h.running.salon.deps.digests.digestStatus(stored.id, "2026-11-25")).toBeNull();

    clock.set(new Date("2026-11-26T08:01:00Z")); // 09:01 in Paris
    expect(await h.running.salon.publishDueDigests()).toBe(1);
    expect(await (await fetch(`http://127.0.0.1:${h.running.port}/metrics`)).text()).toMatch(/^salon_digests_posted_total 1$/m);

    const [message, ...more] = h.slack.messages(digest.id);
    expect(more).toHaveLength(0);
    expect(message!.source).toBe("chat.postMessage");
    expect(digestMessages(c.gallery)).toHaveLength(0);
    const blocks = message!.blocks as Block[];
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "context", "image"]);
    expect(blocks[0]!.text!.text).toBe("🏆 Salon digest — 25 November 2026");
    expect(blocks.slice(1, 4).map((b) => b.text!.text)).toEqual([
      `*1.* “a lighthouse at dawn, oil on canvas” by ana — 3 likes — <${permalink(lighthouse)}|view>`,
      `*2.* “a red fox in the snow” by ben — 1 like — <${permalink(fox)}|view>`,
      `*3.* “a meadow full of poppies” by ana — 1 like — <${permalink(meadow)}|view>`,
    ]);
    expect(blocks[4]!.elements!.map((e) => e.text)).toEqual(["4 creations · 4 likers · top creator ana (4 likes)"]);
    expect(JSON.stringify(blocks)).not.toContain(permalink(sketch));
    expect(JSON.stringify(blocks)).not.toMatch(/<[@!]/);
    expect(message!.text).toContain("Salon digest — 25 November 2026");
    expect(message!.text).not.toContain(`<@${ana.id}>`);
    expect(message!.text).not.toContain(`<@${ben.id}>`);

    const collage = h.slack.file(blocks[5]!.slack_file!.id)!;
    expect(collage.uploaded && collage.completed).toBe(true);
    expect(["image/png", "image/jpeg"]).toContain(collage.mimetype);
    const meta = await sharp(collage.bytes).metadata();
    expect(["png", "jpeg"]).toContain(meta.format);
    expect(meta.width).toBe(1024);
    // The date, and each entry's gallery image with its rank, title and likes: the renderer's very bytes for them.
    const expected = await expectedCollage("25 November 2026", [
      { image: lighthouse.files[0]!.bytes, title: "a lighthouse at dawn, oil on canvas", likeCount: 3 },
      { image: fox.files[0]!.bytes, title: "a red fox in the snow", likeCount: 1 },
      { image: meadow.files[0]!.bytes, title: "a meadow full of poppies", likeCount: 1 },
    ]);
    expect(collage.bytes.equals(expected.bytes)).toBe(true);
    expect(blocks[5]!.alt_text).toContain("25 November 2026");
    expect(await h.running.salon.deps.digests.digestStatus(stored.id, "2026-11-25")).toBe("posted");

    // A second tick (or a timer firing twice) posts nothing more.
    expect(await h.running.salon.publishDueDigests()).toBe(0);
    clock.advance(30 * 60_000);
    expect(await h.running.salon.publishDueDigests()).toBe(0);
    expect(h.slack.messages(digest.id)).toHaveLength(1);
    expect(h.slack.callsTo("chat.postMessage").filter((call) => call.args.channel === digest.id)).toHaveLength(1);
  });

  it("posts once when two Salon processes publish the same digest at the same moment", async () => {
    const clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
    const { h, digest } = await dayOfCreations(clock);
    clock.set(new Date("2026-11-26T08:01:00Z"));
    const second = await h.restart();
    await second.reconciled;

    const posted = await Promise.all([h.running.salon.publishDueDigests(), second.salon.publishDueDigests(), h.running.salon.publishDueDigests()]);

    expect(posted.reduce((a, b) => a + b, 0)).toBe(1);
    await settle(500);
    expect(digestMessages(digest)).toHaveLength(1);
    expect(h.slack.callsTo("chat.postMessage").filter((call) => call.args.channel === digest.id)).toHaveLength(1);
  });

  it("previews the digest to the admin only, without recording or posting it", async () => {
    const clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
    const { h, c, digest, lighthouse, fox } = await dayOfCreations(clock);
    clock.set(new Date("2026-11-26T12:00:00Z"));
    const stored = await storedSlackCommunity(h);

    const handle = await h.slack.slashCommand({ command: "/salon", text: "digest preview", userId: c.admin.id, channelId: c.gallery.id });
    const preview = await handle.waitForResponse();

    expect(preview.responseType).toBe("ephemeral");
    expect(preview.text).toContain("Preview (only you can see this)");
    expect(preview.text).toContain("25 November 2026");
    expect(preview.text).toContain(`*1.* “a lighthouse at dawn, oil on canvas” by ana — 3 likes — <${permalink(lighthouse)}|view>`);
    expect(preview.text).toContain(`*2.* “a red fox in the snow” by ben — 1 like — <${permalink(fox)}|view>`);
    expect(preview.text).toContain("4 creations · 4 likers · top creator ana (4 likes)");
    const shown = h.slack.ephemerals().filter((e) => e.text.includes("Preview (only you can see this)"));
    expect(shown.map((e) => e.user)).toEqual([c.admin.id]);

    // `today` is always a preview, even without `preview`.
    expect(await salonText(h, c, c.admin, "digest today")).toBe("Preview for 26 November 2026: no liked creations, so nothing would be posted.");

    await settle();
    expect(await h.running.salon.deps.digests.digestStatus(stored.id, "2026-11-25")).toBeNull();
    expect(await h.running.salon.deps.digests.digestStatus(stored.id, "2026-11-26")).toBeNull();
    expect(h.slack.messages(digest.id)).toHaveLength(0);
    expect(digestMessages(c.gallery)).toHaveLength(0);
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(0);

    // The preview did not use up the day: the real digest still goes out.
    expect(await h.running.salon.publishDueDigests()).toBe(1);
    expect(digestMessages(digest)).toHaveLength(1);
  });
});
