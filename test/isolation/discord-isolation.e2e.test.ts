/**
 * Community isolation on Discord, end to end: two guilds served by one bot and one database. Community B's admin and
 * members run every command, press buttons carrying A's creation ids and send gateway events naming A's message ids;
 * A's stored data (every row of it) and A's channels must come out byte-for-byte unchanged, and nothing of A may
 * appear in any answer B gets.
 */
import { PermissionFlagsBits } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser, InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, command, createPost, eventually, imagine, startHarness, type Community, type Harness } from "../support/harness.js";
import { snapshotCommunity, type CommunitySnapshot } from "./community-snapshot.js";

let h: Harness;
let A: Community;
let B: Community;
let shared: FakeUser; // a member of both guilds
let posts: FakeMessage[];
let queuedInA: number;
let snapshot: CommunitySnapshot;
let channelState: string;
let requestsBefore: number;

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const customIdOf = (message: FakeMessage, label: string): string => {
  const button = message.components.flatMap((row: { components?: Array<{ label?: string; custom_id?: string }> }) => row.components ?? []).find((b) => b.label === label);
  if (!button?.custom_id) throw new Error(`no ${label} button`);
  return button.custom_id;
};
const creationIdOf = (customId: string) => Number(customId.split(":").at(-1));
/** What A's channels look like on Discord: every message, its text, buttons, reactions and whether it is deleted. */
const channelsOf = (c: Community) =>
  JSON.stringify(h.discord.messages(c.gallery.id).map((m) => ({ id: m.id, content: m.content, embeds: m.embeds, components: m.components, reactions: m.reactions, deleted: m.deleted, edits: m.revisions.length })));
/** The final (non-loading) reply of an interaction, attachments included. */
const finalReply = (handle: InteractionHandle) => handle.waitFor((m) => m.content !== "" || m.attachments.length > 0, 10_000);

beforeAll(async () => {
  h = await startHarness({ env: { GENERATION_CONCURRENCY: "1" } });
  A = await addCommunity(h, "Alpha", ["ana", "ben", "chloe"]);
  B = await addCommunity(h, "Beta", ["bo", "bea"]);
  shared = A.members[0]!; // ana is in both
  h.discord.addMember(B.guild.id, shared.id);
  for (const c of [A, B]) expect(await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }])).toContain("0 s cooldown");

  // A: two posts with likes.
  const [ana, ben, chloe] = A.members as [FakeUser, FakeUser, FakeUser];
  posts = [await createPost(h, A, ana, "alpha's lighthouse"), await createPost(h, A, ben, "alpha's fox")];
  h.discord.react(A.gallery.id, posts[0]!.id, ben.id, "👍");
  h.discord.react(A.gallery.id, posts[0]!.id, chloe.id, "🔥");
  h.discord.react(A.gallery.id, posts[1]!.id, ana.id, "👍");

  // B's first job hangs in generation, so A's next job stays queued (cancellable) for the whole suite.
  h.openai.scriptImages({ hang: true });
  await imagine(h, B, B.members[0]!, "beta's endless job").waitFor((m) => m.content.includes("Generating"), 10_000);
  const queued = await imagine(h, A, ben, "alpha's queued job").waitFor((m) => m.content.includes("Queued"), 10_000);
  queuedInA = creationIdOf(customIdOf(queued, "Cancel"));

  await eventually(async () => expect((await snapshotCommunity(h.config.database.url, "discord", A.guild.id)).creations.map((c) => c.likeCount)).toEqual([2, 1, 0]));
  await settle(500);
  snapshot = await snapshotCommunity(h.config.database.url, "discord", A.guild.id);
  expect(snapshot.creations.map((c) => c.status)).toEqual(["posted", "posted", "queued"]);
  expect(snapshot.reactions).toHaveLength(3);
  channelState = channelsOf(A);
  requestsBefore = h.discord.requests.length;
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** A's rows and channels are exactly as before, and no REST call since touched A's channel or messages. */
async function expectAUnchanged(): Promise<void> {
  expect(await snapshotCommunity(h.config.database.url, "discord", A.guild.id)).toEqual(snapshot);
  expect(channelsOf(A)).toBe(channelState);
  const touching = h.discord.requests.slice(requestsBefore).filter((r) => r.path.includes(A.gallery.id) || posts.some((p) => r.path.includes(p.id)));
  expect(touching.map((r) => `${r.method} ${r.path}`)).toEqual([]);
}

/** Nothing of A (prompts, post ids, channel, queued id) in a text B received. */
function expectNoTraceOfA(text: string): void {
  for (const secret of ["alpha's", A.gallery.id, A.guild.id, ...posts.map((p) => p.id)]) expect(text).not.toContain(secret);
}

describe("community isolation on Discord: B tries to read or change A", () => {
  it("refuses B's setup naming A's channel as gallery or digest, and changes neither community", async () => {
    const bBefore = (await snapshotCommunity(h.config.database.url, "discord", B.guild.id)).community;
    const asGallery = await adminCommand(h, B, "setup", [{ type: 7, name: "gallery", value: A.gallery.id }]);
    const asDigest = await adminCommand(h, B, "setup", [
      { type: 7, name: "gallery", value: B.gallery.id },
      { type: 7, name: "digest", value: A.gallery.id },
    ]);
    expect(asGallery).toContain("is not a channel of this server");
    expect(asDigest).toContain("is not a channel of this server");
    expect((await snapshotCommunity(h.config.database.url, "discord", B.guild.id)).community).toEqual(bBefore);
    await expectAUnchanged();
  });

  it("keeps B's admin commands (limits, settings, block, unblock, recount, digest) inside B", async () => {
    const [ana, ben] = A.members as [FakeUser, FakeUser];
    expect(await adminCommand(h, B, "limits", [{ type: 4, name: "per_member_daily", value: 1 }, { type: 10, name: "budget_usd_daily", value: 0.5 }])).toContain("1 creations per member per day");
    const settings = await adminCommand(h, B, "settings");
    expect(settings).toContain(B.gallery.id);
    expectNoTraceOfA(settings);
    expect(await adminCommand(h, B, "block", [{ type: 6, name: "member", value: ben.id }])).toContain("is blocked");
    expect(await adminCommand(h, B, "block", [{ type: 6, name: "member", value: ana.id }])).toContain("is blocked");
    expect(await adminCommand(h, B, "unblock", [{ type: 6, name: "member", value: ana.id }])).toContain("is unblocked");
    expect(await adminCommand(h, B, "recount")).toMatch(/Re-read the likes of 0 recent posts/);
    for (const options of [[], [{ type: 3, name: "day", value: "today" }], [{ type: 5, name: "preview", value: true }]]) {
      const answer = await adminCommand(h, B, "digest", options);
      expectNoTraceOfA(answer);
    }
    const b = await snapshotCommunity(h.config.database.url, "discord", B.guild.id);
    expect(b.community).toMatchObject({ perMemberDaily: 1, budgetMicroUsd: 500_000 });
    expect(Boolean(b.members.find((m) => m.userId === ben.id)?.blocked)).toBe(true); // 1 on SQLite, true on PostgreSQL
    await expectAUnchanged();
  });

  it("shows B's members only B in /top, /profile and /privacy export, even about a member of both", async () => {
    const [bo] = B.members as [FakeUser];
    for (const options of [[{ type: 3, name: "period", value: "all" }], [{ type: 3, name: "period", value: "all" }, { type: 3, name: "by", value: "creators" }]]) {
      const top = await command(h, B, bo, "top", options);
      expect(top).toContain("No liked creations");
      expectNoTraceOfA(top);
    }
    const profile = await command(h, B, bo, "profile", [{ type: 6, name: "member", value: shared.id }]);
    expect(profile).toContain("Creations: 0");
    expectNoTraceOfA(profile);

    const exported = finalReply(h.discord.slashCommand({ guildId: B.guild.id, channelId: B.gallery.id, userId: shared.id, name: "privacy", options: [{ type: 1, name: "export" }] }));
    const file = (await exported).attachments[0]!;
    const data = JSON.parse(file.bytes.toString("utf8")) as { community: { externalId: string }; member: { creations: unknown[]; reactions: unknown[] } };
    expect(data.community.externalId).toBe(B.guild.id);
    expect(data.member.creations).toEqual([]);
    expect(data.member.reactions).toEqual([]);
    expectNoTraceOfA(file.bytes.toString("utf8"));
    await expectAUnchanged();
  });

  it("lets a member of both forget themselves in B without touching their prompts, likes, images or posts in A", async () => {
    const answer = await command(h, B, shared, "privacy", [{ type: 1, name: "forget" }]);
    expect(answer).toContain("0 gallery posts and 0 images");
    await expectAUnchanged();
  });

  it("refuses B's buttons carrying A's creation ids (delete and cancel), for a member and for B's admin", async () => {
    // Discord only sends clicks on buttons the bot posted; a modified client could still send any custom id. The fake
    // only clicks buttons that exist, so the forged ids sit on an ordinary message in B's channel.
    const forged = h.discord.addMessage(B.gallery.id, { authorId: B.members[0]!.id, content: "click me" }, { silent: true });
    const ids = [`salon:delete:${creationIdOf(customIdOf(posts[0]!, "Delete"))}`, `salon:delete:${creationIdOf(customIdOf(posts[1]!, "Delete"))}`, `salon:cancel:${queuedInA}`];
    forged.components = [{ type: 1, components: ids.map((custom_id, i) => ({ type: 2, style: 2, label: `b${i}`, custom_id })) }];
    for (const [userId, permissions] of [[B.members[0]!.id, undefined], [B.admin.id, PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageMessages], [shared.id, undefined]] as const) {
      for (const customId of ids) {
        const click = h.discord.clickButton({ guildId: B.guild.id, channelId: B.gallery.id, userId, messageId: forged.id, customId, ...(permissions ? { permissions } : {}) });
        const reply = (await finalReply(click)).content;
        expect(reply).toMatch(/already gone|no longer exists/);
      }
    }
    await expectAUnchanged();
  });

  it("ignores gateway events from B's guild that name A's message ids (reactions, remove-all, remove-emoji, deletions)", async () => {
    const [bo] = B.members as [FakeUser];
    for (const post of posts) {
      const base = { guild_id: B.guild.id, channel_id: B.gallery.id, message_id: post.id };
      h.discord.dispatch("MESSAGE_REACTION_ADD", { ...base, user_id: bo.id, type: 0, emoji: { id: null, name: "👍" }, burst: false, burst_colors: [] });
      h.discord.dispatch("MESSAGE_REACTION_REMOVE", { ...base, user_id: A.members[1]!.id, type: 0, emoji: { id: null, name: "👍" }, burst: false });
      h.discord.dispatch("MESSAGE_REACTION_REMOVE_EMOJI", { ...base, emoji: { id: null, name: "🔥" } });
      h.discord.dispatch("MESSAGE_REACTION_REMOVE_ALL", base);
      h.discord.dispatch("MESSAGE_DELETE", { id: post.id, channel_id: B.gallery.id, guild_id: B.guild.id });
    }
    h.discord.dispatch("MESSAGE_DELETE_BULK", { ids: posts.map((p) => p.id), channel_id: B.gallery.id, guild_id: B.guild.id });
    await settle(800);
    await expectAUnchanged();
  });

  it("still serves B: B's own creation is cancelled by B's cancel, A's queued job untouched", async () => {
    const [, bea] = B.members as [FakeUser, FakeUser];
    await adminCommand(h, B, "limits", [{ type: 4, name: "per_member_daily", value: 5 }, { type: 10, name: "budget_usd_daily", value: 5 }]);
    const queued = await imagine(h, B, bea, "beta's own queued job").waitFor((m) => m.content.includes("Queued"), 10_000);
    const click = h.discord.clickButton({ guildId: B.guild.id, channelId: B.gallery.id, userId: bea.id, messageId: queued.id, customId: customIdOf(queued, "Cancel") });
    expect((await finalReply(click)).content).toContain("Cancelled");
    await expectAUnchanged();
  });
});
