/**
 * Reconciliation on Discord: it reads the platform while the gateway is live (at every start-up, periodically, and on
 * `/salon recount`), so reactions added or removed between the read and the correction must survive it; and it runs
 * periodically, because the gateway never redelivers an event that was lost.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCommunity, adminCommand, createPost, likeCountOf, startHarness, storedReactionsOf, type Community, type Harness } from "../support/harness.js";
import { MovableClock } from "../support/movable-clock.js";

describe("periodic reconciliation on Discord", () => {
  it("corrects, without a restart or a command, a reaction whose gateway event was lost", async () => {
    // Every community is due every minute; the maintenance tick runs every second here instead of every minute.
    const clock = new MovableClock(new Date());
    const p = await startHarness({ clock, env: { RECONCILE_EVERY_MINUTES: "1" }, start: { maintenance: true, maintenanceSchedule: "* * * * * *" } });
    try {
      const pc = await addCommunity(p);
      const [ana, ben] = pc.members;
      const post = await createPost(p, pc, ana!, "seen by all");
      p.discord.react(pc.gallery.id, post.id, ben!.id, "👍", { silent: true }); // Discord never tells the bot
      // Each community's re-read is claimed once per minute of the period: this minute's may have run before the
      // reaction, so the next one is the minute after.
      clock.advance(60_000);

      await expect.poll(() => likeCountOf(p.running, pc, post.id), { timeout: 10_000 }).toBe(1);
      expect(p.logs.some((l) => l.component === "maintenance-scheduler" && l.level === "error")).toBe(false);
    } finally {
      await p.close();
    }
  });
});

let h: Harness;
let c: Community;

beforeEach(async () => {
  h = await startHarness();
  c = await addCommunity(h, "Salon HQ", ["ana", "ben", "chloe", "dev", "eve"]);
});
afterEach(async () => {
  await h.close();
});

describe("reconciliation on Discord beside live reactions", () => {
  it("ends with the exact count when reactions are added and removed while a slow /salon recount reads the same post", async () => {
    const [ana, ben, chloe, dev, eve] = c.members;
    const post = await createPost(h, c, ana!, "a busy post");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(2);

    // The recount's read of the 👍 users is answered by Discord ({ben, chloe}), then held on its way back.
    const slow = h.discord.hold({ method: "GET", pathPattern: new RegExp(`^/channels/${c.gallery.id}/messages/${post.id}/reactions/`), phase: "after" });
    const recount = adminCommand(h, c, "recount");
    await slow.arrived;

    h.discord.react(c.gallery.id, post.id, dev!.id, "👍");
    h.discord.react(c.gallery.id, post.id, eve!.id, "🎉");
    h.discord.unreact(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(3);
    slow.release();
    expect(await recount).toMatch(/^Re-read the likes of 1 recent post/);

    // Discord shows chloe, dev and eve now; so does Salon.
    expect(await likeCountOf(h.running, c, post.id)).toBe(3);
    expect(await storedReactionsOf(h.running, c, ben!.id)).toEqual([]);
    expect(await storedReactionsOf(h.running, c, dev!.id)).toHaveLength(1);
    expect(await storedReactionsOf(h.running, c, eve!.id)).toHaveLength(1);
    // The next recount reads after those events and agrees.
    expect(await adminCommand(h, c, "recount")).toContain("0 corrected");
  });
});
