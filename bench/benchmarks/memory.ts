/**
 * Memory: 1,000 guilds of 20 text channels each arrive over the loopback gateway (READY, then a GUILD_CREATE per
 * guild). Resident memory of the whole process, after every guild is in the client's cache and a full garbage
 * collection: Salon (all of it: Prisma, the health server, the queue) against a bare discord.js client with Salon's
 * intents and discord.js's default caches. Each runs in its own process against the same loopback Discord.
 */
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { MemorySample } from "../bots/bot-common.js";
import type { BenchContext } from "../lib/context.js";
import { salonEnv, startChild, startPlatform } from "../lib/context.js";
import { figure } from "../lib/figures.js";
import { openDatabase } from "../../src/store/database.js";
import { round } from "../lib/stats.js";

const MiB = 2 ** 20;

/** Resident memory of a process that loads nothing, with and without the tsx loader `npm start` runs under. */
function emptyProcessRss(withTsx: boolean): number {
  const script = "globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss))";
  const args = ["--expose-gc", ...(withTsx ? ["--import", fileURLToPath(import.meta.resolve("tsx"))] : []), "-e", script];
  return Number(execFileSync(process.execPath, args, { encoding: "utf8" }));
}

export async function run(ctx: BenchContext) {
  const guilds = ctx.quick ? 200 : 1000;
  const channels = 20;
  const platform = await startPlatform(ctx, "memory-platform");
  try {
    await platform.host.call("guilds", { count: guilds, channels }, 120_000);
    const sample = async (kind: "salon" | "bare"): Promise<MemorySample & { cached: { guilds: number; channels: number }; readyMs: number }> => {
      const bot = await startChild(ctx, kind === "salon" ? "bots/salon-bot.ts" : "bots/bare-bot.ts", `memory-${kind}`);
      try {
        const started = performance.now();
        if (kind === "salon") {
          const dir = path.join(ctx.workDir, "memory-salon");
          await mkdir(dir, { recursive: true });
          // A bot that has run before: its database is already migrated (a first start also loads Prisma's schema
          // engine to migrate, and keeps that memory until it restarts).
          await (await openDatabase(`file:${path.join(dir, "salon.db")}`)).close();
          await bot.call("start", { env: salonEnv(platform, dir) }, 120_000);
        } else {
          await bot.call("start", { apiUrl: platform.apiUrl, token: platform.botToken, mode: "idle" }, 120_000);
        }
        const cached = await bot.call<{ guilds: number; channels: number }>("waitGuilds", { count: guilds, timeoutMs: 120_000 }, 130_000);
        const readyMs = performance.now() - started;
        const memory = await bot.call<MemorySample>("memory");
        if (process.env.BENCH_HEAP) await bot.call("heapSnapshot", { file: path.join(ctx.logDir, `memory-${kind}.heapsnapshot`) }, 120_000);
        return { ...memory, cached, readyMs };
      } finally {
        await bot.kill();
      }
    };
    const bare = await sample("bare");
    const salon = await sample("salon");
    if (salon.cached.guilds !== guilds || bare.cached.guilds !== guilds) throw new Error(`guilds cached: Salon ${salon.cached.guilds}, baseline ${bare.cached.guilds}`);
    const mib = (bytes: number) => round(bytes / MiB, 1);
    const breakdown = (m: typeof salon) => ({
      rssMiB: mib(m.rss),
      rssAnonMiB: mib(m.rssAnon ?? Number.NaN),
      rssFileMiB: mib(m.rssFile ?? Number.NaN),
      heapTotalMiB: mib(m.heapTotal),
      heapUsedMiB: mib(m.heapUsed),
      externalMiB: mib(m.external),
      cached: m.cached,
      readyMs: round(m.readyMs, 0),
    });
    const baselineIs = "bare discord.js client, default caches";
    return {
      figures: [
        figure({ name: "memory.rss", value: mib(salon.rss), unit: "MiB", baseline: mib(bare.rss), baselineIs, goal: "< 150 MB (143 MiB)", met: salon.rss < 150e6 }),
        figure({ name: "memory.heap_used", value: mib(salon.heapUsed), unit: "MiB", baseline: mib(bare.heapUsed), baselineIs, goal: "", met: null }),
      ],
      facts: {
        guilds,
        channelsPerGuild: channels,
        emptyProcessMiB: { node: mib(emptyProcessRss(false)), nodeWithTsx: mib(emptyProcessRss(true)) },
        salon: breakdown(salon),
        baseline: breakdown(bare),
      },
    };
  } finally {
    await platform.host.kill();
  }
}
