import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildDigest, DIGEST_LEASE_MS } from "../../src/core/digest.js";
import type { Creation } from "../../src/core/types.js";
import { buildSalon, DIGEST_CHANNEL, GALLERY, type SalonHarness } from "../support/core-fakes.js";
import { openSecondStore } from "../support/db.js";

let h: SalonHarness;
beforeEach(async () => {
  h = await buildSalon();
});
afterEach(async () => {
  await h.cleanup();
});

const admin = () => h.actor("u-admin", { admin: true });
let fans = 0;
async function like(c: Creation, n: number, community?: string) {
  for (let i = 0; i < n; i++) await reactAs(c, `u-fan-${++fans}`, "👍", community);
}
function reactAs(c: Creation, userId: string, emoji = "👍", community?: string, isBot = false) {
  return h.salon.reaction({ community: h.ref(community), channelId: c.galleryChannelId!, messageId: c.galleryMessageId!, kind: "add", userId, emoji, isBot });
}
async function digestStatus(day: string, community?: string) {
  return h.store.digestStatus((await h.community(community)).id, day);
}
/** Posts one liked creation per instant and returns them in order. */
async function likedAt(instants: string[], community?: string): Promise<Creation[]> {
  const out: Creation[] = [];
  for (const at of instants) {
    const c = await h.createPosted("u-artist", `posted ${at}`, { at, community });
    await like(c, 1, community);
    out.push(c);
  }
  return out;
}
const entryIds = (n = 0) => h.publisher.digests[n]!.digest!.entries.map((e) => e.creationId);

describe("the catch-up digest after downtime", () => {
  it("is built after the start-up reconciliation has corrected the counts", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0, perMemberDaily: 100 } });
    const early = await h.createPosted("u-artist", "early", { at: "2026-11-25T10:00:00Z" });
    const late = await h.createPosted("u-artist", "late", { at: "2026-11-25T11:00:00Z" });
    for (const [c, fan] of [[early, "u-ana"], [late, "u-ben"]] as const) {
      h.publisher.react(c.galleryMessageId!, fan, "👍");
      await reactAs(c, fan);
    }
    // While the bot was down, three members liked the later post: it is the day's top creation, not the earlier one.
    for (const fan of ["u-x", "u-y", "u-z"]) h.publisher.react(late.galleryMessageId!, fan, "🎉");
    h.clock.set("2026-11-26T12:00:00Z");

    const slow = h.publisher.holdFetch();
    const reconciling = h.salon.reconcileAll();
    // The scheduler's first tick comes while the reconciliation reads the platform: the digest waits.
    expect(await h.salon.publishDueDigests()).toBe(0);
    await slow.started;
    expect(await h.salon.publishDueDigests()).toBe(0);
    slow.release();
    await reconciling;

    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(entryIds()).toEqual([late.id, early.id]);
    expect(h.publisher.digests[0]!.digest!.entries.map((e) => e.likeCount)).toEqual([4, 1]);
  });
});

describe("the daily digest", () => {
  it("posts the top N of the previous local day, bounded by local midnights, at the digest time", async () => {
    await h.setUp({ timezone: "Europe/Paris", digestChannelId: DIGEST_CHANNEL, limits: { cooldownSeconds: 0, perMemberDaily: 100 } });
    // Paris is UTC+1 in November: 25 November runs from 24 Nov 23:00Z to 25 Nov 23:00Z.
    const before = await h.createPosted("u-a", "the evening before", { at: "2026-11-24T22:59:59Z" });
    const first = await h.createPosted("u-b", "first second of the day", { at: "2026-11-24T23:00:00Z" });
    const mids = [];
    for (let i = 0; i < 4; i++) mids.push(await h.createPosted(`u-m${i}`, `midday ${i}`, { at: `2026-11-25T1${i}:00:00Z` }));
    const last = await h.createPosted("u-c", "last second of the day", { at: "2026-11-25T22:59:59Z" });
    const after = await h.createPosted("u-d", "the next day", { at: "2026-11-25T23:00:00Z" });
    await like(before, 9);
    await like(after, 8);
    await like(first, 7);
    await like(last, 6);
    for (const [i, m] of mids.entries()) await like(m, 5 - i); // 5, 4, 3, 2

    h.clock.set("2026-11-26T07:59:00Z"); // 08:59 in Paris
    await h.salon.publishDueDigests();
    // Before 09:00 only the day before is due (a catch-up, as it was never posted): the 25th waits for its time.
    expect(h.publisher.digests.map((d) => d.digest!.day)).toEqual(["2026-11-24"]);
    expect(entryIds(0)).toEqual([before.id]);
    expect(await digestStatus("2026-11-25")).toBeNull();

    h.clock.set("2026-11-26T08:00:00Z"); // 09:00 in Paris
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(h.publisher.digests).toHaveLength(2);
    const message = h.publisher.digests[1]!;
    expect(message.channelId).toBe(DIGEST_CHANNEL);
    expect(message.digest).toMatchObject({ day: "2026-11-25", title: "25 November 2026" });
    expect(entryIds(1)).toEqual([first.id, last.id, mids[0]!.id, mids[1]!.id, mids[2]!.id]);
    expect(message.digest!.entries.map((e) => [e.rank, e.likeCount])).toEqual([[1, 7], [2, 6], [3, 5], [4, 4], [5, 3]]);
    expect(message.digest!.entries[0]).toMatchObject({ url: first.galleryUrl, authorUserId: "u-b", prompt: "first second of the day" });
    expect(message.collage?.mimeType).toBe("image/png");
    expect(h.collage.renders).toEqual([1, 5]);
    expect(await digestStatus("2026-11-25")).toBe("posted");
  });

  it("covers exactly the 23 hours of a spring-forward day (Europe/Paris, 29 March 2026)", async () => {
    await h.setUp({ timezone: "Europe/Paris", limits: { cooldownSeconds: 0, perMemberDaily: 100 } });
    const [, start, end] = await likedAt([
      "2026-03-28T22:59:59Z", // 28 March 23:59:59 CET
      "2026-03-28T23:00:00Z", // 29 March 00:00:00 CET
      "2026-03-29T21:59:59Z", // 29 March 23:59:59 CEST
      "2026-03-29T22:00:00Z", // 30 March 00:00:00 CEST
    ]);
    h.clock.set("2026-03-30T07:00:00Z"); // 09:00 CEST
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(h.publisher.digests[0]!.digest).toMatchObject({ day: "2026-03-29", title: "29 March 2026" });
    expect(entryIds()).toEqual([start!.id, end!.id]);
    expect(h.publisher.digests[0]!.digest!.summary.creations).toBe(2);
  });

  it("covers exactly the 25 hours of a fall-back day (Europe/Paris, 25 October 2026)", async () => {
    await h.setUp({ timezone: "Europe/Paris", limits: { cooldownSeconds: 0, perMemberDaily: 100 } });
    const [, start, end] = await likedAt([
      "2026-10-24T21:59:59Z", // 24 October 23:59:59 CEST
      "2026-10-24T22:00:00Z", // 25 October 00:00:00 CEST
      "2026-10-25T22:59:59Z", // 25 October 23:59:59 CET
      "2026-10-25T23:00:00Z", // 26 October 00:00:00 CET
    ]);
    h.clock.set("2026-10-26T08:00:00Z"); // 09:00 CET
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(h.publisher.digests[0]!.digest).toMatchObject({ day: "2026-10-25", title: "25 October 2026" });
    expect(entryIds()).toEqual([start!.id, end!.id]);
  });

  it("posts exactly once per community and day when two instances publish at the same time, and never again", async () => {
    const communities = ["guild-1", "guild-2", "guild-3"];
    for (const community of communities) {
      await h.setUp({ community, limits: { cooldownSeconds: 0 } });
      await likedAt(["2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z"], community);
    }
    const second = await openSecondStore(h.url);
    const other = await buildSalon({
      database: { ...second, url: h.url },
      clock: h.clock,
      publisher: h.publisher, // one platform, two bot processes
      files: h.files,
      options: { instanceId: "instance-b" },
    });
    try {
      h.clock.set("2026-11-26T09:00:00Z");
      const counts = await Promise.all([h.salon.publishDueDigests(), other.salon.publishDueDigests(), h.salon.publishDueDigests(), other.salon.publishDueDigests()]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
      expect(h.publisher.digests.map((d) => d.communityExternalId).sort()).toEqual(communities);
      expect(h.logger.at("error")).toEqual([]);
      expect(other.logger.at("error")).toEqual([]);

      h.clock.set("2026-11-26T10:00:00Z");
      expect(await other.salon.publishDueDigests()).toBe(0);
      expect(await h.salon.publishDueDigests()).toBe(0);
      expect(h.publisher.digests).toHaveLength(3);
    } finally {
      await other.cleanup();
      await second.close();
    }
  });

  it("does not post again a digest whose process died after posting it, once its claim is taken over", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    await likedAt(["2026-11-25T10:00:00Z"]);
    h.clock.set("2026-11-26T09:00:00Z");
    const community = await h.community();
    // The crashed process claimed the digest, posted it, and died before recording it.
    expect(await h.store.claimDigest(community.id, "2026-11-25", "instance-crashed", h.clock.now(), DIGEST_LEASE_MS)).toBe(true);
    const digest = await buildDigest(h.deps, community, "2026-11-25");
    const made = await h.publisher.postDigest({ community, channelId: GALLERY, digest, collage: null });
    expect(await h.salon.publishDueDigests()).toBe(0); // its claim still holds

    h.clock.set(new Date(h.clock.now().getTime() + DIGEST_LEASE_MS + 1));
    await h.salon.publishDueDigests();

    expect(h.publisher.digests).toHaveLength(1);
    expect(h.publisher.lookups).toEqual(["digest:2026-11-25"]);
    const row = await h.db.prisma.digest.findUniqueOrThrow({ where: { communityId_day: { communityId: community.id, day: "2026-11-25" } } });
    expect(row).toMatchObject({ status: "posted", messageId: made.messageId });
  });

  it("posts nothing for a day without liked creations", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    await h.createPosted("u-a", "unloved", { at: "2026-11-25T10:00:00Z" });
    const selfLiked = await h.createPosted("u-b", "only my own like", { at: "2026-11-25T11:00:00Z" });
    await reactAs(selfLiked, "u-b");
    await reactAs(selfLiked, "u-bot", "👍", undefined, true);
    h.clock.set("2026-11-26T09:00:00Z");
    expect(await h.salon.publishDueDigests()).toBe(0);
    expect(h.publisher.digests).toHaveLength(0);
    expect(await digestStatus("2026-11-25")).toBe("empty");
    expect(h.collage.renders).toEqual([]);
  });

  it("catches up a digest missed while the bot was down on the first call after it comes back", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    const [c] = await likedAt(["2026-11-25T10:00:00Z"]);
    h.clock.set("2026-11-26T15:30:00Z"); // back up hours after 09:00
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(entryIds()).toEqual([c!.id]);
  });

  it("previews today's digest with day: today and records nothing", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    const [c] = await likedAt(["2026-11-25T10:00:00Z"]);
    h.clock.set("2026-11-25T18:00:00Z");
    const result = await h.salon.digest(admin(), "today", false);
    expect(result).toMatchObject({ status: "preview", digest: { day: "2026-11-25", entries: [expect.objectContaining({ creationId: c!.id })] } });
    expect(h.publisher.digests).toHaveLength(0);
    expect(await h.db.prisma.digest.count()).toBe(0);

    // Tomorrow the real digest of that day is still posted.
    h.clock.set("2026-11-26T09:00:00Z");
    expect(await h.salon.publishDueDigests()).toBe(1);
  });

  it("posts yesterday's digest on /salon digest without preview, once, and a preview records nothing", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    await likedAt(["2026-11-25T10:00:00Z"]);
    h.clock.set("2026-11-26T06:00:00Z");
    expect(await h.salon.digest(admin(), "yesterday", true)).toMatchObject({ status: "preview" });
    expect(await digestStatus("2026-11-25")).toBeNull();
    expect(await h.salon.digest(admin(), "yesterday")).toMatchObject({ status: "posted" });
    expect(await h.salon.digest(admin(), "yesterday")).toEqual({ status: "already" });
    h.clock.set("2026-11-26T09:00:00Z");
    expect(await h.salon.publishDueDigests()).toBe(0);
    expect(h.publisher.digests).toHaveLength(1);
    await expect(h.salon.digest(h.actor("u-member"), "today")).rejects.toMatchObject({ code: "not_admin" });
  });

  it("summarises the day: creations, distinct likers and the top creator", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    const p1 = await h.createPosted("u-a", "one", { at: "2026-11-25T10:00:00Z" });
    const p2 = await h.createPosted("u-b", "two", { at: "2026-11-25T11:00:00Z" });
    await h.createPosted("u-a", "three, unliked", { at: "2026-11-25T12:00:00Z" });
    for (const fan of ["u-f1", "u-f2", "u-f3"]) await reactAs(p1, fan);
    await reactAs(p1, "u-f1", "❤️");
    await reactAs(p1, "u-a"); // the author's own: not a like
    await reactAs(p2, "u-f1");
    await reactAs(p2, "u-a");
    await reactAs(p2, "u-troll");
    await h.salon.block(admin(), "u-troll");
    h.clock.set("2026-11-26T09:00:00Z");
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(h.publisher.digests[0]!.digest!.summary).toEqual({ creations: 3, likers: 4, topCreator: { userId: "u-a", likeCount: 3 } });
    expect(h.publisher.digests[0]!.digest!.entries.map((e) => [e.creationId, e.likeCount])).toEqual([
      [p1.id, 3],
      [p2.id, 2],
    ]);
  });

  it("releases its claim when the digest channel refuses the post, and posts on a later tick", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    await likedAt(["2026-11-25T10:00:00Z"]);
    h.publisher.setChannelProblem(GALLERY, "missing_access");
    h.clock.set("2026-11-26T09:00:00Z");
    expect(await h.salon.publishDueDigests()).toBe(0);
    expect(h.logger.at("error")).toHaveLength(1);
    h.publisher.setChannelProblem(GALLERY, null);
    h.clock.advance(60_000);
    expect(await h.salon.publishDueDigests()).toBe(1);
    expect(await digestStatus("2026-11-25")).toBe("posted");
  });
});
