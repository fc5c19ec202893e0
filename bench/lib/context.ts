/** What every benchmark gets from `bench/run.ts`. */
import path from "node:path";
import { scratchDatabase, type ScratchDatabase } from "../../prisma/postgres-scratch.js";
import type { BigDatabase } from "./big-database.js";
import type { Figure } from "./figures.js";
import { spawnChild, type Child } from "./rpc.js";
import { salonStartCommand } from "./salon-process.js";

export interface BenchContext {
  /** Scratch folder of this run (databases, image files); removed at the end. */
  workDir: string;
  /** Where children write their output (Salon's JSON logs). */
  logDir: string;
  /** The 1M-creation database, when the run built one. */
  bigDb?: BigDatabase;
  /** Fewer rounds and smaller sizes, for trying the benchmarks out (`npm run bench -- --quick`). */
  quick: boolean;
  /**
   * A PostgreSQL server (`--db postgres`, `BENCH_DATABASE_URL`; a role that may CREATE DATABASE): the benchmarks that
   * support it add PostgreSQL's figures beside SQLite's, each side on a scratch database of its own, dropped after.
   */
  postgresUrl?: string;
  /**
   * The big database's rows on PostgreSQL (`lib/big-postgres.ts`), built once per `npm run bench` on that server when
   * the ranking benchmark runs, and dropped at the end (the benchmark only reads it).
   */
  bigPostgres?: { url: string; name: string; buildSeconds: number; phases: Record<string, number> };
}

/** The databases a benchmark measures on: SQLite always, PostgreSQL when the run names a server. */
export type BenchDatabase = "sqlite" | "postgresql";

export function benchDatabases(ctx: BenchContext): BenchDatabase[] {
  return ctx.postgresUrl ? ["sqlite", "postgresql"] : ["sqlite"];
}

/**
 * Runs a benchmark on each database in turn (SQLite first): the figures one after the other, the facts as they were
 * with SQLite alone, or per database (`{ sqlite, postgresql }`).
 */
export async function onEachDatabase<R extends { figures: Figure[]; facts: Record<string, unknown> }>(
  ctx: BenchContext,
  runOn: (ctx: BenchContext, database: BenchDatabase) => Promise<R>,
): Promise<{ figures: Figure[]; facts: Record<string, unknown> }> {
  const results: Array<R & { database: BenchDatabase }> = [];
  for (const database of benchDatabases(ctx)) results.push({ database, ...(await runOn(ctx, database)) });
  return {
    figures: results.flatMap((r) => r.figures),
    facts: results.length === 1 ? results[0]!.facts : Object.fromEntries(results.map((r) => [r.database, r.facts])),
  };
}

/** A scratch PostgreSQL database for one side of a benchmark, when the side runs on PostgreSQL (dropped by the side). */
export async function scratchFor(ctx: BenchContext, database: BenchDatabase): Promise<ScratchDatabase | null> {
  return database === "postgresql" ? scratchDatabase(ctx.postgresUrl!, "salon_bench") : null;
}

/** A figure's name on a database: SQLite's keep their names (`reactions.rate`), PostgreSQL's get a prefix (`pg.reactions.rate`). */
export function onDatabase(database: BenchDatabase, name: string): string {
  return database === "sqlite" ? name : `pg.${name}`;
}

const here = path.dirname(new URL(import.meta.url).pathname);

/**
 * Starts a child from `bench/` (e.g. `bots/salon-bot.ts`) logging to `<logDir>/<label>.log`. Salon's bot gets the
 * node flags of `npm start` (they size the heap and V8's threads, so they weigh on its times too).
 */
export async function startChild(ctx: BenchContext, file: string, label: string, nodeArgs: string[] = []): Promise<Child> {
  // BENCH_PROFILE=<label prefix> writes a V8 CPU profile of matching children next to the logs.
  const profile = process.env.BENCH_PROFILE && label.startsWith(process.env.BENCH_PROFILE) ? ["--cpu-prof", `--cpu-prof-dir=${path.join(ctx.logDir, "profiles")}`] : [];
  // BENCH_TRACE_GC=<label prefix> prints every collection of matching children into their logs (V8's --trace-gc).
  if (process.env.BENCH_TRACE_GC && label.startsWith(process.env.BENCH_TRACE_GC)) profile.push("--trace-gc");
  // BENCH_NO_FLAGS=1 leaves them out, to see what they cost.
  const salonFlags = file === "bots/salon-bot.ts" && !process.env.BENCH_NO_FLAGS ? (await salonStartCommand()).nodeArgs : [];
  return spawnChild(path.join(here, "..", file), { logFile: path.join(ctx.logDir, `${label}.log`), nodeArgs: [...salonFlags, ...nodeArgs, ...profile, "--expose-gc"] });
}

export interface Platform {
  host: Child;
  apiUrl: string;
  botToken: string;
  applicationId: string;
  openaiBaseURL: string;
  openaiKey: string;
}

/** A platform host process with a fresh loopback Discord and OpenAI. */
export async function startPlatform(ctx: BenchContext, label: string, options: { interactionDeadlineMs?: number } = {}): Promise<Platform> {
  const host = await startChild(ctx, "lib/platform-host.ts", label);
  const urls = await host.call<Omit<Platform, "host">>("start", options);
  return { host, ...urls };
}

/** The environment `npm start` would get for Salon against these loopback platforms. */
export function salonEnv(platform: Platform, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DISCORD_TOKEN: platform.botToken,
    DISCORD_APPLICATION_ID: platform.applicationId,
    DISCORD_API_URL: platform.apiUrl,
    OPENAI_API_KEY: platform.openaiKey,
    OPENAI_BASE_URL: platform.openaiBaseURL,
    DATABASE_URL: `file:${path.join(dir, "salon.db")}`,
    DATA_DIR: dir,
    PORT: "0",
    LOG_LEVEL: "info",
    ...extra,
  };
}
