/**
 * Soak, bounded: a simulated week (28 October – 4 November 2026, across the end of US daylight saving time) under a
 * fake clock, with the real core over a real SQLite store (core fakes). Three communities (UTC 09:00, New York 08:30,
 * Kolkata 21:15); every five simulated minutes two instances run the digest scheduler (one of them twice at once, as a
 * timer firing twice); members create, like, unlike, replay events, bots and authors react; reactions also change
 * while the bot is offline and are reconciled at each daily restart; members are blocked and unblocked, one forgets
 * themselves, a moderator deletes a post, and the bot is down for four hours over one digest time.
 *
 * At the end: every like count equals what the platform shows, counted by the rules (the forgotten member's reactions
 * left on the platform count only once they react again while the bot listens); every community has exactly one
 * digest row per local day and at most one digest message per day, each posted within a minute of its time (the one
 * missed during the outage right after the bot came back), listing that day's best creations in order.
 */
import { afterAll, describe, expect, it } from "vitest";
import { dueDay } from "../../src/core/digest.js";
import { addDays, localDay, localTimeOn } from "../../src/core/time.js";
import type { Creation } from "../../src/core/types.js";
import { buildSalon, FakeClock, type SalonHarness } from "../support/core-fakes.js";
import { snapshotCommunity } from "../isolation/community-snapshot.js";

const START = Date.parse("2026-10-28T00:00:00Z");
const END = Date.parse("2026-11-04T00:00:00Z");
const MINUTE = 60_000;
/** The scheduler's tick. Every digest time here (and the outage's end) falls on it, so "within a minute" is exact. */
const TICK = 5 * MINUTE;
const HOUR = 60 * MINUTE;
const COMMUNITIES = [
  { id: "soak-utc", timezone: "UTC", digestTime: "09:00" },
  { id: "soak-new-york", timezone: "America/New_York", digestTime: "08:30" },
  { id: "soak-kolkata", timezone: "Asia/Kolkata", digestTime: "21:15" },
];
const MEMBERS = Array.from({ length: 8 }, (_, i) => `u-${i + 1}`);
const BOTS = ["b-salon", "b-other"];
const EMOJI = ["👍", "🔥", "🎉"];
/** The bot is down (no ticks, no events) from 11:00 to 15:00 UTC on 31 October: New York's 08:30 EDT digest (12:30Z) is missed. */
const OUTAGE = { from: Date.parse("2026-10-31T11:00:00Z"), to: Date.parse("2026-10-31T15:00:00Z") };

let a: SalonHarness | undefined;
let b: SalonHarness | undefined;
afterAll(async () => {
  await b?.cleanup();
  await a?.cleanup();
});

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("soak: a simulated week", () => {
  it("ends with exact like counts and exactly one digest per community and day, each on time", async () => {
    const clock = new FakeClock(new Date(START));
    a = await buildSalon({ clock, options: { instanceId: "instance-a" } });
    b = await buildSalon({ clock, database: { db: a.db, stores: a.stores, url: a.url }, publisher: a.publisher, files: a.files, options: { instanceId: "instance-b" } });
    const { salon, publisher } = a;
    for (const c of COMMUNITIES) await a.setUp({ community: c.id, timezone: c.timezone, digestTime: c.digestTime, limits: { cooldownSeconds: 0 } });

    const next = random(11);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const posts: Array<{ community: string; creation: Creation }> = [];
    const blocked = new Map<string, Set<string>>(COMMUNITIES.map((c) => [c.id, new Set<string>()]));
    const admin = (community: string) => a!.actor("u-admin", { admin: true, community });
    const digestPostedAt = new Map<string, number>(); // `${community}|${day}` → when the message appeared
    const counts = { ticks: 0, creations: 0, events: 0, offline: 0, reconciles: 0 };
    let lastEvent: Parameters<typeof salon.reaction>[0] | null = null;
    // The forgotten member's reactions still on the platform when they were forgotten (`messageId|emoji`): recounts
    // skip them until the member adds one again while the bot listens.
    const FORGOTTEN = { community: "soak-new-york", userId: "u-3" };
    const forgotten = new Set<string>();
    const deliver = async (event: Parameters<typeof salon.reaction>[0]) => {
      if (event.kind === "add" && event.userId === FORGOTTEN.userId && event.community.externalId === FORGOTTEN.community) forgotten.delete(`${event.messageId}|${event.emoji}`);
      await salon.reaction(event);
    };

    const react = async (post: { community: string; creation: Creation }, userId: string, emoji: string, add: boolean, isBot = false) => {
      const m = publisher.message(post.creation.galleryMessageId!);
      if (m.deleted) return;
      if (add) publisher.react(m.messageId, userId, emoji, isBot);
      else publisher.unreact(m.messageId, userId, emoji);
      lastEvent = { community: a!.ref(post.community), channelId: m.channelId, messageId: m.messageId, kind: add ? "add" : "remove", userId, emoji, isBot };
      await deliver(lastEvent);
      counts.events++;
    };
    const recentPosts = () => posts.filter((p) => !publisher.message(p.creation.galleryMessageId!).deleted && clock.now().getTime() - p.creation.postedAt!.getTime() < 2 * 24 * HOUR);

    for (let t = START; t < END; t += TICK) {
      if (t >= OUTAGE.from && t < OUTAGE.to) continue;
      clock.set(new Date(t));
      const at = new Date(t);
      const hour = at.getUTCHours();
      const minute = at.getUTCMinutes();

      if (minute === 0 && [6, 10, 16, 20].includes(hour)) {
        // Members create, and like what is recent.
        for (const c of COMMUNITIES) {
          const author = pick(MEMBERS);
          if (blocked.get(c.id)!.has(author)) continue;
          const creation = await a.createPosted(author, `${c.id} ${at.toISOString()} by ${author}`, { community: c.id });
          posts.push({ community: c.id, creation });
          counts.creations++;
        }
        for (let i = 0; i < 25 && recentPosts().length > 0; i++) {
          const post = pick(recentPosts());
          const roll = next();
          if (roll < 0.1 && lastEvent) {
            await deliver(lastEvent); // a duplicated delivery
            counts.events++;
          } else if (roll < 0.15) await react(post, pick(BOTS), pick(EMOJI), next() < 0.8, true);
          else if (roll < 0.2) await react(post, post.creation.authorUserId, pick(EMOJI), true);
          else await react(post, pick(MEMBERS), pick(EMOJI), roll < 0.8);
        }
      }
      if (minute === 0 && hour === 2) {
        // While the bot is offline for its nightly restart, reactions come and go unseen.
        for (let i = 0; i < 10 && recentPosts().length > 0; i++) {
          const post = pick(recentPosts());
          const user = pick(MEMBERS);
          const emoji = pick(EMOJI);
          if (next() < 0.6) publisher.react(post.creation.galleryMessageId!, user, emoji);
          else publisher.unreact(post.creation.galleryMessageId!, user, emoji);
          counts.offline++;
        }
      }
      if (minute === 0 && hour === 3) {
        await salon.reconcileAll(); // start-up reconciliation after the restart
        counts.reconciles++;
      }
      if (t === Date.parse("2026-10-30T12:00:00Z")) {
        await salon.block(admin("soak-utc"), "u-2");
        blocked.get("soak-utc")!.add("u-2");
      }
      if (t === Date.parse("2026-11-02T12:00:00Z")) {
        await salon.unblock(admin("soak-utc"), "u-2");
        blocked.get("soak-utc")!.delete("u-2");
        await salon.block(admin("soak-kolkata"), "u-5");
        blocked.get("soak-kolkata")!.add("u-5");
      }
      if (t === Date.parse("2026-11-01T18:00:00Z")) {
        await salon.forget(a.actor(FORGOTTEN.userId, { community: FORGOTTEN.community }));
        for (const post of posts.filter((p) => p.community === FORGOTTEN.community && p.creation.authorUserId !== FORGOTTEN.userId)) {
          const m = publisher.message(post.creation.galleryMessageId!);
          for (const r of m.reactions.values()) if (r.userId === FORGOTTEN.userId && !m.deleted) forgotten.add(`${m.messageId}|${r.emoji}`);
        }
      }
      if (t === Date.parse("2026-10-29T17:00:00Z")) {
        const post = posts.find((p) => p.community === "soak-utc")!;
        publisher.deleteMessage(post.creation.galleryMessageId!);
        await salon.postsDeleted(a.ref("soak-utc"), post.creation.galleryChannelId!, [post.creation.galleryMessageId!]);
      }

      // The scheduler's tick: on two instances, one of whose timers fires twice.
      const before = publisher.digests.length;
      await Promise.all([salon.publishDueDigests(), salon.publishDueDigests(), b.salon.publishDueDigests()]);
      counts.ticks++;
      for (const m of publisher.digests.slice(before)) {
        const key = `${m.communityExternalId}|${m.digest!.day}`;
        expect(digestPostedAt.has(key), `second digest for ${key}`).toBe(false);
        digestPostedAt.set(key, t);
        // What it lists: that day's liked creations, most liked first, ties to the earlier post, five at most.
        const entries = m.digest!.entries;
        expect(entries.length).toBeLessThanOrEqual(5);
        const community = COMMUNITIES.find((c) => c.id === m.communityExternalId)!;
        for (const e of entries) expect(localDay(e.postedAt, community.timezone)).toBe(m.digest!.day);
        for (let i = 1; i < entries.length; i++) {
          const [p, q] = [entries[i - 1]!, entries[i]!];
          expect(p.likeCount > q.likeCount || (p.likeCount === q.likeCount && p.postedAt <= q.postedAt)).toBe(true);
        }
        for (const e of entries) expect(e.likeCount).toBe((await a.creation(e.creationId)).likeCount);
      }
    }
    clock.set(new Date(END));

    // Exact like counts: what the platform shows, by the rules (no bots, not the author, not blocked).
    for (const post of posts) {
      const stored = await a.creation(post.creation.id);
      const m = publisher.message(post.creation.galleryMessageId!);
      if (stored.status !== "posted") {
        expect(m.deleted, `creation ${stored.id} is ${stored.status}`).toBe(true);
        continue;
      }
      const likers = new Set(
        [...m.reactions.values()]
          .filter((r) => !r.isBot && r.userId !== stored.authorUserId && !blocked.get(post.community)!.has(r.userId))
          .filter((r) => !(post.community === FORGOTTEN.community && r.userId === FORGOTTEN.userId && forgotten.has(`${m.messageId}|${r.emoji}`)))
          .map((r) => r.userId),
      );
      expect(stored.likeCount, `likes of ${stored.prompt}`).toBe(likers.size);
    }

    // Exactly one digest row per community and local day, from the first due day to the last; at most one message.
    for (const c of COMMUNITIES) {
      const community = await a.community(c.id);
      const rows = (await snapshotCommunity(a.url, "discord", c.id)).digests;
      const firstDay = dueDay(community, new Date(START));
      const lastDay = dueDay(community, new Date(END - TICK));
      const days: string[] = [];
      for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) days.push(day);
      expect(rows.map((r) => r.day)).toEqual(days);
      for (const row of rows) expect(["posted", "empty"]).toContain(row.status);
      const messages = publisher.digests.filter((m) => m.communityExternalId === c.id);
      expect(messages.map((m) => m.digest!.day)).toEqual(rows.filter((r) => r.status === "posted").map((r) => r.day));
      // On time: within a minute of the digest time the next day, or right after the outage for the day it hid.
      for (const row of rows.filter((r) => r.status === "posted")) {
        const due = localTimeOn(addDays(row.day as string, 1), c.digestTime, c.timezone).getTime();
        const posted = digestPostedAt.get(`${c.id}|${row.day}`)!;
        if (due >= OUTAGE.from && due < OUTAGE.to) {
          expect(posted, `${c.id} ${row.day} after the outage`).toBe(OUTAGE.to);
        } else {
          expect(posted - due, `${c.id} ${row.day} on time`).toBeGreaterThanOrEqual(0);
          expect(posted - due, `${c.id} ${row.day} on time`).toBeLessThan(MINUTE);
        }
      }
    }
    const outageDigest = [...digestPostedAt].find(([, t]) => t === OUTAGE.to);
    expect(outageDigest?.[0]).toBe("soak-new-york|2026-10-30");

    console.log(
      `soak: ${counts.ticks} scheduler ticks × 3 calls over 7 simulated days, ${counts.creations} creations, ${counts.events} reaction events, ` +
        `${counts.offline} offline changes, ${counts.reconciles} reconciliations, ${publisher.digests.length} digests (${[...digestPostedAt.keys()].join(", ")})`,
    );
  }, 180_000);
});
