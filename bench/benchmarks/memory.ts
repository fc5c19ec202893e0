/**
 * Memory: 1,000 guilds of 20 text channels each arrive over the loopback gateway (READY, then a GUILD_CREATE per
 * guild). Resident memory of the whole process, after every guild is in the client's cache and a full garbage
 * collection. Then a gateway process of a sharded bot: 1,000 more guilds join (2,000, two shards), and Salon runs
 * shard 0 of 2 only (`DISCORD_SHARDS=0`, `DISCORD_SHARD_COUNT=2`), which holds the first 1,000. Salon is its own process exactly as `npm start` runs it (built, then `node <start flags>
 * dist/main.js` with its configuration in the environment); the baseline is a bare discord.js client with Salon's
 * intents and discord.js's default caches, run the same way (plain node, the same flags). A small probe preloaded
 * into each answers the memory questions over IPC.
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import type { MemorySample } from "../bots/bot-common.js";
import type { BenchContext } from "../lib/context.js";
import { salonEnv, startPlatform } from "../lib/context.js";
import { figure } from "../lib/figures.js";
import { spawnChild, type Child } from "../lib/rpc.js";
import { afterIdentifyWindow, buildSalon, freePort, ROOT, salonStartCommand, transpileBenchModules, waitDiscordReady, type StartCommand } from "../lib/salon-process.js";
import { openDatabase } from "../../src/store/database.js";
import { round } from "../lib/stats.js";

const MiB = 2 ** 20;

/** Resident memory of a process that loads nothing, with the given node flags. */
function emptyProcessRss(nodeArgs: string[]): number {
  const script = "globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss))";
  return Number(execFileSync(process.execPath, [...nodeArgs, "--expose-gc", "-e", script], { encoding: "utf8" }));
}

/** The guild count of Salon's "discord ready" log line (the client's guild cache once the gateway is ready). */
async function loggedGuilds(logFile: string): Promise<number> {
  for (const line of (await readFile(logFile, "utf8")).split("\n")) {
    if (!line.includes('"discord ready"')) continue;
    return (JSON.parse(line) as { guilds: number }).guilds;
  }
  throw new Error(`no "discord ready" line in ${logFile}`);
}

interface Sample extends MemorySample {
  cached: { guilds: number; channels?: number };
  readyMs: number;
}

export async function run(ctx: BenchContext) {
  const guilds = ctx.quick ? 200 : 1000;
  const channels = 20;
  const buildMs = await buildSalon();
  const start = await salonStartCommand();
  const [bareBot, probe] = await transpileBenchModules(["bots/bare-bot.ts", "lib/memory-probe.ts"], path.join(ctx.workDir, "memory-js"));
  const platform = await startPlatform(ctx, "memory-platform");
  try {
    // Every guild on shard 0 of 2: a process that runs all shards sees them all, and so does one that runs shard 0.
    await platform.host.call("guilds", { count: guilds, channels, shard: [0, 2] }, 120_000);

    const measure = async (bot: Child, kind: string): Promise<MemorySample> => {
      const memory = await bot.call<MemorySample>("memory");
      if (process.env.BENCH_HEAP) await bot.call("heapSnapshot", { file: path.join(ctx.logDir, `memory-${kind}.heapsnapshot`) }, 120_000);
      return memory;
    };

    const bare = async (): Promise<Sample> => {
      const started = performance.now();
      const bot = await spawnChild(bareBot!, { logFile: path.join(ctx.logDir, "memory-bare.log"), loader: "none", nodeArgs: [...start.nodeArgs, "--expose-gc"] });
      try {
        await bot.call("start", { apiUrl: platform.apiUrl, token: platform.botToken, mode: "idle" }, 120_000);
        const cached = await bot.call<{ guilds: number; channels: number }>("waitGuilds", { count: guilds, timeoutMs: 120_000 }, 130_000);
        const readyMs = performance.now() - started;
        return { ...(await measure(bot, "bare")), cached, readyMs };
      } finally {
        await bot.kill();
      }
    };

    const salon = async (command: StartCommand, label = "memory-salon", env: Record<string, string> = {}): Promise<Sample> => {
      const dir = path.join(ctx.workDir, label);
      await mkdir(dir, { recursive: true });
      // A bot that has run before: its database is already migrated (a first start also loads Prisma's schema
      // engine to migrate, and keeps that memory until it restarts).
      await (await openDatabase(`file:${path.join(dir, "salon.db")}`)).close();
      const port = await freePort();
      const logFile = path.join(ctx.logDir, `${label}.log`);
      const started = performance.now();
      const bot = await spawnChild(command.entry, {
        logFile,
        loader: "none",
        nodeArgs: [...command.nodeArgs, "--expose-gc", "--import", pathToFileURL(probe!).href],
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", ...salonEnv(platform, dir, { PORT: String(port), ...env }) },
        envOnly: true,
      });
      try {
        // Discord's READY lists every guild, and the client is ready once each one's GUILD_CREATE has arrived.
        await waitDiscordReady(port, () => bot.process.exitCode !== null, 120_000, label);
        const readyMs = performance.now() - started;
        const cached = { guilds: await loggedGuilds(logFile) };
        return { ...(await measure(bot, label.replace(/^memory-/, ""))), cached, readyMs };
      } finally {
        await bot.kill();
      }
    };

    const bareSample = await bare();
    await afterIdentifyWindow(performance.now());
    const salonSample = await salon(start);
    await platform.host.call("guilds", { count: guilds, channels, shard: [1, 2], from: guilds }, 120_000);
    await afterIdentifyWindow(performance.now());
    const shardSample = await salon(start, "memory-shard", { DISCORD_SHARDS: "0", DISCORD_SHARD_COUNT: "2" });
    if (salonSample.cached.guilds !== guilds || bareSample.cached.guilds !== guilds || shardSample.cached.guilds !== guilds) {
      throw new Error(`guilds cached: Salon ${salonSample.cached.guilds}, its shard 0 of 2 ${shardSample.cached.guilds}, baseline ${bareSample.cached.guilds}`);
    }
    const mib = (bytes: number) => round(bytes / MiB, 1);
    const breakdown = (m: Sample) => ({
      rssMiB: mib(m.rss),
      rssAnonMiB: mib(m.rssAnon ?? Number.NaN),
      rssFileMiB: mib(m.rssFile ?? Number.NaN),
      heapTotalMiB: mib(m.heapTotal),
      heapUsedMiB: mib(m.heapUsed),
      externalMiB: mib(m.external),
      cached: m.cached,
      readyMs: round(m.readyMs, 0),
    });
    const baselineIs = "bare discord.js client, default caches, same node flags";
    return {
      figures: [
        figure({ name: "memory.rss", value: mib(salonSample.rss), unit: "MiB", baseline: mib(bareSample.rss), baselineIs, goal: "< 150 MB (143 MiB)", met: salonSample.rss < 150e6 }),
        figure({ name: "memory.heap_used", value: mib(salonSample.heapUsed), unit: "MiB", baseline: mib(bareSample.heapUsed), baselineIs, goal: "", met: null }),
        figure({
          name: "memory.gateway_shard_rss",
          value: mib(shardSample.rss),
          unit: "MiB",
          baseline: mib(salonSample.rss),
          baselineIs: "Salon running every shard of a bot with the same 1,000 guilds",
          goal: "< 150 MB (143 MiB)",
          met: shardSample.rss < 150e6,
        }),
      ],
      facts: {
        guilds,
        channelsPerGuild: channels,
        startCommand: `node ${[...start.nodeArgs, path.relative(ROOT, start.entry)].join(" ")}`,
        buildMs: round(buildMs, 0),
        emptyProcessMiB: {
          node: mib(emptyProcessRss([])),
          nodeWithStartFlags: mib(emptyProcessRss(start.nodeArgs)),
          nodeWithTsx: mib(emptyProcessRss(["--import", fileURLToPath(import.meta.resolve("tsx"))])),
        },
        salon: breakdown(salonSample),
        gatewayShard: breakdown(shardSample),
        baseline: breakdown(bareSample),
      },
    };
  } finally {
    await platform.host.kill();
  }
}
