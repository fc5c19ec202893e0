/**
 * `/salon privacy export` and `/salon privacy forget` on Slack, end to end: the export (a file in a direct message)
 * holds the member's rows and nobody else's; forgetting deletes the uploaded images (and with them their posts),
 * leaves no prompt or like of the member in the database or the data directory, and keeps every count consistent.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeSlackMessage, FakeSlackUser } from "../support/slack/types.js";
import { eventually } from "../support/harness.js";
import { addSlackCommunity, createSlackPost, salonText, slackLikeCountOf, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";
import { snapshotCommunity, storedTexts } from "../isolation/community-snapshot.js";

let h: SlackHarness;
let c: SlackCommunity;
let ana: FakeSlackUser, ben: FakeSlackUser, chloe: FakeSlackUser;
let mine: FakeSlackMessage[];
let theirs: FakeSlackMessage;
const PROMPTS = ["ana's quiet harbour", "ana's hidden orchard"];

beforeAll(async () => {
  h = await startSlackHarness();
  c = await addSlackCommunity(h);
  [ana, ben, chloe] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
  await salonText(h, c, c.admin, "limits cooldown_seconds=0");
  mine = [await createSlackPost(h, c, ana, PROMPTS[0]!), await createSlackPost(h, c, ana, PROMPTS[1]!)];
  theirs = await createSlackPost(h, c, ben, "ben's lighthouse");
  await h.slack.react(c.gallery.id, mine[0]!.ts, ben.id, "+1");
  await h.slack.react(c.gallery.id, mine[1]!.ts, chloe.id, "fire");
  await h.slack.react(c.gallery.id, theirs.ts, ana.id, "+1");
  await h.slack.react(c.gallery.id, theirs.ts, chloe.id, "heart");
  await eventually(async () => expect(await slackLikeCountOf(h, c, theirs.ts)).toBe(2));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe("/salon privacy on Slack", () => {
  it("sends the export as a file in a direct message, with the member's creations and likes and no one else's", async () => {
    const uploads = h.slack.callsTo("files.completeUploadExternal").length;
    expect(await salonText(h, c, ana, "privacy export")).toContain("direct message");
    const call = h.slack.callsTo("files.completeUploadExternal")[uploads]!;
    expect(String(call.args.channel_id)).toMatch(/^D/); // a direct message, not the channel
    const json = h.slack.file((call.args.files as Array<{ id: string }>)[0]!.id)!.bytes.toString("utf8");
    const data = JSON.parse(json) as { member: { creations: Array<{ prompt: string }>; reactions: Array<{ emoji: string }> } };
    expect(data.member.creations.map((x) => x.prompt)).toEqual(PROMPTS);
    expect(data.member.reactions.map((r) => r.emoji)).toEqual(["+1"]);
    for (const other of ["ben's lighthouse", ben.id, chloe.id]) expect(json).not.toContain(other);
  });

  it("forgets the member: images and posts deleted on Slack, no prompt or like left, counts consistent", async () => {
    const before = await snapshotCommunity(h.config.database.url, "slack", h.slack.teamId);
    const memberId = before.members.find((m) => m.userId === ana.id)!.id;
    const hashes = before.creations.filter((r) => r.memberId === memberId).map((r) => r.imageHash as string);
    for (const hash of hashes) expect(await h.running.salon.deps.files.get(hash)).not.toBeNull();

    expect(await salonText(h, c, ana, "privacy forget")).toContain("2 gallery posts and 2 images");

    for (const post of mine) {
      expect(h.slack.file(post.files[0]!.id)!.deleted).toBe(true);
      expect(h.slack.message(c.gallery.id, post.ts)!.deleted).toBe(true);
    }
    expect(h.slack.message(c.gallery.id, theirs.ts)!.deleted).toBe(false);
    for (const prompt of PROMPTS) expect((await storedTexts(h.config.database.url)).filter((t) => t.value.includes(prompt))).toEqual([]);
    const after = await snapshotCommunity(h.config.database.url, "slack", h.slack.teamId);
    expect(after.reactions.filter((r) => r.memberId === memberId)).toEqual([]);
    const dataDir = h.config.dataDir;
    const files = (await readdir(dataDir, { recursive: true })).map(String);
    for (const hash of hashes) {
      expect(files.filter((f) => f.includes(hash))).toEqual([]);
      // Gone from the image store too, wherever it is (the database on PostgreSQL).
      expect(await h.running.salon.deps.files.get(hash)).toBeNull();
    }

    expect(await slackLikeCountOf(h, c, theirs.ts)).toBe(1);
    const top = await salonText(h, c, chloe, "top all");
    expect(top).toContain("ben's lighthouse");
    expect(top).toContain("1 like");
    for (const prompt of PROMPTS) expect(top).not.toContain(prompt);
    expect(await salonText(h, c, chloe, `profile ${h.slack.userRef(ana.id)}`)).toMatch(/Creations: 0[\s\S]*Likes received: 0 likes/);
  });
});
