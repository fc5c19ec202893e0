/**
 * Community isolation on Slack, end to end. The loopback Slack holds one workspace; a second workspace is modelled
 * by sending requests under a second team id (as an org-wide or Slack Connect install delivers them: same app,
 * signing secret and token, another `team_id`). Workspace B's admin and members run every command, the Delete
 * shortcut on A's posts, the Cancel button with A's creation id, and events naming A's channel and messages; A's
 * stored rows and channel must come out unchanged, and nothing of A may appear in any answer B gets.
 *
 * Not tried on Slack: `/salon setup` naming A's channel from B. Slack channel ids are global and one bot token serves
 * both teams here, so the bot cannot tell whose channel it is (a real second workspace's token can't post there).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeSlack } from "../support/slack/index.js";
import type { FakeSlackChannel, FakeSlackMessage, FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import { addSlackCommunity, createSlackPost, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";
import { snapshotCommunity, type CommunitySnapshot } from "./community-snapshot.js";

const TEAM_B = "T0BETA00001";

let h: SlackHarness;
let A: SlackCommunity;
let bAdmin: FakeSlackUser;
let bMembers: FakeSlackUser[];
let bGallery: FakeSlackChannel;
let shared: FakeSlackUser;
let posts: FakeSlackMessage[];
let queuedInA: number;
let bQueuedStatus: { ts: string; user: string };
let snapshot: CommunitySnapshot;
let channelState: string;
let callsBefore: number;

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `send` with the fake's workspace id set to `teamId`; payloads are built synchronously, so they carry it. */
function asTeam<T>(slack: FakeSlack, teamId: string, send: () => T): T {
  const identity = (slack as unknown as { state: { identity: { teamId: string } } }).state.identity;
  const original = identity.teamId;
  identity.teamId = teamId;
  try {
    return send();
  } finally {
    identity.teamId = original;
  }
}

/** A slash command in workspace B, resolving with its first answer. */
async function inB(user: FakeSlackUser, command: "/salon" | "/imagine", text: string, channel = bGallery): Promise<string> {
  const handle = await asTeam(h.slack, TEAM_B, () => h.slack.slashCommand({ command, text, userId: user.id, channelId: channel.id }));
  return (await handle.waitForResponse(() => true, 10_000)).text;
}

const cancelValueOf = (blocks: unknown): string => {
  const button = (blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === "salon_cancel");
  if (!button?.value) throw new Error("no Cancel button");
  return button.value;
};
const channelsOf = () => JSON.stringify(h.slack.messages(A.gallery.id).map((m) => ({ ts: m.ts, text: m.text, files: m.files.map((f) => f.id), reactions: m.reactions, deleted: m.deleted })));
const snap = () => snapshotCommunity(h.config.database.url, "slack", h.slack.teamId);

beforeAll(async () => {
  h = await startSlackHarness({ env: { GENERATION_CONCURRENCY: "1" } });
  A = await addSlackCommunity(h, ["ana", "ben", "chloe"]);
  const [ana, ben, chloe] = A.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
  shared = ana;
  bAdmin = h.slack.addUser({ name: "beta-admin", isAdmin: true });
  bMembers = [h.slack.addUser({ name: "bo" }), h.slack.addUser({ name: "bea" })];
  bGallery = h.slack.addChannel({ name: "beta-gallery" });

  const answer = await (async () => {
    const handle = await h.slack.slashCommand({ command: "/salon", text: "limits cooldown_seconds=0", userId: A.admin.id, channelId: A.gallery.id });
    return (await handle.waitForResponse()).text;
  })();
  expect(answer).toContain("0 s cooldown");
  expect(await inB(bAdmin, "/salon", `setup ${h.slack.channelRef(bGallery.id)}`)).toMatch(/^Salon is set up/);
  expect(await inB(bAdmin, "/salon", "limits cooldown_seconds=0")).toContain("0 s cooldown");

  posts = [await createSlackPost(h, A, ana, "alpha's lighthouse"), await createSlackPost(h, A, ben, "alpha's fox")];
  await h.slack.react(A.gallery.id, posts[0]!.ts, ben.id, "+1");
  await h.slack.react(A.gallery.id, posts[0]!.ts, chloe.id, "fire");
  await h.slack.react(A.gallery.id, posts[1]!.ts, ana.id, "+1");

  // B's first job hangs, so A's next job and B's second stay queued, each with a Cancel button.
  h.openai.scriptImages({ hang: true });
  const endless = await asTeam(h.slack, TEAM_B, () => h.slack.slashCommand({ command: "/imagine", text: "beta's endless job", userId: bMembers[0]!.id, channelId: bGallery.id }));
  await endless.waitForResponse((r) => r.text.includes("Generating"), 10_000);
  const aJob = await h.slack.slashCommand({ command: "/imagine", text: "alpha's queued job", userId: ben.id, channelId: A.gallery.id });
  queuedInA = Number(cancelValueOf((await aJob.waitForResponse((r) => r.text.includes("Queued"), 10_000)).blocks));
  const bJob: SlackCommandHandle = await asTeam(h.slack, TEAM_B, () => h.slack.slashCommand({ command: "/imagine", text: "beta's queued job", userId: bMembers[1]!.id, channelId: bGallery.id }));
  await bJob.waitForResponse((r) => r.text.includes("Queued"), 10_000);
  const status = await h.slack.waitForEphemeral(bMembers[1]!.id, (e) => e.text.includes("Queued"));
  bQueuedStatus = { ts: status.ts, user: bMembers[1]!.id };

  for (let i = 0; i < 100 && (await snap()).creations.map((c) => c.likeCount).join() !== "2,1,0"; i++) await settle(50);
  await settle(300);
  snapshot = await snap();
  expect(snapshot.creations.map((c) => [c.status, c.likeCount])).toEqual([["posted", 2], ["posted", 1], ["queued", 0]]);
  channelState = channelsOf();
  callsBefore = h.slack.calls.length;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Writes that would change A's channel on Slack. Reads (reactions.get) may happen: they tell B nothing. */
const WRITES = new Set(["chat.delete", "chat.update", "chat.postMessage", "files.delete", "files.completeUploadExternal", "reactions.add", "reactions.remove"]);

async function expectAUnchanged(): Promise<void> {
  expect(await snap()).toEqual(snapshot);
  expect(channelsOf()).toBe(channelState);
  const writes = h.slack.calls.slice(callsBefore).filter((c) => WRITES.has(c.method) && JSON.stringify(c.args).includes(A.gallery.id));
  expect(writes.map((c) => `${c.method} ${JSON.stringify(c.args)}`)).toEqual([]);
}

function expectNoTraceOfA(text: string): void {
  for (const trace of ["alpha", A.gallery.id, ...posts.map((p) => p.ts), ...posts.map((p) => p.ts.replace(".", ""))]) expect(text).not.toContain(trace);
}

describe("community isolation on Slack: workspace B tries to read or change workspace A", () => {
  it("keeps B's admin commands (settings, limits, block, unblock, recount, digest) inside B", async () => {
    const [, ben] = A.members as [FakeSlackUser, FakeSlackUser];
    const settings = await inB(bAdmin, "/salon", "settings");
    expect(settings).toContain(bGallery.id);
    expectNoTraceOfA(settings);
    expect(await inB(bAdmin, "/salon", "limits per_member_daily=3 budget_usd_daily=1")).toContain("3 creations per member per day");
    expect(await inB(bAdmin, "/salon", `block ${h.slack.userRef(ben.id)}`)).toContain("is blocked");
    expect(await inB(bAdmin, "/salon", `block ${h.slack.userRef(shared.id)}`)).toContain("is blocked");
    expect(await inB(bAdmin, "/salon", `unblock ${h.slack.userRef(shared.id)}`)).toContain("is unblocked");
    expect(await inB(bAdmin, "/salon", "recount")).toMatch(/Re-read the likes of 0 recent posts/);
    for (const text of ["digest", "digest today", "digest yesterday preview"]) expectNoTraceOfA(await inB(bAdmin, "/salon", text));
    const b = await snapshotCommunity(h.config.database.url, "slack", TEAM_B);
    expect(b.community).toMatchObject({ perMemberDaily: 3, budgetMicroUsd: 1_000_000 });
    expect(Boolean(b.members.find((m) => m.userId === ben.id)?.blocked)).toBe(true); // 1 on SQLite, true on PostgreSQL
    await expectAUnchanged();
  });

  it("shows B's members only B in top, profile and privacy export, even about a member of both", async () => {
    for (const text of ["top all", "top all creators", "top today"]) {
      const top = await inB(bMembers[0]!, "/salon", text);
      expect(top).toContain("No liked creations");
      expectNoTraceOfA(top);
    }
    const profile = await inB(bMembers[0]!, "/salon", `profile ${h.slack.userRef(shared.id)}`);
    expect(profile).toContain("Creations: 0");
    expectNoTraceOfA(profile);

    const uploadsBefore = h.slack.callsTo("files.completeUploadExternal").length;
    expect(await inB(shared, "/salon", "privacy export")).toContain("direct message");
    const exportCall = h.slack.callsTo("files.completeUploadExternal").slice(uploadsBefore)[0]!;
    const fileId = (exportCall.args.files as Array<{ id: string }>)[0]!.id;
    const json = h.slack.file(fileId)!.bytes!.toString("utf8");
    const data = JSON.parse(json) as { community: { externalId: string }; member: { creations: unknown[]; reactions: unknown[] } };
    expect(data.community.externalId).toBe(TEAM_B);
    expect(data.member).toMatchObject({ creations: [], reactions: [] });
    expectNoTraceOfA(json);
    await expectAUnchanged();
  });

  it("lets a member of both forget themselves in B without touching their prompts, likes, images or posts in A", async () => {
    expect(await inB(shared, "/salon", "privacy forget")).toContain("0 gallery posts and 0 images");
    await expectAUnchanged();
  });

  it("refuses B's Delete shortcut on A's posts, for a member and for B's admin", async () => {
    for (const user of [bMembers[0]!, bAdmin, shared]) {
      for (const post of posts) {
        const handle = await asTeam(h.slack, TEAM_B, () => h.slack.messageShortcut({ userId: user.id, channelId: A.gallery.id, messageTs: post.ts, callbackId: "salon_delete" }));
        expect((await handle.waitForResponse(() => true, 10_000)).text).toBe("That message is not a Salon creation.");
      }
    }
    await expectAUnchanged();
  });

  it("refuses B's Cancel button carrying A's queued creation id", async () => {
    const click = await asTeam(h.slack, TEAM_B, () =>
      h.slack.clickButton({ userId: bQueuedStatus.user, channelId: bGallery.id, messageTs: bQueuedStatus.ts, actionId: "salon_cancel", value: String(queuedInA) }),
    );
    expect((await click.waitForResponse(() => true, 10_000)).text).toBe("That creation no longer exists.");
    for (const value of ["0", "-1", "1e3", "99999999999", "abc", ""]) {
      const forged = await asTeam(h.slack, TEAM_B, () => h.slack.clickButton({ userId: bQueuedStatus.user, channelId: bGallery.id, messageTs: bQueuedStatus.ts, actionId: "salon_cancel", value }));
      expect((await forged.waitForResponse(() => true, 10_000)).text).toBe("That creation no longer exists.");
    }
    await expectAUnchanged();
  });

  it("ignores B's events naming A's channel and messages: reactions added and removed, and deletions", async () => {
    const [, ben] = A.members as [FakeSlackUser, FakeSlackUser];
    for (const post of posts) {
      const item = { type: "message", channel: A.gallery.id, ts: post.ts };
      for (const [type, user, reaction] of [["reaction_added", bMembers[0]!.id, "+1"], ["reaction_added", shared.id, "heart"], ["reaction_removed", ben.id, "smile"]] as const) {
        const delivery = await asTeam(h.slack, TEAM_B, () => h.slack.sendEvent({ type, user, reaction, item, item_user: h.slack.botUserId, event_ts: `${Date.now() / 1000}` }));
        expect(delivery.status).toBe(200);
      }
      const deleted = await asTeam(h.slack, TEAM_B, () =>
        h.slack.sendEvent({ type: "message", subtype: "message_deleted", channel: A.gallery.id, hidden: true, ts: `${Date.now() / 1000}`, deleted_ts: post.ts, event_ts: `${Date.now() / 1000}`, channel_type: "channel" }),
      );
      expect(deleted.status).toBe(200);
    }
    await settle(800);
    await expectAUnchanged();
  });
});
