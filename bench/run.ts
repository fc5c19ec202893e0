/**
 * `npm run bench`: runs every benchmark (each in its own process, each measuring Salon and its baseline side by side),
 * prints one table and writes `bench/results.json`. See bench/README.md for the method.
 *
 *   npm run bench                      everything (3 to 5 minutes on a 2-core machine)
 *   npm run bench -- --only ranking    some benchmarks (comma-separated names)
 *   npm run bench -- --quick           fewer rounds, a 10× smaller database (a smoke test, not a measurement)
 *   npm run bench -- --keep            keep the scratch folder (databases, logs)
 *   npm run bench -- --runs 3          how many runs of each benchmark with tail figures (ack 5, ranking 3 by default)
 *   npm run bench -- --db postgres     PostgreSQL's figures beside SQLite's, on the server BENCH_DATABASE_URL names, or
 *                                      on a throwaway local cluster when no URL is given (also the default when one can
 *                                      be started; --db sqlite leaves PostgreSQL out)
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildBigDatabase, describeBigDatabase, FULL_SCALE, type BigDatabase } from "./lib/big-database.js";
import { buildBigPostgres, copyBigPostgres, type BigPostgres } from "./lib/big-postgres.js";
import type { BenchContext } from "./lib/context.js";
import type { BenchmarkReport } from "./lib/figures.js";
import { choosePostgres, findPostgresBinaries, startLocalCluster, type LocalCluster } from "./lib/postgres-source.js";
import { spawnChild } from "./lib/rpc.js";
import { combineRuns } from "./lib/runs.js";
import { goalText, renderTable } from "./lib/table.js";

const ALL = ["ack", "reactions", "ranking", "throughput", "workers", "memory", "startup"] as const;
/**
 * Runs of the benchmarks whose figures are tails (p99s, maxima), each in a fresh process, one after another: a tail is
 * what one bad run moves, so the table gives the median run and the worst run side by side, and a tail figure's goal
 * is judged on the worst. The others run once.
 */
const RUNS: Partial<Record<(typeof ALL)[number], number>> = { ack: 5, ranking: 3 };
/** Benchmarks that read the 1M-creation database. */
const NEEDS_BIG_DB = new Set(["ranking", "startup"]);

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = flag("quick");
const runsOption = option("runs");
const runsWanted = runsOption === undefined ? undefined : Number(runsOption);
if (runsWanted !== undefined && !(Number.isInteger(runsWanted) && runsWanted >= 1)) throw new Error(`--runs takes a whole number of runs, 1 or more; got ${runsOption}`);
const dbOption = option("db");
// Only looked for when they could be used: a URL given or --db sqlite needs no local PostgreSQL.
const postgresChoice = choosePostgres({
  db: dbOption,
  url: process.env.BENCH_DATABASE_URL,
  binaries: dbOption === "sqlite" || process.env.BENCH_DATABASE_URL ? { missing: "not looked for" } : findPostgresBinaries(),
});
const only = option("only")?.split(",").map((s) => s.trim()) ?? [...ALL];
for (const name of only) if (!(ALL as readonly string[]).includes(name)) throw new Error(`unknown benchmark ${name}; one of ${ALL.join(", ")}`);

const started = performance.now();
if (postgresChoice.kind === "none" && postgresChoice.why) console.log(postgresChoice.why);
let cluster: LocalCluster | undefined;
if (postgresChoice.kind === "cluster") {
  process.stdout.write(`starting a throwaway PostgreSQL (.ci/pg-cluster.sh, ${postgresChoice.bin})… `);
  cluster = startLocalCluster();
  console.log(cluster.dir);
}
const postgresUrl = postgresChoice.kind === "url" ? postgresChoice.url : cluster?.url;
const workDir = await mkdtemp(path.join(tmpdir(), "salon-bench-"));
const logDir = path.join(workDir, "logs");
await mkdir(logDir, { recursive: true });
console.log(`Salon benchmarks${quick ? " (quick: not a measurement)" : ""}${postgresUrl ? ", PostgreSQL beside SQLite" : ""}; scratch folder ${workDir}`);

/** Each benchmark's reports, one per run. */
const reports = new Map<string, BenchmarkReport[]>();
const failures: Array<{ benchmark: string; error: string }> = [];
let bigDb: BigDatabase | undefined;
let bigPg: BigPostgres | undefined;
try {
  if (only.some((name) => NEEDS_BIG_DB.has(name)) && process.env.BENCH_BIG_DB) {
    bigDb = await describeBigDatabase(process.env.BENCH_BIG_DB);
    console.log(`reusing the database ${bigDb.file} (BENCH_BIG_DB): not built in this run`);
  } else if (only.some((name) => NEEDS_BIG_DB.has(name))) {
    const scale = quick ? 0.1 : 1;
    const options = {
      creations: FULL_SCALE.creations * scale,
      likes: FULL_SCALE.likes * scale,
      members: FULL_SCALE.members,
      days: FULL_SCALE.days,
      now: new Date(),
    };
    process.stdout.write(`building the database: ${options.creations.toLocaleString("en")} creations, ${options.likes.toLocaleString("en")} likes… `);
    bigDb = await buildBigDatabase(path.join(workDir, "big.db"), options);
    console.log(`${bigDb.buildSeconds.toFixed(1)} s, ${(bigDb.fileBytes / 2 ** 20).toFixed(0)} MiB`);
  }
  // The same rows on PostgreSQL, once for every run of the ranking benchmark (which only reads them).
  if (bigDb && postgresUrl && only.includes("ranking")) {
    process.stdout.write(`the same database on PostgreSQL${bigDb.options ? "" : " (copied from the reused file)"}… `);
    bigPg = bigDb.options ? await buildBigPostgres(postgresUrl, bigDb.options) : await copyBigPostgres(postgresUrl, bigDb.file);
    console.log(`${bigPg.buildSeconds.toFixed(1)} s (${Object.entries(bigPg.phases).map(([k, v]) => `${k} ${v}`).join(", ")})`);
  }
  const bigPostgres = bigPg ? { url: bigPg.url, name: bigPg.name, buildSeconds: bigPg.buildSeconds, phases: bigPg.phases } : undefined;
  const ctx: BenchContext = { workDir, logDir, quick, ...(bigDb ? { bigDb } : {}), ...(postgresUrl ? { postgresUrl } : {}), ...(bigPostgres ? { bigPostgres } : {}) };
  for (const name of only) {
    const repeat = RUNS[name as keyof typeof RUNS] ? (runsWanted ?? (quick ? 2 : RUNS[name as keyof typeof RUNS]!)) : 1;
    for (let run = 1; run <= repeat; run++) {
      process.stdout.write(repeat > 1 ? `${name} ${run}/${repeat}… ` : `${name}… `);
      // Each run of a repeated benchmark has scratch and log folders of its own (ack-run2/…), so no run reuses another's.
      const runCtx = repeat > 1 ? await ownFolders(ctx, `${name}-run${run}`) : ctx;
      const child = await spawnChild(path.join(here, "lib/bench-child.ts"), { logFile: path.join(runCtx.logDir, `${name}.log`), nodeArgs: ["--expose-gc"] });
      try {
        const report = await child.call<BenchmarkReport>("run", { name, ctx: runCtx }, 400_000);
        reports.set(name, [...(reports.get(name) ?? []), report]);
        console.log(`${report.seconds.toFixed(1)} s`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ benchmark: repeat > 1 ? `${name} (run ${run})` : name, error: message });
        console.log(`FAILED: ${message.split("\n")[0]}`);
      } finally {
        await child.kill();
      }
    }
  }
} finally {
  try {
    await bigPg?.drop();
  } finally {
    cluster?.stop();
    if (!flag("keep")) await rm(workDir, { recursive: true, force: true });
  }
}

const figures = [...reports.values()].flatMap((runs) => combineRuns(runs.map((r) => r.figures)));
const totalSeconds = (performance.now() - started) / 1000;
console.log();
console.log(renderTable(figures));
console.log();
const missed = figures.filter((f) => f.met === false);
console.log(`${figures.filter((f) => f.met === true).length} goals met, ${missed.length} missed${failures.length ? `, ${failures.length} benchmarks failed` : ""}; total ${totalSeconds.toFixed(0)} s`);
for (const f of failures) console.log(`  ${f.benchmark}: ${f.error}`);

const results = {
  ranAt: new Date().toISOString(),
  quick,
  totalSeconds: Math.round(totalSeconds),
  machine: await machine(),
  ...(bigDb
    ? {
        database: {
          creations: bigDb.creations,
          reactions: bigDb.reactions,
          members: bigDb.members,
          buildSeconds: Math.round(bigDb.buildSeconds * 10) / 10,
          fileBytes: bigDb.fileBytes,
          ...(bigPg ? { postgresql: { buildSeconds: bigPg.buildSeconds, phases: bigPg.phases, server: cluster ? "throwaway cluster (.ci/pg-cluster.sh)" : "BENCH_DATABASE_URL" } } : {}),
        },
      }
    : {}),
  figures: figures.map((f) => ({
    name: f.name,
    value: f.value,
    unit: f.unit,
    baseline: f.baseline,
    ratio: ratio3(f.ratio),
    baselineIs: f.baselineIs,
    goal: f.goal,
    met: f.met,
    ...(f.note ? { note: f.note } : {}),
    runs: f.runs,
    ...(f.runs > 1
      ? { judgedOn: f.judgedOn, goalAsJudged: goalText(f), worst: { ...f.worst, ratio: ratio3(f.worst.ratio) }, perRun: f.perRun.map((r) => ({ ...r, ratio: ratio3(r.ratio) })) }
      : {}),
  })),
  facts: Object.fromEntries(
    [...reports].map(([name, runs]) => {
      const one = (r: BenchmarkReport) => ({ seconds: Math.round(r.seconds * 10) / 10, ...r.facts });
      return [name, runs.length === 1 ? one(runs[0]!) : { seconds: Math.round(runs.reduce((s, r) => s + r.seconds, 0) * 10) / 10, runs: runs.map(one) }];
    }),
  ),
  failures,
};
await writeFile(path.join(here, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(`figures written to ${path.relative(process.cwd(), path.join(here, "results.json"))}`);
process.exitCode = failures.length > 0 ? 1 : 0;

async function ownFolders(ctx: BenchContext, folder: string): Promise<BenchContext> {
  const own = { ...ctx, workDir: path.join(ctx.workDir, folder), logDir: path.join(ctx.logDir, folder) };
  await mkdir(own.workDir, { recursive: true });
  await mkdir(own.logDir, { recursive: true });
  return own;
}

function ratio3(ratio: number | null): number | null {
  return ratio === null ? null : Math.round(ratio * 1000) / 1000;
}

async function machine() {
  const os = await import("node:os");
  return { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "", memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
}
