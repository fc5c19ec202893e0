import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Creation } from "../../src/core/types.js";
import { buildSalon, rankedCreations, type SalonHarness } from "../support/core-fakes.js";

let h: SalonHarness;
beforeEach(async () => {
  h = await buildSalon();
  await h.setUp({ limits: { cooldownSeconds: 0, perMemberDaily: 100 } });
});
afterEach(async () => {
  await h.cleanup();
});

let fans = 0;
/** `n` distinct members like the creation. */
async function like(c: Creation, n: number) {
  for (let i = 0; i < n; i++) {
    await h.salon.reaction({ community: h.ref(), channelId: c.galleryChannelId!, messageId: c.galleryMessageId!, kind: "add", userId: `u-fan-${++fans}`, emoji: "👍", isBot: false });
  }
}
const viewer = () => h.actor("u-viewer");

describe("/top", () => {
  it("ranks by likes, most first, and gives a tie to the earlier post even when it was created later", async () => {
    const later = await h.createPosted("u-a", "posted at eleven", { at: "2026-11-25T11:00:00Z" });
    const earlier = await h.createPosted("u-b", "posted at ten", { at: "2026-11-25T10:00:00Z" });
    const best = await h.createPosted("u-c", "posted at noon", { at: "2026-11-25T12:00:00Z" });
    await like(later, 1);
    await like(best, 2);
    await like(earlier, 1);
    const view = await h.salon.top(viewer(), "today");
    expect(view.by).toBe("creations");
    expect(rankedCreations(view).map((e) => [e.rank, e.creationId, e.likeCount])).toEqual([
      [1, best.id, 2],
      [2, earlier.id, 1],
      [3, later.id, 1],
    ]);
    expect(view.entries[0]).toMatchObject({ prompt: "posted at noon", authorUserId: "u-c", url: best.galleryUrl });
  });

  it("lists neither creations without likes nor deleted ones", async () => {
    await h.createPosted("u-a", "nobody likes me");
    const deleted = await h.createPosted("u-b", "deleted");
    const liked = await h.createPosted("u-c", "liked");
    await like(deleted, 3);
    await like(liked, 1);
    await h.salon.postsDeleted(h.ref(), deleted.galleryChannelId!, [deleted.galleryMessageId!]);
    const view = await h.salon.top(viewer(), "all");
    expect(rankedCreations(view).map((e) => e.creationId)).toEqual([liked.id]);
  });

  it("ranks creators by the sum of likes their creations received", async () => {
    const a1 = await h.createPosted("u-a", "a one");
    const a2 = await h.createPosted("u-a", "a two");
    const b1 = await h.createPosted("u-b", "b one");
    await h.createPosted("u-c", "c unliked");
    await like(a1, 2);
    await like(a2, 1);
    await like(b1, 2);
    const view = await h.salon.top(viewer(), "week", "creators");
    expect(view.entries).toEqual([
      { rank: 1, userId: "u-a", likeCount: 3, creations: 2, bestUrl: a1.galleryUrl },
      { rank: 2, userId: "u-b", likeCount: 2, creations: 1, bestUrl: b1.galleryUrl },
    ]);
  });

  it("windows today, week (7 local days), month (30) and all", async () => {
    const old = await h.createPosted("u-a", "ten days ago", { at: "2026-11-15T12:00:00Z" });
    const sixDays = await h.createPosted("u-b", "six days ago", { at: "2026-11-19T00:00:00Z" });
    const now = await h.createPosted("u-c", "today", { at: "2026-11-25T12:00:00Z" });
    await like(old, 3);
    await like(sixDays, 2);
    await like(now, 1);
    const ids = async (period: "today" | "week" | "month" | "all") => rankedCreations(await h.salon.top(viewer(), period)).map((e) => e.creationId);
    expect(await ids("today")).toEqual([now.id]);
    expect(await ids("week")).toEqual([sixDays.id, now.id]);
    expect(await ids("month")).toEqual([old.id, sixDays.id, now.id]);
    expect(await ids("all")).toEqual([old.id, sixDays.id, now.id]);
    // The default is the week.
    expect(rankedCreations(await h.salon.top(viewer())).map((e) => e.creationId)).toEqual([sixDays.id, now.id]);
  });
});

describe("/profile", () => {
  it("shows creations, likes received, the best creation, this week's rank and the daily streak", async () => {
    const gap = await h.createPosted("u-a", "before the gap", { at: "2026-11-21T09:00:00Z" });
    await h.createPosted("u-a", "day one", { at: "2026-11-23T09:00:00Z" });
    const top = await h.createPosted("u-a", "day two", { at: "2026-11-24T09:00:00Z" });
    await h.createPosted("u-a", "day three", { at: "2026-11-25T09:00:00Z" });
    const rival = await h.createPosted("u-b", "rival", { at: "2026-11-25T10:00:00Z" });
    await like(gap, 1);
    await like(top, 3);
    await like(rival, 5);
    h.clock.set("2026-11-25T12:00:00Z");

    expect(await h.salon.profile(viewer(), "u-a")).toEqual({
      userId: "u-a",
      creations: 4,
      likesReceived: 4,
      best: { url: top.galleryUrl, prompt: "day two", title: null, likeCount: 3 },
      weekRank: 2,
      streakDays: 3,
      remixesMade: 0,
      remixesReceived: 0,
    });
    expect(await h.salon.profile(h.actor("u-b"))).toMatchObject({ userId: "u-b", creations: 1, likesReceived: 5, weekRank: 1, streakDays: 1 });
  });

  it("keeps a streak alive until the day without a creation is over", async () => {
    await h.createPosted("u-a", "monday", { at: "2026-11-23T09:00:00Z" });
    await h.createPosted("u-a", "tuesday", { at: "2026-11-24T09:00:00Z" });
    h.clock.set("2026-11-25T23:59:00Z");
    expect((await h.salon.profile(h.actor("u-a"))).streakDays).toBe(2);
    h.clock.set("2026-11-26T00:01:00Z");
    expect((await h.salon.profile(h.actor("u-a"))).streakDays).toBe(0);
  });

  it("shows an empty profile for a member with no creations", async () => {
    expect(await h.salon.profile(h.actor("u-new"))).toEqual({ userId: "u-new", creations: 0, likesReceived: 0, best: null, weekRank: null, streakDays: 0, remixesMade: 0, remixesReceived: 0 });
  });
});
