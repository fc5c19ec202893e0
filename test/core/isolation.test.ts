import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Creation } from "../../src/core/types.js";
import { buildSalon, rankedCreations, type SalonHarness } from "../support/core-fakes.js";

/** Two communities on one database; the same member is in both. Slack channel ids are per workspace, so both use one gallery id. */
let h: SalonHarness;
const ONE = "guild-1";
const TWO = "guild-2";
const shared = "u-shared";
const admin = (community: string) => h.actor("u-admin", { admin: true, community });

let one: Creation;
let two: Creation;

beforeEach(async () => {
  h = await buildSalon();
  await h.setUp({ community: ONE, limits: { cooldownSeconds: 0 } });
  await h.setUp({ community: TWO, timezone: "Asia/Tokyo", digestTime: "20:00", limits: { cooldownSeconds: 0 } });
  one = await h.createPosted(shared, "first community's picture", { community: ONE, at: "2026-11-25T10:00:00Z" });
  two = await h.createPosted(shared, "second community's picture", { community: TWO, at: "2026-11-25T10:00:00Z" });
});
afterEach(async () => {
  await h.cleanup();
});

function react(c: Creation, community: string, userId: string, emoji = "👍") {
  h.publisher.react(c.galleryMessageId!, userId, emoji);
  return h.salon.reaction({ community: h.ref(community), channelId: c.galleryChannelId!, messageId: c.galleryMessageId!, kind: "add", userId, emoji, isBot: false });
}

describe("community isolation", () => {
  it("keeps setup and limits of one community out of the other", async () => {
    const before = await h.community(TWO);
    await h.salon.setup(admin(ONE), { galleryChannelId: "c-new-gallery", timezone: "America/New_York", digestTime: "07:30" });
    await h.salon.limits(admin(ONE), { perMemberDaily: 1, budgetUsdDaily: 1, cooldownSeconds: 60 });
    expect(await h.community(TWO)).toEqual(before);
    expect(await h.community(ONE)).toMatchObject({ galleryChannelId: "c-new-gallery", timezone: "America/New_York", perMemberDaily: 1, cooldownSeconds: 60 });
    expect(before).toMatchObject({ timezone: "Asia/Tokyo", digestTime: "20:00", perMemberDaily: 10, budgetMicroUsd: 5_000_000 });
  });

  it("counts quota and spend per community", async () => {
    await h.salon.limits(admin(ONE), { perMemberDaily: 1 });
    await expect(h.salon.imagine(h.actor(shared, { community: ONE }), { prompt: "again", statusRef: null })).rejects.toMatchObject({ code: "quota" });
    await expect(h.salon.imagine(h.actor(shared, { community: TWO }), { prompt: "again", statusRef: null })).resolves.toBeDefined();
    // Spend shown in settings is each community's own: one image ($0.04) in ONE, two in TWO.
    expect(await h.salon.settings(admin(ONE))).toContain("$0.04 spent");
    expect(await h.salon.settings(admin(TWO))).toContain("$0.08 spent");
  });

  it("blocks a member only in the community whose admin blocked them", async () => {
    await react(one, ONE, "u-fan");
    await react(two, TWO, "u-fan");
    await h.salon.block(admin(ONE), "u-fan");
    await h.salon.block(admin(ONE), shared);
    expect((await h.creation(one.id)).likeCount).toBe(0);
    expect((await h.creation(two.id)).likeCount).toBe(1);
    await expect(h.salon.imagine(h.actor(shared, { community: ONE }), { prompt: "x", statusRef: null })).rejects.toMatchObject({ code: "blocked" });
    await expect(h.salon.imagine(h.actor(shared, { community: TWO }), { prompt: "x", statusRef: null })).resolves.toBeDefined();
  });

  it("shows each community only its own creations in /top and /profile", async () => {
    await react(one, ONE, "u-fan");
    await react(two, TWO, "u-fan");
    await react(two, TWO, "u-fan-2");
    expect(rankedCreations(await h.salon.top(h.actor("u-x", { community: ONE }), "all")).map((e) => e.creationId)).toEqual([one.id]);
    expect(rankedCreations(await h.salon.top(h.actor("u-x", { community: TWO }), "all")).map((e) => e.creationId)).toEqual([two.id]);
    expect((await h.salon.top(h.actor("u-x", { community: ONE }), "all", "creators")).entries).toEqual([
      expect.objectContaining({ userId: shared, likeCount: 1, creations: 1 }),
    ]);
    expect(await h.salon.profile(h.actor(shared, { community: ONE }))).toMatchObject({ creations: 1, likesReceived: 1, best: { url: one.galleryUrl } });
    expect(await h.salon.profile(h.actor(shared, { community: TWO }))).toMatchObject({ creations: 1, likesReceived: 2, best: { url: two.galleryUrl } });
  });

  it("ignores a reaction event that names the other community's post", async () => {
    expect(await h.salon.reaction({ community: h.ref(TWO), channelId: one.galleryChannelId!, messageId: one.galleryMessageId!, kind: "add", userId: "u-fan", emoji: "👍", isBot: false })).toBeNull();
    expect(await h.salon.reaction({ community: h.ref(TWO), channelId: one.galleryChannelId!, messageId: one.galleryMessageId!, kind: "remove_all" })).toBeNull();
    expect(await h.salon.postsDeleted(h.ref(TWO), one.galleryChannelId!, [one.galleryMessageId!])).toBe(0);
    expect(await h.creation(one.id)).toMatchObject({ status: "posted", likeCount: 0 });
    expect(await h.db.prisma.reaction.count()).toBe(0);
  });

  it("recounts only the admin's own community", async () => {
    h.publisher.react(one.galleryMessageId!, "u-fan", "👍");
    h.publisher.react(two.galleryMessageId!, "u-fan", "👍");
    expect(await h.salon.recount(admin(ONE))).toMatchObject({ posts: 1, corrected: 1 });
    expect(h.publisher.fetches).toEqual([one.galleryMessageId]);
    expect((await h.creation(one.id)).likeCount).toBe(1);
    expect((await h.creation(two.id)).likeCount).toBe(0);
  });

  it("puts only a community's own creations in its digest", async () => {
    await react(one, ONE, "u-fan");
    await react(two, TWO, "u-fan");
    h.clock.set("2026-11-26T09:00:00Z"); // ONE (UTC, 09:00) is due; TWO (Tokyo, 20:00 = 11:00Z) is not yet
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(h.publisher.digests).toHaveLength(1);
    expect(h.publisher.digests[0]).toMatchObject({ communityExternalId: ONE });
    expect(h.publisher.digests[0]!.digest!.entries.map((e) => e.creationId)).toEqual([one.id]);
    expect(h.publisher.digests[0]!.digest!.summary).toEqual({ creations: 1, likers: 1, topCreator: { userId: shared, likeCount: 1 } });

    h.clock.set("2026-11-26T11:00:00Z");
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(h.publisher.digests[1]).toMatchObject({ communityExternalId: TWO });
    expect(h.publisher.digests[1]!.digest!.entries.map((e) => e.creationId)).toEqual([two.id]);
  });

  it("forgets a member in one community only", async () => {
    await react(one, ONE, "u-fan");
    await react(two, TWO, "u-fan");
    await h.salon.forget(h.actor(shared, { community: ONE }));
    expect(await h.creation(one.id)).toMatchObject({ status: "deleted", prompt: "" });
    expect(await h.creation(two.id)).toMatchObject({ status: "posted", prompt: "second community's picture", likeCount: 1 });
    expect(await h.files.get(two.imageHash!)).not.toBeNull();
  });
});
