/**
 * A post Slack carried out is never made twice: the Web API client does not repeat a posting call whose answer was
 * lost (Slack may have done it), and looking before a repost finds only Salon's own messages.
 */
import { afterEach, describe, expect, it } from "vitest";
import { databaseRows } from "../support/test-database.js";
import { likedYesterday } from "./support/liked-yesterday.js";
import type { FakeSlackChannel, FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import {
  addSlackCommunity,
  createSlackPost,
  salonText,
  slackCreationOfPost,
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

function imagine(h: SlackHarness, c: SlackCommunity, user: FakeSlackUser, prompt: string): Promise<SlackCommandHandle> {
  return h.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: c.gallery.id });
}

/** The status message's final text once it no longer says queued or generating. */
async function outcome(handle: SlackCommandHandle): Promise<string> {
  return (await handle.waitForResponse((r) => /^(✅|⚠️|Cancelled)/.test(r.text), 15_000)).text;
}

/** Messages in the channel that carry an upload titled as Salon's gallery posts are. */
function uploads(h: SlackHarness, channel: FakeSlackChannel) {
  return h.slack.messages(channel.id).filter((m) => !m.deleted && m.files.some((f) => /^salon-\d+\./.test(f.name)));
}

/** Waits until every upload Slack accepted for sharing has landed in a channel (Slack shares them a little later). */
async function sharesLanded(h: SlackHarness): Promise<void> {
  const accepted = () => h.slack.callsTo("files.completeUploadExternal").filter((call) => call.ok && call.args.channel_id);
  const shares = () => h.slack.files().reduce((n, f) => n + [...f.shares.values()].reduce((m, tss) => m + tss.length, 0), 0);
  await expect.poll(() => shares() >= accepted().length, { timeout: 5_000 }).toBe(true);
}

describe("an SDK-level retry never posts twice on Slack", () => {
  it("shares a creation once when the answer to files.completeUploadExternal is lost after Slack accepted it", async () => {
    h = await startSlackHarness();
    const c = await addSlackCommunity(h);
    const [ana] = c.members as [FakeSlackUser];
    h.slack.drop({ method: "files.completeUploadExternal", how: "destroy" });

    expect(await outcome(await imagine(h, c, ana, "a lighthouse in the fog"))).toContain("Posted to the gallery");
    await sharesLanded(h);

    const [post, ...more] = uploads(h, c.gallery);
    expect(more).toHaveLength(0);
    expect(h.slack.callsTo("files.completeUploadExternal").map((call) => call.dropped ?? "answered")).toEqual(["destroy"]);
    const creation = await slackCreationOfPost(h, c, post!.ts);
    expect(creation).toMatchObject({ status: "posted", galleryMessageId: post!.ts });
    const community = await storedSlackCommunity(h);
    expect((await h.running.salon.deps.creations.listPostedSince(community.id, new Date(0))).map((p) => p.galleryMessageId)).toEqual([post!.ts]);
  });

  it("posts a digest once when the answer to chat.postMessage is lost after Slack posted it", async () => {
    const world = await likedYesterday({ digestChannel: true });
    h = world.h;
    const { c, digest } = world;
    const w = world.h;
    const stored = await storedSlackCommunity(h);
    const digests = () => w.slack.messages(digest.id).filter((m) => !m.deleted && m.text.startsWith("🏆 Salon digest"));
    w.slack.drop({ method: "chat.postMessage", how: "destroy" });

    // This attempt cannot know whether Slack posted; the next tick looks before it posts.
    await w.running.salon.publishDueDigests();
    await w.running.salon.publishDueDigests();

    const [message, ...more] = digests();
    expect(more).toHaveLength(0);
    expect(w.slack.callsTo("chat.postMessage").filter((call) => call.args.channel === digest.id)).toHaveLength(1);
    const rows = await databaseRows<{ status: string; messageId: string | null }>(w.config.database.url, `SELECT "status", "messageId" FROM "Digest" WHERE "communityId" = ?`, stored.id);
    expect(rows).toEqual([{ status: "posted", messageId: message!.ts }]);
    expect(await salonText(w, c, c.admin, "digest")).toBe("That day's digest has already been published.");
  });
});
