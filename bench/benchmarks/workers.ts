/**
 * Worker processes on the job engine (`--db postgres`; issue 11).
 *
 * Scale-out: the loopback OpenAI answers each image after 1 s; each process runs `GENERATION_CONCURRENCY` = C; 3·C
 * members per process `/imagine` twice each at once. Throughput where the slots turn over, as in `throughput`:
 * (N − S) ÷ (S-th image request → N-th), S the slots of every process. 2 processes ÷ 1 process, on graphile-worker.
 * Fairness kept: how many members' second jobs started before the last member's first one did.
 *
 * Enqueue to start: one `/imagine` at a time (each starts at once: nothing queued ahead), creation `createdAt` →
 * `startedAt` as stored, through graphile-worker on PostgreSQL and through the in-process queue on SQLite.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { databaseRows } from "../../test/support/test-database.js";
import type { BenchContext, Platform } from "../lib/context.js";
import { salonEnv, scratchFor, startChild, startPlatform } from "../lib/context.js";
import { figure, type Figure } from "../lib/figures.js";
import type { Child } from "../lib/rpc.js";
import { percentile, round } from "../lib/stats.js";
import type { ImageRequest, World } from "./throughput.js";


async function startSalons(ctx: BenchContext, label: string, processes: number, concurrency: number, members: number, databaseUrl: string | null) {
  const platform: Platform = await startPlatform(ctx, `${label}-platform`);
  const dir = path.join(ctx.workDir, label);
  await mkdir(dir, { recursive: true });
  const world = await platform.host.call<World>("community", { name: label, members });
  const env = salonEnv(platform, dir, { GENERATION_CONCURRENCY: String(concurrency), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const bots: Child[] = [];
  for (let i = 0; i < processes; i++) {
    const bot = await startChild(ctx, "bots/salon-bot.ts", `${label}-${i + 1}`);
    bots.push(bot);
    await bot.call("start", { env }, 60_000);
  }
  await platform.host.call("waitForIdentify");
  const admin = { guildId: world.guildId, channelId: world.galleryId, userId: world.adminId, admin: true, name: "salon" };
  await platform.host.call("command", { ...admin, options: [{ type: 1, name: "setup", options: [{ type: 7, name: "gallery", value: world.galleryId }] }] });
  await platform.host.call("command", {
    ...admin,
    options: [{ type: 1, name: "limits", options: [{ type: 4, name: "per_member_daily", value: 100 }, { type: 4, name: "cooldown_seconds", value: 0 }, { type: 10, name: "budget_usd_daily", value: 1000 }] }],
  });
  const stop = async () => {
    for (const bot of bots) await bot.kill();
    await platform.host.kill();
  };
  return { platform, world, dir, stop };
}

/** Throughput of `processes` processes of C slots each, and how many second jobs overtook a first one. */
async function scaleOut(ctx: BenchContext, processes: number, concurrency: number) {
  const scratch = await scratchFor(ctx, "postgresql");
  const slots = processes * concurrency;
  const members = 3 * slots;
  const { platform, world, stop } = await startSalons(ctx, `workers-p${processes}`, processes, concurrency, members, scratch!.url);
  try {
    await platform.host.call("setImageDelay", { ms: 1000 });
    const base = { guildId: world.guildId, channelId: world.galleryId, name: "imagine", options: [{ type: 3, name: "prompt", value: "a lighthouse at dawn" }] };
    await platform.host.call("burst", { ...base, userIds: [...world.memberIds, ...world.memberIds] });
    await platform.host.call("waitForPosts", { channelId: world.galleryId, count: 2 * members, timeoutMs: 120_000 }, 130_000);
    const requests = (await platform.host.call<ImageRequest[]>("imageRequests")).sort((a, b) => a.at - b.at);
    const at = requests.map((r) => r.at);
    const rate = (at.length - slots) / ((at.at(-1)! - at[slots - 1]!) / 1000);
    const seen = new Map<string, number>();
    const nth = requests.map((r) => {
      seen.set(r.user, (seen.get(r.user) ?? 0) + 1);
      return seen.get(r.user)!;
    });
    const lastFirst = nth.lastIndexOf(1);
    const overtakes = nth.slice(0, lastFirst).filter((n) => n > 1).length;
    return { rate, overtakes, jobs: requests.length };
  } finally {
    await stop();
    await scratch!.drop();
  }
}

/** Enqueue → start of jobs that find the queue empty, in ms, on one database. */
async function startLatency(ctx: BenchContext, database: "sqlite" | "postgresql", samples: number) {
  const scratch = await scratchFor(ctx, database);
  const { platform, world, dir, stop } = await startSalons(ctx, `workers-latency-${database}`, 1, 2, samples, scratch?.url ?? null);
  try {
    await platform.host.call("setImageDelay", { ms: 50 });
    for (const userId of world.memberIds) {
      await platform.host.call("command", { guildId: world.guildId, channelId: world.galleryId, userId, name: "imagine", options: [{ type: 3, name: "prompt", value: "one at a time" }] });
      await platform.host.call("waitForPosts", { channelId: world.galleryId, count: world.memberIds.indexOf(userId) + 1, timeoutMs: 20_000 }, 30_000);
    }
    const url = scratch?.url ?? `file:${path.join(dir, "salon.db")}`;
    const rows = await databaseRows<{ createdAt: string | Date | number; startedAt: string | Date | number }>(url, 'SELECT "createdAt", "startedAt" FROM "Creation"');
    return rows.map((r) => new Date(r.startedAt).getTime() - new Date(r.createdAt).getTime());
  } finally {
    await stop();
    await scratch?.drop();
  }
}

export async function run(ctx: BenchContext) {
  const figures: Figure[] = [];
  const facts: Record<string, unknown> = {};
  const samples = ctx.quick ? 20 : 60;
  const inProcess = await startLatency(ctx, "sqlite", samples);
  figures.push(figure({ name: "workers.start_latency.p50", value: round(percentile(inProcess, 50), 1), unit: "ms", baseline: null, goal: "", met: null }));
  figures.push(figure({ name: "workers.start_latency.p99", value: round(percentile(inProcess, 99), 1), unit: "ms", baseline: null, goal: "", met: null }));
  facts.inProcessStartMs = { samples: inProcess.length, p50: percentile(inProcess, 50), p99: percentile(inProcess, 99) };
  if (!ctx.postgresUrl) return { figures, facts };

  const engine = await startLatency(ctx, "postgresql", samples);
  for (const p of [50, 99]) {
    const value = percentile(engine, p);
    const baseline = percentile(inProcess, p);
    figures.push(figure({ name: `pg.workers.start_latency.p${p}`, value: round(value, 1), unit: "ms", baseline: round(baseline, 1), baselineIs: "the in-process queue on SQLite", goal: "", met: null }));
  }
  facts.engineStartMs = { samples: engine.length, p50: percentile(engine, 50), p99: percentile(engine, 99) };

  const concurrency = ctx.quick ? 2 : 4;
  const one = await scaleOut(ctx, 1, concurrency);
  const two = await scaleOut(ctx, 2, concurrency);
  const ratio = two.rate / one.rate;
  figures.push(
    figure({
      name: "pg.workers.scale_2_vs_1",
      value: round(two.rate, 2),
      unit: "images/s",
      baseline: round(one.rate, 2),
      baselineIs: `one worker process, C = ${concurrency}`,
      goal: "≥ 1.9× one process",
      met: ratio >= 1.9,
      higherIsBetter: true,
      note: `${round(ratio, 2)}×`,
    }),
  );
  figures.push(figure({ name: "pg.workers.fairness_overtakes", value: two.overtakes, unit: "jobs", baseline: one.overtakes, baselineIs: "one process", ratio: null, goal: "≤ slots", met: two.overtakes <= 2 * concurrency }));
  facts.scaleOut = { concurrency, imageDelayMs: 1000, one, two, ratio: round(ratio, 3) };
  return { figures, facts };
}
