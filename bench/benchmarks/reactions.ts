/**
 * Reaction ingest: 20,000 gateway reaction events (adds, redelivered duplicates, removals) on 40 gallery posts from
 * 1,000 members, sent as fast as the loopback gateway can write them. Rate = events ÷ (last event stored − first
 * dispatched); six rounds alternate which side goes first; each side's median rate is reported, and the ratio is the median of
 * the rounds' ratios (each round measures both sides back to back, so a burst of load on this shared machine hits one
 * round, not one side). Salon stores them through its real path (discord.js → recordReaction → Prisma/SQLite) and its like
 * counts must then equal the counts computed from the plan; the baseline is a bare discord.js handler that inserts
 * one row per event with better-sqlite3, and must have exactly one row per event. With a PostgreSQL server
 * (`--db postgres`) the same rounds run again with Salon on PostgreSQL beside a handler that inserts one row per event
 * with `pg`, each side on a scratch database of its own (`pg.reactions.*`).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { PlannedEvent } from "../lib/platform-host.js";
import type { BenchContext, BenchDatabase, Platform } from "../lib/context.js";
import { onEachDatabase, onDatabase, salonEnv, scratchFor, startChild, startPlatform } from "../lib/context.js";
import { figure } from "../lib/figures.js";
import { rng } from "../lib/random.js";
import type { Child } from "../lib/rpc.js";
import { median, round } from "../lib/stats.js";

const EMOJI = ["👍", "❤️", "🔥"];
const AUTHORS = 4;
const POSTS_PER_AUTHOR = 10;

/**
 * A deterministic mix of about 70 % adds, 15 % removals of a present reaction and 15 % redeliveries of the previous
 * event; once `cap` reactions are present, adds and removals alternate, so later rounds meet the same load as earlier.
 */
export function plan(events: number, posts: number, users: number, cap = 12_000, seed = 7): PlannedEvent[] {
  const random = rng(seed);
  const present = new Map<string, PlannedEvent>();
  const keys: string[] = [];
  const out: PlannedEvent[] = [];
  while (out.length < events) {
    const roll = random();
    if (roll < 0.15 && out.length > 0) {
      out.push({ ...out.at(-1)!, kind: "duplicate" });
    } else if (present.size > 0 && (roll < 0.3 || (present.size >= cap && roll < 0.65))) {
      const index = Math.floor(random() * keys.length);
      const key = keys[index]!;
      keys[index] = keys.at(-1)!;
      keys.pop();
      const e = present.get(key)!;
      present.delete(key);
      out.push({ ...e, kind: "remove" });
    } else {
      const e: PlannedEvent = { kind: "add", post: Math.floor(random() * posts), user: Math.floor(random() * users), emoji: EMOJI[Math.floor(random() * EMOJI.length)]! };
      const key = `${e.post}/${e.user}/${e.emoji}`;
      if (present.has(key)) continue;
      present.set(key, e);
      keys.push(key);
      out.push(e);
    }
  }
  return out;
}

/** What the plan leaves: reactions present, and likes per post (distinct members other than the post's author). */
function expected(events: PlannedEvent[], posts: number, authorOf: (post: number) => number) {
  const present = new Set<string>();
  for (const e of events) {
    const key = `${e.post}/${e.user}/${e.emoji}`;
    if (e.kind === "add") present.add(key);
    if (e.kind === "remove") present.delete(key);
  }
  const likers = Array.from({ length: posts }, () => new Set<number>());
  for (const key of present) {
    const [post, user] = key.split("/").map(Number) as [number, number];
    if (user !== authorOf(post)) likers[post]!.add(user);
  }
  return { reactions: present.size, likes: likers.map((s) => s.size) };
}

interface World {
  guildId: string;
  galleryId: string;
  adminId: string;
  memberIds: string[];
}

/** One side of the benchmark: a platform host and a bot, with 40 posts, ready for bursts. */
interface Side {
  burst(events: PlannedEvent[], handledBefore: number): Promise<{ seconds: number; dispatchMs: number }>;
  check(events: PlannedEvent[]): Promise<{ exact: boolean; detail: Record<string, unknown> }>;
  close(): Promise<void>;
}

async function burstOn(platform: Platform, bot: Child, world: World, posts: string[], events: PlannedEvent[], handledBefore: number, profile?: string) {
  if (profile) await bot.call("startProfile");
  const sent = await platform.host.call<{ startedAt: number; dispatchMs: number }>("reactions", { channelId: world.galleryId, posts, users: world.memberIds, events }, 120_000);
  const doneAt = await bot.call<number>("waitReactions", { count: handledBefore + events.length, timeoutMs: 300_000 }, 310_000);
  if (profile) await bot.call("stopProfile", { file: profile });
  return { seconds: (doneAt - sent.startedAt) / 1000, dispatchMs: sent.dispatchMs };
}

async function salonSide(ctx: BenchContext, users: number, database: BenchDatabase): Promise<Side> {
  const label = database === "sqlite" ? "reactions-salon" : "reactions-pg-salon";
  const platform = await startPlatform(ctx, `${label}-platform`);
  const dir = path.join(ctx.workDir, label);
  await mkdir(dir, { recursive: true });
  const scratch = await scratchFor(ctx, database);
  const bot = await startChild(ctx, "bots/salon-bot.ts", label);
  const world = await platform.host.call<World>("community", { name: "likes", members: users });
  await bot.call("start", { env: salonEnv(platform, dir, scratch ? { DATABASE_URL: scratch.url } : {}) });
  await platform.host.call("waitForIdentify");
  const base = { guildId: world.guildId, channelId: world.galleryId };
  const admin = { ...base, userId: world.adminId, admin: true, name: "salon" };
  await platform.host.call("command", { ...admin, options: [{ type: 1, name: "setup", options: [{ type: 7, name: "gallery", value: world.galleryId }] }] });
  await platform.host.call("command", {
    ...admin,
    options: [{ type: 1, name: "limits", options: [{ type: 4, name: "per_member_daily", value: 100 }, { type: 4, name: "cooldown_seconds", value: 0 }, { type: 10, name: "budget_usd_daily", value: 1000 }] }],
  });
  // The gallery: 40 posts made through /imagine by the first four members.
  for (let i = 0; i < POSTS_PER_AUTHOR; i++) {
    await Promise.all(
      world.memberIds.slice(0, AUTHORS).map((userId, a) =>
        platform.host.call("command", { ...base, userId, name: "imagine", options: [{ type: 3, name: "prompt", value: `gallery piece ${a}-${i}` }] }),
      ),
    );
  }
  await platform.host.call("waitForPosts", { channelId: world.galleryId, count: AUTHORS * POSTS_PER_AUTHOR, timeoutMs: 60_000 });
  const posts = await platform.host.call<string[]>("posts", { channelId: world.galleryId });
  const before = await bot.call<{ authors: Record<string, string> }>("likes", { ...base, messageIds: posts, userIds: [] });
  const authorOf = (post: number) => world.memberIds.indexOf(before.authors[posts[post]!]!);
  return {
    burst: (events, handledBefore) =>
      burstOn(platform, bot, world, posts, events, handledBefore, process.env.BENCH_PROFILE === "burst" ? path.join(ctx.logDir, `salon-burst-${handledBefore}.cpuprofile`) : undefined),
    async check(events) {
      const stored = await bot.call<{ counts: Record<string, number>; reactions: number }>("likes", { ...base, messageIds: posts, userIds: world.memberIds });
      const want = expected(events, posts.length, authorOf);
      const wrongPosts = posts.filter((id, p) => stored.counts[id] !== want.likes[p]).length;
      return {
        exact: wrongPosts === 0 && stored.reactions === want.reactions,
        detail: { wrongPosts, storedReactions: stored.reactions, expectedReactions: want.reactions, expectedLikes: want.likes.reduce((a, b) => a + b, 0) },
      };
    },
    async close() {
      await bot.kill();
      await platform.host.kill();
      await scratch?.drop();
    },
  };
}

async function bareSide(ctx: BenchContext, users: number, database: BenchDatabase): Promise<Side> {
  const label = database === "sqlite" ? "reactions-bare" : "reactions-pg-bare";
  const platform = await startPlatform(ctx, `${label}-platform`);
  const world = await platform.host.call<World>("community", { name: "likes", members: users });
  const posts = await platform.host.call<string[]>("messages", { channelId: world.galleryId, authorId: world.adminId, count: AUTHORS * POSTS_PER_AUTHOR });
  const dir = path.join(ctx.workDir, label);
  await mkdir(dir, { recursive: true });
  const scratch = await scratchFor(ctx, database);
  const bot = await startChild(ctx, "bots/bare-bot.ts", label);
  await bot.call("start", {
    apiUrl: platform.apiUrl,
    token: platform.botToken,
    ...(scratch ? { mode: "insert-pg", pgUrl: scratch.url } : { mode: "insert", dbFile: path.join(dir, "events.db") }),
  });
  await platform.host.call("waitForIdentify");
  return {
    burst: (events, handledBefore) => burstOn(platform, bot, world, posts, events, handledBefore),
    async check(events) {
      const rows = await bot.call<number>("rows");
      return { exact: rows === events.length, detail: { rows } };
    },
    async close() {
      await bot.kill();
      await platform.host.kill();
      await scratch?.drop();
    },
  };
}

export const run = (ctx: BenchContext) => onEachDatabase(ctx, runOn);

async function runOn(ctx: BenchContext, database: BenchDatabase) {
  const perRound = ctx.quick ? 4000 : 20_000;
  const rounds = ctx.quick ? 1 : 6;
  const users = 1000;
  // One plan, played in rounds on the same posts (each round continues from the state the previous one left).
  const events = plan(perRound * rounds, AUTHORS * POSTS_PER_AUTHOR, users);
  const sides = { bare: await bareSide(ctx, users, database), salon: await salonSide(ctx, users, database) };
  const rates: Record<"bare" | "salon", number[]> = { bare: [], salon: [] };
  const writeMs: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const chunk = events.slice(r * perRound, (r + 1) * perRound);
      for (const kind of r % 2 === 0 ? (["bare", "salon"] as const) : (["salon", "bare"] as const)) {
        const result = await sides[kind].burst(chunk, r * perRound);
        rates[kind].push(perRound / result.seconds);
        writeMs.push(result.dispatchMs);
      }
    }
    const salon = await sides.salon.check(events);
    const bare = await sides.bare.check(events);
    const salonRate = median(rates.salon);
    const bareRate = median(rates.bare);
    const ratio = median(rates.salon.map((rate, r) => rate / rates.bare[r]!));
    const baselineIs = `bare discord.js handler, one ${database === "sqlite" ? "better-sqlite3" : "pg"} INSERT per event`;
    return {
      figures: [
        figure({ name: onDatabase(database, "reactions.rate"), value: round(salonRate, 0), unit: "events/s", baseline: round(bareRate, 0), baselineIs, ratio, goal: "≥ 0.5× baseline", met: ratio >= 0.5, higherIsBetter: true }),
        figure({
          name: onDatabase(database, "reactions.counts_exact"),
          value: salon.exact ? 1 : 0,
          unit: "1 = yes",
          baseline: bare.exact ? 1 : 0,
          baselineIs: "one row per event",
          ratio: null,
          goal: "exact",
          met: salon.exact && bare.exact,
        }),
      ],
      facts: {
        eventsPerRound: perRound,
        rounds,
        mix: { add: events.filter((e) => e.kind === "add").length, duplicate: events.filter((e) => e.kind === "duplicate").length, remove: events.filter((e) => e.kind === "remove").length },
        posts: AUTHORS * POSTS_PER_AUTHOR,
        members: users,
        ratesPerRound: { salon: rates.salon.map((x) => round(x, 0)), baseline: rates.bare.map((x) => round(x, 0)) },
        ratioPerRound: rates.salon.map((x, r) => round(x / rates.bare[r]!, 3)),
        gatewayWriteMsMedian: round(median(writeMs), 0),
        salon: salon.detail,
        baseline: bare.detail,
      },
    };
  } finally {
    await sides.salon.close();
    await sides.bare.close();
  }
}
