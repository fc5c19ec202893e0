/**
 * `/privacy export` and `/privacy forget` on Discord, end to end: the export holds every stored row about the member
 * (checked against the database itself) and nothing about anyone else; forgetting leaves no prompt, like, image file
 * or gallery post of the member behind, anywhere in the database or the data directory, and every count the bot
 * shows afterwards (/top, /profile, the digest) agrees with the likes that remain.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser } from "../support/discord/types.js";
import { snowflakeTimestamp } from "../support/discord/constants.js";
import { addCommunity, adminCommand, command, createPost, eventually, imagine, likeCountOf, startHarness, storedCommunity, type Community, type Harness } from "../support/harness.js";
import { snapshotCommunity, storedTexts } from "../isolation/community-snapshot.js";

let h: Harness;
let c: Community;
let ana: FakeUser, ben: FakeUser, chloe: FakeUser, dev: FakeUser;
let mine: FakeMessage[];
let theirs: FakeMessage;
const PROMPTS = ["ana's private lighthouse", "ana's secret garden"];
const FAILED_PROMPT = "ana's refused idea";

/** Every file under the data directory, relative to it. */
async function dataFiles(): Promise<string[]> {
  const entries = await readdir(h.dataDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(h.dataDir, path.join(e.parentPath, e.name))).sort();
}
const imageFiles = async () => (await dataFiles()).filter((f) => f.startsWith("images"));
/** An image as the running Salon's image store holds it (files on SQLite, the database on PostgreSQL). */
const storedImage = (hash: string) => h.running.salon.deps.files.get(hash);

beforeAll(async () => {
  h = await startHarness();
  c = await addCommunity(h, "Privacy Club");
  [ana, ben, chloe, dev] = c.members as [FakeUser, FakeUser, FakeUser, FakeUser];
  await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
  mine = [await createPost(h, c, ana, PROMPTS[0]!), await createPost(h, c, ana, PROMPTS[1]!)];
  theirs = await createPost(h, c, ben, "ben's harbour");
  h.openai.scriptImages({ status: 400, code: "moderation_blocked" });
  await imagine(h, c, ana, FAILED_PROMPT).waitFor((m) => m.content.includes("safety system"), 10_000);

  h.discord.react(c.gallery.id, mine[0]!.id, ben.id, "👍");
  h.discord.react(c.gallery.id, mine[0]!.id, chloe.id, "🔥");
  h.discord.react(c.gallery.id, mine[1]!.id, chloe.id, "👍");
  h.discord.react(c.gallery.id, theirs.id, ana.id, "👍");
  h.discord.react(c.gallery.id, theirs.id, ana.id, "❤️");
  h.discord.react(c.gallery.id, theirs.id, dev.id, "👍");
  await eventually(async () => expect([await likeCountOf(h.running, c, mine[0]!.id), await likeCountOf(h.running, c, mine[1]!.id), await likeCountOf(h.running, c, theirs.id)]).toEqual([2, 1, 2]));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe("/privacy on Discord", () => {
  it("exports every stored row about the member (creations of any status, likes given, blocked flag) and nothing about others", async () => {
    const handle = h.discord.slashCommand({ guildId: c.guild.id, channelId: c.gallery.id, userId: ana.id, name: "privacy", options: [{ type: 1, name: "export" }] });
    const reply = await handle.waitFor((m) => m.attachments.length > 0, 10_000);
    expect(reply.flags & 64).toBe(64); // ephemeral: only ana sees it
    expect(reply.attachments[0]!.filename).toBe("salon-export.json");
    const json = reply.attachments[0]!.bytes.toString("utf8");
    const data = JSON.parse(json) as {
      community: { platform: string; externalId: string };
      member: { userId: string; blocked: boolean; accountCreatedAt: string | null; creations: Array<Record<string, unknown>>; reactions: Array<Record<string, unknown>> };
    };
    expect(data.community).toEqual({ platform: "discord", externalId: c.guild.id });
    expect(data.member.userId).toBe(ana.id);
    expect(data.member.blocked).toBe(false);
    // What Discord told about her age (kept for the minimum-age rules on likes), and when each reaction was seen.
    expect(data.member.accountCreatedAt).toBe(snowflakeTimestamp(ana.id));
    for (const r of data.member.reactions) expect(r.reactedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    // Against the database itself: every creation row of ana's, with what it says, and every reaction of hers.
    const db = await snapshotCommunity(h.config.database.url, "discord", c.guild.id);
    const memberId = db.members.find((m) => m.userId === ana.id)!.id;
    const rows = db.creations.filter((r) => r.memberId === memberId);
    expect(rows).toHaveLength(3);
    expect(data.member.creations).toHaveLength(rows.length);
    for (const row of rows) {
      expect(data.member.creations).toContainEqual(
        expect.objectContaining({ id: row.id, prompt: row.prompt, status: row.status, costMicroUsd: row.costMicroUsd, imageHash: row.imageHash, galleryUrl: row.galleryUrl, likeCount: row.likeCount, model: row.model, size: row.size, quality: row.quality, aspect: row.aspect }),
      );
    }
    expect(data.member.creations.map((x) => x.prompt).sort()).toEqual([...PROMPTS, FAILED_PROMPT].sort());
    const reactions = db.reactions.filter((r) => r.memberId === memberId).map((r) => ({ creationId: r.creationId, emoji: r.emoji }));
    expect(data.member.reactions.map((r) => ({ creationId: r.creationId, emoji: r.emoji }))).toEqual(reactions);
    expect(reactions).toHaveLength(2);
    // Nothing about other members: not their prompts, not who liked ana's work.
    for (const other of ["ben's harbour", ben.id, chloe.id, dev.id]) expect(json).not.toContain(other);
  });

  it("forgets the member: no prompt, like, image file or gallery post of theirs is left, and every count stays consistent", async () => {
    const before = await snapshotCommunity(h.config.database.url, "discord", c.guild.id);
    const memberId = before.members.find((m) => m.userId === ana.id)!.id as number;
    const hashes = before.creations.filter((r) => r.memberId === memberId && r.imageHash).map((r) => r.imageHash as string);
    expect(hashes).toHaveLength(2);
    for (const hash of hashes) expect(await storedImage(hash)).not.toBeNull();

    const answer = await command(h, c, ana, "privacy", [{ type: 1, name: "forget" }]);
    expect(answer).toContain("2 gallery posts and 2 images");

    // No prompt of hers anywhere in the database (any table, any column).
    const texts = await storedTexts(h.config.database.url);
    for (const prompt of [...PROMPTS, FAILED_PROMPT]) expect(texts.filter((t) => t.value.includes(prompt))).toEqual([]);
    // No like of hers, none on her creations; her creations are out of every ranking and hold no image or post.
    const after = await snapshotCommunity(h.config.database.url, "discord", c.guild.id);
    const herCreations = after.creations.filter((r) => r.memberId === memberId);
    expect(after.reactions.filter((r) => r.memberId === memberId || herCreations.some((x) => x.id === r.creationId))).toEqual([]);
    for (const row of herCreations) {
      expect(row).toMatchObject({ prompt: "", imageHash: null, galleryUrl: null, likeCount: 0, statusRef: null });
      expect(["deleted", "failed"]).toContain(row.status);
    }
    // The images are gone from the image store (files in the data directory on SQLite); ben's stays.
    const files = await imageFiles();
    for (const hash of hashes) {
      expect(files.filter((f) => f.includes(hash))).toEqual([]);
      expect(await storedImage(hash)).toBeNull();
    }
    const benHash = after.creations.find((r) => r.galleryMessageId === theirs.id)!.imageHash as string;
    expect(await storedImage(benHash)).not.toBeNull();
    // Her gallery posts are deleted on Discord.
    for (const post of mine) expect(h.discord.getMessage(post.id)!.deleted).toBe(true);
    expect(h.discord.getMessage(theirs.id)!.deleted).toBe(false);

    // Counts: ben's post keeps dev's like only; everything the bot shows agrees.
    expect(await likeCountOf(h.running, c, theirs.id)).toBe(1);
    const top = await command(h, c, chloe, "top", [{ type: 3, name: "period", value: "all" }]);
    expect(top).toContain("ben's harbour");
    expect(top).toContain("1 like");
    for (const prompt of PROMPTS) expect(top).not.toContain(prompt);
    const creators = await command(h, c, chloe, "top", [{ type: 3, name: "period", value: "all" }, { type: 3, name: "by", value: "creators" }]);
    expect(creators).toContain(`<@${ben.id}> — 1 like across 1 creation`);
    expect(creators).not.toContain(ana.id);
    expect(await command(h, c, chloe, "profile", [{ type: 6, name: "member", value: ana.id }])).toMatch(/Creations: 0[\s\S]*Likes received: 0 likes/);
    expect(await command(h, c, chloe, "profile", [{ type: 6, name: "member", value: ben.id }])).toContain("Likes received: 1 like");
    const preview = await adminCommand(h, c, "digest", [{ type: 3, name: "day", value: "today" }]);
    expect(preview).toContain("ben's harbour");
    expect(preview).toContain("1 creation · 1 liker");
    for (const prompt of PROMPTS) expect(preview).not.toContain(prompt);
    const community = await storedCommunity(h.running, c);
    const day = new Date();
    expect(await h.running.salon.deps.rankings.windowStats(community.id, new Date(day.getTime() - 86_400_000), new Date(day.getTime() + 60_000))).toEqual({ creations: 1, likers: 1 });

    // A second export says so.
    const exported = h.discord.slashCommand({ guildId: c.guild.id, channelId: c.gallery.id, userId: ana.id, name: "privacy", options: [{ type: 1, name: "export" }] });
    const data = JSON.parse((await exported.waitFor((m) => m.attachments.length > 0, 10_000)).attachments[0]!.bytes.toString("utf8"));
    expect(data.member.reactions).toEqual([]);
    for (const creation of data.member.creations) expect(creation).toMatchObject({ prompt: "", imageHash: null, galleryUrl: null });
  });

  it("tells the member when a gallery post could not be deleted, and finishes when they ask again", async () => {
    const first = await createPost(h, c, dev, "dev's first sketch");
    const second = await createPost(h, c, dev, "dev's second sketch");
    h.discord.fail({ method: "DELETE", pathPattern: new RegExp(`/messages/${second.id}$`), status: 403, body: { message: "Missing Permissions", code: 50013 } });

    const partial = await command(h, c, dev, "privacy", [{ type: 1, name: "forget" }]);
    expect(partial).toContain("1 of your 2 gallery posts couldn't be deleted just now");
    expect(h.discord.getMessage(first.id)!.deleted).toBe(true);
    expect(h.discord.getMessage(second.id)!.deleted).toBe(false);
    for (const prompt of ["dev's first sketch", "dev's second sketch"]) expect((await storedTexts(h.config.database.url)).filter((t) => t.value.includes(prompt))).toEqual([]);

    const again = await command(h, c, dev, "privacy", [{ type: 1, name: "forget" }]);
    expect(again).toMatch(/^Done\./);
    expect(h.discord.getMessage(second.id)!.deleted).toBe(true);
  });
});
