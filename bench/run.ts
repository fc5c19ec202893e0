/**
 * `npm run bench`: runs every benchmark (each in its own process, each measuring Salon and its baseline side by side),
 * prints one table and writes `bench/results.json`. See bench/README.md for the method.
 *
 *   npm run bench                      everything (3 to 5 minutes on a 2-core machine)
 *   npm run bench -- --only ranking    some benchmarks (comma-separated names)
 *   npm run bench -- --quick           fewer rounds, a 10× smaller database (a smoke test, not a measurement)
 *   npm run bench -- --keep            keep the scratch folder (databases, logs)
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildBigDatabase, describeBigDatabase, FULL_SCALE, type BigDatabase } from "./lib/big-database.js";
import type { BenchContext } from "./lib/context.js";
import type { BenchmarkReport, Figure } from "./lib/figures.js";
import { spawnChild } from "./lib/rpc.js";
import { renderTable } from "./lib/table.js";

const ALL = ["ack", "reactions", "ranking", "throughput", "memory", "startup"] as const;
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
const only = option("only")?.split(",").map((s) => s.trim()) ?? [...ALL];
for (const name of only) if (!(ALL as readonly string[]).includes(name)) throw new Error(`unknown benchmark ${name}; one of ${ALL.join(", ")}`);

const started = performance.now();
const workDir = await mkdtemp(path.join(tmpdir(), "salon-bench-"));
const logDir = path.join(workDir, "logs");
await mkdir(logDir, { recursive: true });
console.log(`Salon benchmarks${quick ? " (quick: not a measurement)" : ""}; scratch folder ${workDir}`);

const reports: BenchmarkReport[] = [];
const failures: Array<{ benchmark: string; error: string }> = [];
let bigDb: BigDatabase | undefined;
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
  const ctx: BenchContext = { workDir, logDir, quick, ...(bigDb ? { bigDb } : {}) };
  for (const name of only) {
    process.stdout.write(`${name}… `);
    const child = await spawnChild(path.join(here, "lib/bench-child.ts"), { logFile: path.join(logDir, `${name}.log`), nodeArgs: ["--expose-gc"] });
    try {
      const report = await child.call<BenchmarkReport>("run", { name, ctx }, 400_000);
      reports.push(report);
      console.log(`${report.seconds.toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ benchmark: name, error: message });
      console.log(`FAILED: ${message.split("\n")[0]}`);
    } finally {
      await child.kill();
    }
  }
} finally {
  if (!flag("keep")) await rm(workDir, { recursive: true, force: true });
}

const figures: Figure[] = reports.flatMap((r) => r.figures);
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
    ? { database: { creations: bigDb.creations, reactions: bigDb.reactions, members: bigDb.members, buildSeconds: Math.round(bigDb.buildSeconds * 10) / 10, fileBytes: bigDb.fileBytes } }
    : {}),
  figures: figures.map(({ name, value, unit, baseline, ratio, baselineIs, goal, met, note }) => ({ name, value, unit, baseline, ratio: ratio === null ? null : Math.round(ratio * 1000) / 1000, baselineIs, goal, met, ...(note ? { note } : {}) })),
  facts: Object.fromEntries(reports.map((r) => [r.benchmark, { seconds: Math.round(r.seconds * 10) / 10, ...r.facts }])),
  failures,
};
await writeFile(path.join(here, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(`figures written to ${path.relative(process.cwd(), path.join(here, "results.json"))}`);
process.exitCode = failures.length > 0 ? 1 : 0;

async function machine() {
  const os = await import("node:os");
  return { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "", memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
}
