import { afterEach, describe, expect, it } from "vitest";
import type { FakeSlackMessage, FakeSlackUser } from "../support/slack/types.js";
import {
  addSlackCommunity,
  createSlackPost,
  salonText,
  slackLikeCountOf,
  slackReactionsOf,
  slashText,
  startSlackHarness,
  storedSlackCommunity,
  type SlackCommunity,
  type SlackHarness,
} from "../support/slack-harness.js";

let h: SlackHarness;
let open: SlackHarness | undefined;
let c: SlackCommunity;

async function start(env: Record<string, string> = {}, memberNames?: string[]): Promise<void> {
  h = open = await startSlackHarness({ env });
  c = await addSlackCommunity(h, memberNames);
}
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const NOT_ADMIN = "Only community admins can use this command.";

/** Polls until the stored like count of the post is `count`, then checks it stays there. */
async function likesSettleAt(post: FakeSlackMessage, count: number): Promise<void> {
  await expect.poll(() => slackLikeCountOf(h, c, post.ts), { timeout: 5_000 }).toBe(count);
  await settle();
  expect(await slackLikeCountOf(h, c, post.ts)).toBe(count);
}

async function creationsOf(user: FakeSlackUser) {
  const community = await storedSlackCommunity(h);
  return (await h.running.salon.deps.privacy.exportMember(community.id, user.id)).creations;
}

describe("request authenticity on Slack", () => {
  it("refuses a slash command with a bad signature with 401 and does nothing", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];
    const before = await storedSlackCommunity(h);

    const forged = await h.slack.slashCommand({ command: "/imagine", text: "a forged request", userId: ana.id, channelId: c.gallery.id, signature: "bad" });
    const forgedAdmin = await h.slack.slashCommand({ command: "/salon", text: "limits per_member_daily=0", userId: c.admin.id, channelId: c.gallery.id, signature: "bad" });

    expect([forged.status, forgedAdmin.status]).toEqual([401, 401]);
    await settle(500);
    expect(forged.responses()).toEqual([]);
    expect(forgedAdmin.responses()).toEqual([]);
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await creationsOf(ana)).toEqual([]);
    expect(await storedSlackCommunity(h)).toEqual(before);
  });

  it("refuses a request older than five minutes", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];

    const stale = await h.slack.slashCommand({ command: "/imagine", text: "a replayed capture", userId: ana.id, channelId: c.gallery.id, timestampSkewSeconds: -301 });

    expect(stale.status).toBe(401);
    await settle(500);
    expect(stale.responses()).toEqual([]);
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await creationsOf(ana)).toEqual([]);
  });
});

describe("duplicate and replayed events on Slack", () => {
  it("counts a reaction event retried by Slack (same event id, retry headers) once", async () => {
    await start();
    const [ana, ben, chloe] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "a retried fox");
    const delivery = (await h.slack.react(c.gallery.id, post.ts, ben.id, "+1"))!;
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);

    const retry = await h.slack.redeliver(delivery);
    const secondRetry = await h.slack.redeliver(retry);
    expect([retry.eventId, secondRetry.eventId]).toEqual([delivery.eventId, delivery.eventId]);
    expect([retry.retryNum, secondRetry.retryNum]).toEqual([1, 2]);
    expect([retry.status, secondRetry.status]).toEqual([200, 200]);
    // A later, distinct like proves the retries were handled before we look.
    await h.slack.react(c.gallery.id, post.ts, chloe.id, "+1");

    await likesSettleAt(post, 2);
    expect(await slackReactionsOf(h, ben.id)).toHaveLength(1);
  });

  it("counts the same reaction re-sent under a new event id once", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "a duplicated heron");
    const delivery = (await h.slack.react(c.gallery.id, post.ts, ben.id, "heart"))!;
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);

    const duplicate = await h.slack.redeliver(delivery, { newEventId: true });

    expect(duplicate.eventId).not.toBe(delivery.eventId);
    expect(duplicate.status).toBe(200);
    await likesSettleAt(post, 1);
    expect(await slackReactionsOf(h, ben.id)).toHaveLength(1);
  });

  it("does not bring a removed like back when the add is redelivered, under its own or a new event id", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "a change of heart");
    const add = (await h.slack.react(c.gallery.id, post.ts, ben.id, "+1"))!;
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);
    await h.slack.unreact(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(0);

    await h.slack.redeliver(add);
    await h.slack.redeliver(add, { newEventId: true });

    await likesSettleAt(post, 0);
    expect(await slackReactionsOf(h, ben.id)).toEqual([]);
  });

  it("does not take away a like given again when the earlier removal is redelivered", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "second thoughts");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);
    const removal = (await h.slack.unreact(c.gallery.id, post.ts, ben.id, "+1"))!;
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(0);
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);

    await h.slack.redeliver(removal);
    await h.slack.redeliver(removal, { newEventId: true });

    await likesSettleAt(post, 1);
  });
});

describe("admin rights on Slack", () => {
  it("refuses admin subcommands to a member with a clear message and changes nothing", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const before = await storedSlackCommunity(h);

    expect(await salonText(h, c, ana, "settings")).toBe(NOT_ADMIN);
    expect(await salonText(h, c, ana, "limits per_member_daily=100 cooldown_seconds=0")).toBe(NOT_ADMIN);
    expect(await salonText(h, c, ana, `block ${h.slack.userRef(ben.id)}`)).toBe(NOT_ADMIN);
    expect(await salonText(h, c, ana, `setup ${h.slack.channelRef(c.gallery.id)} 23:00 Asia/Tokyo`)).toBe(NOT_ADMIN);
    expect(await salonText(h, c, ana, "recount")).toBe(NOT_ADMIN);
    expect(await salonText(h, c, ana, "digest preview")).toBe(NOT_ADMIN);

    expect(await storedSlackCommunity(h)).toEqual(before);
    expect(await h.running.salon.deps.communities.isBlocked(before.id, ben.id)).toBe(false);
    expect(h.slack.callsTo("reactions.get")).toHaveLength(0);
  });

  it("lets a user named in SLACK_ADMIN_USERS run admin subcommands without being a workspace admin", async () => {
    await start({ SLACK_ADMIN_USERS: "U0TRUSTED01,U0TRUSTED02" });
    const trusted = h.slack.addUser({ id: "U0TRUSTED01", name: "tess" });
    const [, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    expect(trusted.isAdmin || trusted.isOwner).toBe(false);
    const community = await storedSlackCommunity(h);

    expect(await salonText(h, c, trusted, "limits per_member_daily=3 cooldown_seconds=5")).toBe(
      "Limits: 3 creations per member per day, $5.00 per day for the community, 5 s cooldown.",
    );
    expect(await salonText(h, c, trusted, "settings")).toContain("Limits: 3 creations per member per day, 5 s cooldown");
    expect(await salonText(h, c, trusted, `block ${h.slack.userRef(ben.id)}`)).toContain("is blocked");

    expect(await storedSlackCommunity(h)).toMatchObject({ perMemberDaily: 3, cooldownSeconds: 5 });
    expect(await h.running.salon.deps.communities.isBlocked(community.id, ben.id)).toBe(true);
  });

  it("answers an unknown subcommand with the help", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];

    const reply = await salonText(h, c, ana, "frobnicate now");

    expect(reply).toContain("I don't know `/salon frobnicate`");
    expect(reply).toContain("`/imagine <prompt>");
    expect(reply).toContain("`/salon top");
  });
});

describe("/imagine input on Slack", () => {
  it.each([
    ["an unknown aspect", "a castle --aspect wide"],
    ["an unknown option", "a castle --size big"],
    ["an option without its value", "a castle --quality"],
    ["an option given twice", "a castle --aspect square --aspect portrait"],
  ])("answers %s with the usage and asks OpenAI nothing", async (_what, text) => {
    await start();
    const [ana] = c.members as [FakeSlackUser];

    const reply = await slashText(h, "/imagine", text, ana.id, c.gallery.id);

    expect(reply).toContain("Usage: `/imagine <prompt> [--aspect square|portrait|landscape] [--quality low|medium|high] [--polish]`");
    await settle();
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await creationsOf(ana)).toEqual([]);
  });

  it("answers /imagine without a prompt with the usage", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];

    expect(await slashText(h, "/imagine", "", ana.id, c.gallery.id)).toMatch(/^Usage: `\/imagine <prompt>/);
    expect(await slashText(h, "/imagine", "   ", ana.id, c.gallery.id)).toMatch(/^Usage: `\/imagine <prompt>/);
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
  });

  it("posts a prompt containing channel and user mentions without any mention", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    // As Slack sends it with escaping on: broadcasts and users as <!…> and <@…>, a typed "&" as &amp;.
    const text = `hey <!channel> look, <@${ben.id}|ben> painted this &amp; <!here> <!subteam^S0123ABC|@artists> and <@${ana.id}> loved it`;

    const handle = await h.slack.slashCommand({ command: "/imagine", text, userId: ana.id, channelId: c.gallery.id });
    await handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 10_000);

    const post = await h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0);
    expect(post.text).not.toMatch(/<[!@#]/);
    expect(post.text).toContain(`hey @channel look, @ben painted this &amp; @here @artists and @${ana.id} loved it`);
    expect(h.openai.imageRequests[0]!.body.prompt).toBe(`hey @channel look, @ben painted this & @here @artists and @${ana.id} loved it`);
    for (const r of handle.responses()) expect(r.text).not.toMatch(/<[!@]/);
  });

  it("acks 20 simultaneous /imagine within Slack's 3 seconds", async () => {
    await start({}, Array.from({ length: 20 }, (_, i) => `member${i + 1}`));

    const handles = await Promise.all(
      c.members.map((member, i) => h.slack.slashCommand({ command: "/imagine", text: `crowd portrait number ${i + 1}`, userId: member.id, channelId: c.gallery.id })),
    );

    expect(handles.map((handle) => handle.status)).toEqual(Array(20).fill(200));
    const latencies = handles.map((handle) => handle.ackMs).sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)]!;
    const max = latencies.at(-1)!;
    console.log(`Slack ack time for 20 simultaneous /imagine: p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    expect(max).toBeLessThan(3_000);
    expect(handles.some((handle) => handle.timedOut)).toBe(false);
    expect(h.slack.ephemerals().filter((e) => e.source === "slack")).toEqual([]);
    await Promise.all(handles.map((handle) => handle.waitForResponse((r) => /^(⏳ Queued|🎨|✅)/.test(r.text), 10_000)));
  });
});
