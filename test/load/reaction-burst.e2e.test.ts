/**
 * Load, bounded: 5,000 reaction events in one burst through the loopback Discord gateway (real discord.js, real
 * SQLite): adds and removals by 40 members, two bots and the authors, on 10 gallery posts, with duplicated
 * deliveries (a gateway replay), three blocked members and a custom emoji. When the burst has been handled, every
 * stored like count equals what the platform shows, counted by the rules (distinct members, not bots, not the
 * author, not blocked), and stays there.
 *
 * The gateway reaction handlers once ran concurrently, one promise per event, and a remove-all or remove-emoji
 * reached the database in fewer steps than an add, overtaking adds delivered before it (a post showing 4 likes was
 * stored with 29). The adapter now applies one message's events in delivery order; the second test reproduces the
 * old race. Set REACTION_BULK=1 to put remove-all and remove-emoji events in the burst.
 */
import { PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser } from "../support/discord/types.js";
import { addCommunity, adminCommand, createPost, startHarness, type Harness } from "../support/harness.js";
import { snapshotCommunity } from "../isolation/community-snapshot.js";

const EVENTS = Number(process.env.REACTION_EVENTS ?? 5_000);
const MEMBERS = 40;
const POSTS = 10;
const EMOJI = ["👍", "🔥", "❤️", "party:1180000000000000001"];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Deterministic pseudo-random numbers (the test must not depend on luck). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function burst(events: number, bulk: boolean): Promise<void> {
  h = await startHarness();
  const c = await addCommunity(h, "Reactors", Array.from({ length: MEMBERS }, (_, i) => `fan${String(i + 1).padStart(2, "0")}`));
  const bots = [h.discord.addUser({ username: "other-bot", bot: true }), h.discord.addUser({ username: "spam-bot", bot: true })];
  for (const bot of bots) h.discord.addMember(c.guild.id, bot.id, { permissions: PermissionFlagsBits.SendMessages });
  expect(await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }])).toContain("0 s cooldown");
  const authors = c.members.slice(0, POSTS);
  const posts: FakeMessage[] = [];
  for (const [i, author] of authors.entries()) posts.push(await createPost(h, c, author, `crowd favourite #${i + 1}`));
  const blocked = c.members.slice(MEMBERS - 3);
  for (const member of blocked) expect(await adminCommand(h, c, "block", [{ type: 6, name: "member", value: member.id }])).toContain("is blocked");

  // The burst, written to the gateway back to back. The fake only sends an event when the platform changed (as
  // Discord does), so the platform's own state is tracked to count what is sent.
  const next = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const reactors: FakeUser[] = [...c.members, ...bots];
  const shown = new Set<string>(); // `${post}|${user}|${emoji}` on the platform
  const counts = { add: 0, remove: 0, duplicate: 0, removeAll: 0, removeEmoji: 0 };
  let sent = 0;
  let last = false;
  const started = performance.now();
  while (sent < events) {
    const p = Math.floor(next() * POSTS);
    const post = posts[p]!;
    const roll = next();
    if (roll < 0.12 && last) {
      h.discord.replayLastDispatch();
      counts.duplicate++;
    } else if (roll < 0.121 && bulk) {
      h.discord.removeAllReactions(c.gallery.id, post.id);
      for (const key of [...shown]) if (key.startsWith(`${p}|`)) shown.delete(key);
      counts.removeAll++;
    } else if (roll < 0.124 && bulk) {
      const emoji = pick(EMOJI);
      const had = [...shown].filter((key) => key.startsWith(`${p}|`) && key.endsWith(`|${emoji}`));
      if (had.length === 0) continue;
      h.discord.removeEmoji(c.gallery.id, post.id, emoji);
      for (const key of had) shown.delete(key);
      counts.removeEmoji++;
    } else {
      const user = next() < 0.05 ? authors[p]! : pick(reactors);
      const emoji = pick(EMOJI);
      const key = `${p}|${user.id}|${emoji}`;
      if (roll < 0.75) {
        if (shown.has(key)) continue;
        h.discord.react(c.gallery.id, post.id, user.id, emoji);
        shown.add(key);
        counts.add++;
      } else {
        if (!shown.has(key)) continue;
        h.discord.unreact(c.gallery.id, post.id, user.id, emoji);
        shown.delete(key);
        counts.remove++;
      }
    }
    last = true;
    sent++;
    if (sent % 500 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the socket drain
  }
  const burstMs = performance.now() - started;

  // What the platform shows, counted by the rules.
  const excluded = new Set([...bots, ...blocked].map((u) => u.id));
  const expected = posts.map((post, i) => {
    const likers = new Set(h!.discord.getMessage(post.id)!.reactions.flatMap((r) => r.userIds));
    for (const id of excluded) likers.delete(id);
    likers.delete(authors[i]!.id);
    return likers.size;
  });
  const stored = async () => {
    const rows = (await snapshotCommunity(h!.config.database.url, "discord", c.guild.id)).creations;
    return posts.map((post) => rows.find((r) => r.galleryMessageId === post.id)!.likeCount as number);
  };
  // Wait until the counts are right, or have not moved for 3 s (the burst is handled), 60 s at most.
  const deadline = Date.now() + 60_000;
  let previous = "";
  let stillSince = Date.now();
  for (;;) {
    const now = JSON.stringify(await stored());
    if (now === JSON.stringify(expected) || Date.now() > deadline || Date.now() - stillSince > 3_000) break;
    if (now !== previous) [previous, stillSince] = [now, Date.now()];
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const settledMs = performance.now() - started;
  expect(await stored()).toEqual(expected);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await stored()).toEqual(expected);

  // Nothing of the bots is stored; the blocked members' reactions are stored but counted by no one.
  const db = await snapshotCommunity(h.config.database.url, "discord", c.guild.id);
  const memberIds = new Map(db.members.map((m) => [m.id, m.userId as string]));
  expect(db.reactions.filter((r) => bots.some((b) => b.id === memberIds.get(r.memberId as number)))).toEqual([]);
  const storedKeys = new Set(db.reactions.map((r) => `${posts.findIndex((p) => db.creations.find((x) => x.id === r.creationId)?.galleryMessageId === p.id)}|${memberIds.get(r.memberId as number)}|${r.emoji}`));
  const humanShown = new Set([...shown].filter((key) => !bots.some((b) => key.includes(`|${b.id}|`))));
  expect([...storedKeys].sort()).toEqual([...humanShown].sort());

  console.log(
    [
      `reactions: ${sent} events (${counts.add} adds, ${counts.remove} removals, ${counts.duplicate} duplicates, ${counts.removeAll} remove-all, ${counts.removeEmoji} remove-emoji) written in ${burstMs.toFixed(0)} ms`,
      `like counts exact after ${(settledMs / 1000).toFixed(1)} s (${((sent * 1000) / settledMs).toFixed(0)} events/s): ${JSON.stringify(expected)}`,
    ].join("\n"),
  );
}

describe("load: a burst of reactions on Discord", () => {
  it(`leaves exact like counts after ${EVENTS} reaction events with duplicates, removals, bots, authors and blocked members`, () => burst(EVENTS, process.env.REACTION_BULK === "1"), 120_000);

  it("applies a remove-all after the adds delivered before it", async () => {
    h = await startHarness();
    const c = await addCommunity(h, "Order", Array.from({ length: 40 }, (_, i) => `fan${i}`));
    await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
    const post = await createPost(h, c, c.members[0]!, "ordered");
    for (const m of c.members.slice(1)) h.discord.react(c.gallery.id, post.id, m.id, "👍");
    h.discord.removeAllReactions(c.gallery.id, post.id);
    for (const m of c.members.slice(1, 6)) h.discord.react(c.gallery.id, post.id, m.id, "🔥");
    const likes = async () => (await snapshotCommunity(h!.config.database.url, "discord", c.guild.id)).creations[0]!.likeCount;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await likes()).toBe(5);
  }, 60_000);
});
