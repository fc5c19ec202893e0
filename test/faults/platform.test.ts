/**
 * Faults of the chat platform while posting to the gallery: rate limits and server errors are retried within
 * bounds; a channel that is gone or closed to the bot fails the job with a refund, tells the member and shows the
 * problem in /salon settings. The bot keeps running throughout.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, createPost, imagine, startHarness, storedCommunity, type Community, type Harness } from "../support/harness.js";
import { addSlackCommunity, createSlackPost, salonText, slackMemberUsedToday, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function discord(): Promise<{ h: Harness; c: Community }> {
  const h = await startHarness();
  cleanup.push(() => h.close());
  return { h, c: await addCommunity(h) };
}

async function slack(): Promise<SlackHarness> {
  const h = await startSlackHarness();
  cleanup.push(() => h.close());
  return h;
}

async function outcome(handle: InteractionHandle, timeoutMs = 15_000): Promise<string> {
  return (await handle.waitFor((m) => /^(✅|⚠️|Cancelled)/.test(m.content), timeoutMs)).content;
}

async function memberUsedToday(h: Harness, c: Community, userId: string): Promise<number> {
  const stored = await storedCommunity(h.running, c);
  return (await h.running.salon.deps.store.usage(stored.id, userId, new Date().toISOString().slice(0, 10))).memberToday;
}

const galleryPosts = (h: Harness, c: Community) => h.discord.requests.filter((r) => r.method === "POST" && r.path === `/channels/${c.gallery.id}/messages`);

describe("Discord faults on the gallery post", () => {
  it("waits out Discord's 429s on the gallery post and then posts once", async () => {
    const { h, c } = await discord();
    h.discord.fail({ method: "POST", pathPattern: new RegExp(`^/channels/${c.gallery.id}/messages$`), status: 429, headers: { "retry-after": "0.3" }, times: 2 });

    const text = await outcome(imagine(h, c, c.members[0]!, "slowly but surely"));

    expect(text).toContain("Posted to the gallery");
    expect(galleryPosts(h, c).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(h.discord.messages(c.gallery.id).filter((m) => m.embeds[0]?.description === "slowly but surely")).toHaveLength(1);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await memberUsedToday(h, c, c.members[0]!.id)).toBe(1);
  });

  it("gives up after a bounded number of 5xx answers, tells the member, refunds and shows the problem to admins, then recovers", async () => {
    const { h, c } = await discord();
    h.discord.fail({ method: "POST", pathPattern: new RegExp(`^/channels/${c.gallery.id}/messages$`), status: 502, times: 1_000 });

    const text = await outcome(imagine(h, c, c.members[0]!, "into the void"));

    expect(text).toContain("couldn't be posted");
    expect(text).toContain("refunded");
    // @discordjs/rest tries 4 times per attempt; the harness allows 3 attempts.
    expect(galleryPosts(h, c)).toHaveLength(12);
    expect(await memberUsedToday(h, c, c.members[0]!.id)).toBe(0);
    expect(h.openai.imageRequests).toHaveLength(1); // the image was made once, only posting was retried
    // A platform outage is not the channel's problem: nothing to fix for the admin, and /imagine is not refused. The
    // image was made, and paid for.
    const settings = await adminCommand(h, c, "settings");
    expect(settings).not.toContain("Problem");
    expect(settings).not.toContain("Budget today: $0.00 spent");

    // Discord is back: the bot never stopped.
    h.discord.clearFailures();
    await createPost(h, c, c.members[1]!, "back in business");
  });
});

describe("Slack faults on the gallery post", () => {
  it("waits out Slack's 429 on the upload and then posts once", async () => {
    const h = await slack();
    const c = await addSlackCommunity(h);
    h.slack.fail({ method: "files.completeUploadExternal", error: "ratelimited", retryAfterSeconds: 1 });

    const post = await createSlackPost(h, c, c.members[0]!, "after the rush");

    expect(post.files).toHaveLength(1);
    expect(h.slack.callsTo("files.completeUploadExternal").map((call) => call.status)).toEqual([429, 200]);
    expect(h.slack.messages(c.gallery.id).filter((m) => m.files.length > 0)).toHaveLength(1);
  });

  it("fails the job with a refund when the gallery channel no longer exists, and tells the member and the admins", async () => {
    const h = await slack();
    const c = await addSlackCommunity(h);
    // The channel is gone for every method, the look at its history (/salon settings' check) included.
    h.slack.fail({ method: "files.completeUploadExternal", error: "channel_not_found", times: Infinity });
    h.slack.fail({ method: "conversations.history", error: "channel_not_found", times: Infinity });
    const [ana] = c.members;

    const handle = await h.slack.slashCommand({ command: "/imagine", text: "a gallery that is gone", userId: ana!.id, channelId: c.gallery.id });
    const text = (await handle.waitForResponse((r) => /^(✅|⚠️)/.test(r.text ?? ""), 10_000)).text ?? "";

    expect(text).toContain("no longer exists");
    expect(text).toContain("/salon setup");
    expect(text).toContain("refunded");
    expect(await slackMemberUsedToday(h, ana!.id)).toBe(0);
    expect(await salonText(h, c, c.admin, "settings")).toContain(`⚠️ Problem: The gallery channel <#${c.gallery.id}> no longer exists`);
  });
});
