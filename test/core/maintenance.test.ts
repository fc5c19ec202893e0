import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DELIVERY_RETENTION_MS, reconcileDue, REMOVAL_RETENTION_MS } from "../../src/core/maintenance.js";
import { buildSalon, type SalonHarness } from "../support/core-fakes.js";

let h: SalonHarness;
beforeEach(async () => {
  h = await buildSalon();
});
afterEach(async () => {
  await h.cleanup();
});

describe("periodic reconciliation", () => {
  it("gives each community its own minute of the period, spread across it", () => {
    const period = 60;
    const minuteOf = (id: number) => {
      const start = Date.UTC(2026, 10, 25, 12, 0);
      for (let m = 0; m < period; m++) if (reconcileDue({ id }, new Date(start + m * 60_000), period)) return m;
      throw new Error(`community ${id} is never due`);
    };
    const minutes = Array.from({ length: 600 }, (_, i) => minuteOf(i + 1));
    // Exactly one minute per period each; 600 communities spread over the hour, never more than a few per minute.
    const perMinute = new Map<number, number>();
    for (const m of minutes) perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
    expect(perMinute.size).toBe(period);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(20);
    expect(reconcileDue({ id: 7 }, new Date(), 0)).toBe(false);
  });

  it("re-reads a community's recent likes once per period, at its own minute, and corrects what events missed", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    const post = await h.createPosted("u-author", "a post");
    h.publisher.react(post.galleryMessageId!, "u-fan", "👍"); // the event never reached the bot
    const community = await h.community();

    let reads = 0;
    for (let minute = 0; minute < 120; minute++) {
      const fetchesBefore = h.publisher.fetches.length;
      const { reconciled } = await h.salon.maintain(60);
      if (reconciled) {
        reads++;
        expect(reconcileDue(community, h.clock.now(), 60)).toBe(true);
        expect(h.publisher.fetches.length).toBe(fetchesBefore + 1);
      }
      h.clock.advance(60_000);
    }
    expect(reads).toBe(2);
    expect((await h.creation(post.id)).likeCount).toBe(1);
  });

  it("forgets old deliveries and live removals every ten minutes, also with reconciliation turned off", async () => {
    const off = await buildSalon({ options: { reconcileDays: 0 } });
    try {
      const now = off.clock.now().getTime();
      await off.stores.deliveries.firstDelivery(["old"], new Date(now - DELIVERY_RETENTION_MS - 1));
      await off.stores.deliveries.firstDelivery(["recent"], new Date(now - 1_000));
      await off.setUp();
      const post = await off.createPosted("u-author", "a post");
      await off.stores.likes.setReaction(post.id, post.communityId, "u-1", "👍", false, { at: new Date(now - REMOVAL_RETENTION_MS - 1) });

      expect((await off.salon.maintain(60)).pruned).toBe(true);
      expect(await off.stores.deliveries.firstDelivery(["old"], off.clock.now())).toBe(true); // forgotten, so new again
      expect(await off.stores.deliveries.firstDelivery(["recent"], off.clock.now())).toBe(false);
      expect(await off.db.prisma.reactionRemoval.count()).toBe(0);
      // Not again within ten minutes.
      expect((await off.salon.maintain(60)).pruned).toBe(false);
      off.clock.advance(10 * 60_000);
      expect((await off.salon.maintain(60)).pruned).toBe(true);
    } finally {
      await off.cleanup();
    }
  });

  it("runs each due moment once across three schedulers on one database: one re-read per community and period, one prune per ten minutes", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    await h.setUp({ community: "guild-2" });
    const posts = [await h.createPosted("u-author", "a post"), await h.createPosted("u-author", "another post", { community: "guild-2" })];
    const others = await Promise.all(["instance-b", "instance-c"].map((instanceId) => buildSalon({ database: { db: h.db, stores: h.stores, url: h.url }, clock: h.clock, publisher: h.publisher, options: { instanceId } })));
    try {
      const schedulers = [h, ...others];
      let pruned = 0;
      let reads = 0;
      for (let minute = 0; minute < 120; minute++) {
        // Every scheduler ticks at the same moment, as processes whose cron fires at second 0 do.
        const ticks = await Promise.all(schedulers.map((s) => s.salon.maintain(60)));
        pruned += ticks.filter((t) => t.pruned).length;
        reads += ticks.reduce((sum, t) => sum + (t.reconciled?.posts ?? 0), 0);
        h.clock.advance(60_000);
      }
      expect(pruned).toBe(12);
      // Each community's one post, re-read once per hour: two hours, two communities.
      expect(reads).toBe(2 * posts.length);
      expect(h.publisher.fetches).toHaveLength(2 * posts.length);
    } finally {
      for (const other of others) await other.cleanup();
    }
  });
});
