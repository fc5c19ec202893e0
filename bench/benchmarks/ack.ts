/**
 * Acknowledgement latency: 500 `/imagine` dispatched in the same tick by 500 members; for each, the time from the
 * loopback Discord's dispatch to the defer callback arriving back at it. Salon (all of it, with its database and the
 * loopback OpenAI) against a bare discord.js bot that only defers, each with its own loopback Discord in its own
 * process. Rounds alternate which side goes first; samples are pooled over the rounds. With `--db postgres` the same
 * rounds run again with Salon on a scratch PostgreSQL database (`pg.ack.*`), against the same bare bot.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ScratchDatabase } from "../../prisma/postgres-scratch.js";
import type { BenchContext, BenchDatabase, Platform } from "../lib/context.js";
import { onDatabase, onEachDatabase, salonEnv, scratchFor, startChild, startPlatform } from "../lib/context.js";
import { figure } from "../lib/figures.js";
import type { Stall } from "../bots/bot-common.js";
import { epochNow, type Child } from "../lib/rpc.js";
import { max, percentile, round } from "../lib/stats.js";
import { systemSample, type SystemSample } from "../lib/system-probe.js";

const WARMUP = 20;

interface Burst {
  latencies: number[];
  types: number[];
  tokens: string[];
}

interface Side {
  latencies: number[];
  /** The bot's event-loop delay during the burst. */
  loop: { maxMs: number; p99Ms: number; meanMs: number; stalls: Stall[] };
  /** The machine just before the burst and just after. */
  before: SystemSample;
  after: SystemSample;
  /** Epoch ms of the burst's dispatch. */
  burstAt: number;
  /** Salon: how many of the burst's `/imagine` were taken (their status message is a stage of the job). */
  accepted?: number;
  /** Salon: the first status message that is not a stage of the job (an apology, a refusal), if any. */
  refused?: string;
}

/** A status message of a creation that was taken: queued, being made, or posted (`statusMessage` in src/discord/render.ts). */
const TAKEN = /^(⏳ Queued|🎨 Generating|✅ Posted)/;

async function side(ctx: BenchContext, database: BenchDatabase, kind: "salon" | "bare", round: number, members: number): Promise<Side> {
  const label = `ack-${database === "sqlite" ? "" : "pg-"}${kind}-${round}`;
  const platform: Platform = await startPlatform(ctx, `${label}-platform`, { interactionDeadlineMs: 60_000 });
  let bot: Child | null = null;
  let scratch: ScratchDatabase | null = null;
  try {
    const world = await platform.host.call<{ guildId: string; galleryId: string; adminId: string; memberIds: string[] }>("community", { name: "ack", members: members + WARMUP });
    const warmers = world.memberIds.slice(0, WARMUP);
    const burstUsers = world.memberIds.slice(WARMUP);
    if (kind === "salon") {
      const dir = path.join(ctx.workDir, label);
      await mkdir(dir, { recursive: true });
      scratch = await scratchFor(ctx, database);
      bot = await startChild(ctx, "bots/salon-bot.ts", label);
      await bot.call("start", { env: salonEnv(platform, dir, scratch ? { DATABASE_URL: scratch.url } : {}) });
      const admin = { guildId: world.guildId, channelId: world.galleryId, userId: world.adminId, admin: true, name: "salon" };
      await platform.host.call("command", { ...admin, options: [{ type: 1, name: "setup", options: [{ type: 7, name: "gallery", value: world.galleryId }] }] });
      // Every member's first request is accepted: a budget for 500 images.
      await platform.host.call("command", { ...admin, options: [{ type: 1, name: "limits", options: [{ type: 10, name: "budget_usd_daily", value: 1000 }] }] });
    } else {
      bot = await startChild(ctx, "bots/bare-bot.ts", label);
      await bot.call("start", { apiUrl: platform.apiUrl, token: platform.botToken, mode: "defer" });
    }
    await platform.host.call("waitForIdentify");
    // Warm both sides' code paths and connection pools with a few reads first.
    await platform.host.call<Burst>("burst", { guildId: world.guildId, channelId: world.galleryId, userIds: warmers, name: "top" });
    await new Promise((r) => setTimeout(r, 500));
    const before = systemSample();
    await bot.call("startLoopDelay");
    const burstAt = epochNow();
    const burst = await platform.host.call<Burst>(
      "burst",
      { guildId: world.guildId, channelId: world.galleryId, userIds: burstUsers, name: "imagine", options: [{ type: 3, name: "prompt", value: "a lighthouse at dawn, oil on canvas" }] },
      120_000,
    );
    const notDeferred = burst.types.filter((t) => t !== 5).length;
    if (notDeferred > 0) throw new Error(`${label}: ${notDeferred} interactions were not answered with a defer`);
    if (kind === "bare") {
      const loop = await bot.call<Side["loop"]>("stopLoopDelay");
      return { latencies: burst.latencies, loop, before, after: systemSample(), burstAt };
    }
    // The acknowledgements measured must be those of requests Salon took, not of requests it failed quickly. Salon's
    // event loop is watched until every request has its answer: a stall after the last acknowledgement would delay
    // the acknowledgement of any interaction arriving then.
    const texts = await platform.host.call<string[]>("waitOriginals", { tokens: burst.tokens, timeoutMs: 60_000 }, 70_000);
    const loop = await bot.call<Side["loop"]>("stopLoopDelay");
    const refused = texts.find((t) => !TAKEN.test(t));
    return { latencies: burst.latencies, loop, before, after: systemSample(), burstAt, accepted: texts.filter((t) => TAKEN.test(t)).length, ...(refused !== undefined ? { refused } : {}) };
  } finally {
    await bot?.kill();
    await platform.host.kill();
    await scratch?.drop();
  }
}

export const run = (ctx: BenchContext) => onEachDatabase(ctx, runOn);

async function runOn(ctx: BenchContext, database: BenchDatabase) {
  const rounds = ctx.quick ? 1 : 3;
  const members = 500;
  const salon: number[] = [];
  const bare: number[] = [];
  let accepted = 0;
  let refused: string | undefined;
  const perRound: Array<Record<string, unknown>> = [];
  for (let r = 0; r < rounds; r++) {
    const order: Array<"salon" | "bare"> = r % 2 === 0 ? ["bare", "salon"] : ["salon", "bare"];
    const sides: Partial<Record<"salon" | "bare", Side>> = {};
    for (const kind of order) sides[kind] = await side(ctx, database, kind, r, members);
    const s = sides.salon!;
    const b = sides.bare!;
    salon.push(...s.latencies);
    bare.push(...b.latencies);
    accepted += s.accepted ?? 0;
    refused ??= s.refused;
    // What each side's event loop and the machine's disk were doing during its burst, to explain a slow round.
    perRound.push({
      salonP99: round(percentile(s.latencies, 99)),
      bareP99: round(percentile(b.latencies, 99)),
      salonLoopMaxMs: s.loop.maxMs,
      bareLoopMaxMs: b.loop.maxMs,
      salonStalls: s.loop.stalls.map(({ endedAt, ...x }) => ({ ...x, endedAfterBurstMs: Math.round(endedAt - s.burstAt) })),
      bareStalls: b.loop.stalls.map(({ endedAt, ...x }) => ({ ...x, endedAfterBurstMs: Math.round(endedAt - b.burstAt) })),
      dirtyMiBAtBurst: { salon: s.before.dirtyMiB, bare: b.before.dirtyMiB },
      load1: { salon: s.before.load1, bare: b.before.load1 },
      accepted: s.accepted,
    });
    if (process.env.BENCH_DEBUG) {
      for (const [kind, xs] of [["salon", s.latencies], ["bare", b.latencies]] as const) {
        console.log(kind, r, [10, 25, 50, 75, 90, 95, 99, 100].map((q) => `p${q}=${round(percentile(xs, q), 0)}`).join(" "), "first500:", xs.slice(0, 10).map((x) => round(x, 0)).join(","), "last:", xs.slice(-10).map((x) => round(x, 0)).join(","));
      }
      console.log(JSON.stringify(perRound.at(-1)));
    }
  }
  const over = (xs: number[]) => xs.filter((x) => x > 3000).length;
  const p = (xs: number[], q: number) => round(percentile(xs, q), 1);
  const baselineIs = "bare discord.js bot that only defers";
  const asked = members * rounds;
  return {
    figures: [
      figure({ name: onDatabase(database, "ack.p50"), value: p(salon, 50), unit: "ms", baseline: p(bare, 50), baselineIs, goal: "", met: null }),
      figure({ name: onDatabase(database, "ack.p99"), value: p(salon, 99), unit: "ms", baseline: p(bare, 99), baselineIs, goal: "≤ 1.5× baseline", met: percentile(salon, 99) <= 1.5 * percentile(bare, 99), tail: true }),
      figure({ name: onDatabase(database, "ack.max"), value: round(max(salon), 1), unit: "ms", baseline: round(max(bare), 1), baselineIs, goal: "≤ 3000 ms", met: max(salon) <= 3000, tail: true, judge: "value" }),
      figure({ name: onDatabase(database, "ack.over_3s"), value: over(salon), unit: "interactions", baseline: over(bare), baselineIs, ratio: null, goal: "0", met: over(salon) === 0, tail: true }),
      figure({
        name: onDatabase(database, "ack.taken"),
        value: accepted,
        unit: `of ${asked}`,
        baseline: null,
        goal: "all",
        met: accepted === asked,
        tail: true,
        higherIsBetter: true,
        ...(refused !== undefined ? { note: `e.g. "${refused.slice(0, 120)}"` } : {}),
      }),
    ],
    facts: { interactionsPerRound: members, rounds, samplesPerSide: salon.length, perRound },
  };
}
