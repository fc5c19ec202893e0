/**
 * Start-up: Salon spawned as `npm start` runs it (built once, as its prestart step does; then `node <start flags>
 * dist/main.js`, configuration from the environment, the default RECONCILE_DAYS), on a copy of the
 * 1,000,000-creation database; time from spawning the process until `GET /healthz` answers 200 with Discord ready.
 * Baseline: the same start on an empty (already migrated) database. Three starts of each, alternating; medians.
 * Reconciliation of the recent posts starts after ready and is not waited for (the process is stopped once ready).
 */
import { spawn } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { openSync } from "node:fs";
import path from "node:path";
import { openDatabase } from "../../src/store/database.js";
import type { BenchContext, Platform } from "../lib/context.js";
import { startPlatform } from "../lib/context.js";
import { flushToDisk } from "../lib/big-database.js";
import { figure } from "../lib/figures.js";
import { afterIdentifyWindow, buildSalon, freePort, salonStartCommand, waitDiscordReady, type StartCommand } from "../lib/salon-process.js";
import { median, round } from "../lib/stats.js";

async function startOnce(ctx: BenchContext, platform: Platform, command: StartCommand, dbFile: string, label: string): Promise<number> {
  const port = await freePort();
  const dir = path.dirname(dbFile);
  const log = openSync(path.join(ctx.logDir, `${label}.log`), "a");
  const started = performance.now();
  const child = spawn(process.execPath, [...command.nodeArgs, command.entry], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      DISCORD_TOKEN: platform.botToken,
      DISCORD_APPLICATION_ID: platform.applicationId,
      DISCORD_API_URL: platform.apiUrl,
      OPENAI_API_KEY: platform.openaiKey,
      OPENAI_BASE_URL: platform.openaiBaseURL,
      DATABASE_URL: `file:${dbFile}`,
      DATA_DIR: dir,
      PORT: String(port),
    },
    stdio: ["ignore", log, log],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitDiscordReady(port, () => child.exitCode !== null, 60_000, label);
    return performance.now() - started;
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

export async function run(ctx: BenchContext) {
  const big = ctx.bigDb;
  if (!big) throw new Error("the start-up benchmark needs the big database");
  const buildMs = await buildSalon();
  const command = await salonStartCommand();
  const platform = await startPlatform(ctx, "startup-platform");
  try {
    // The community of the big database exists on the loopback Discord too, as it would.
    await platform.host.call("community", { name: "big", members: 0, guildId: big.guildId, galleryId: big.galleryChannelId });
    const bigDir = path.join(ctx.workDir, "startup-big");
    const emptyDir = path.join(ctx.workDir, "startup-empty");
    await mkdir(bigDir, { recursive: true });
    await mkdir(emptyDir, { recursive: true });
    const emptyDb = path.join(emptyDir, "salon.db");
    await (await openDatabase(`file:${emptyDb}`)).close();
    const times: Record<"big" | "empty", number[]> = { big: [], empty: [] };
    const rounds = ctx.quick ? 1 : 3;
    let lastReady: number | undefined;
    for (let r = 0; r < rounds; r++) {
      // A fresh copy each time: a start may change the database (reconciliation, requeued jobs).
      const bigDb = path.join(bigDir, `salon-${r}.db`);
      await copyFile(big.file, bigDb);
      // On the disk before Salon starts on it: its writeback would fall in a later start, of either side.
      flushToDisk(bigDb);
      for (const kind of r % 2 === 0 ? (["empty", "big"] as const) : (["big", "empty"] as const)) {
        await afterIdentifyWindow(lastReady);
        times[kind].push(await startOnce(ctx, platform, command, kind === "big" ? bigDb : emptyDb, `startup-${kind}-${r}`));
        lastReady = performance.now();
      }
    }
    const value = median(times.big);
    return {
      figures: [
        figure({
          name: "startup.ready",
          value: round(value, 0),
          unit: "ms",
          baseline: round(median(times.empty), 0),
          baselineIs: "the same start on an empty database",
          goal: "< 3000 ms",
          met: value < 3000,
        }),
      ],
      facts: { buildMs: round(buildMs, 0), creations: big.creations, likes: big.reactions, startsMs: { big: times.big.map((x) => round(x, 0)), empty: times.empty.map((x) => round(x, 0)) } },
    };
  } finally {
    await platform.host.kill();
  }
}
