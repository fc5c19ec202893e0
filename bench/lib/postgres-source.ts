/**
 * Where the benchmarks' PostgreSQL comes from: the server `BENCH_DATABASE_URL` names, or a throwaway cluster the
 * bench starts itself (`.ci/pg-cluster.sh start DIR`) when no URL is given and PostgreSQL's binaries are there, or
 * none (SQLite's figures alone, with the reason printed). A cluster the bench started is stopped whatever happens:
 * at the end, on an error, and on SIGINT, SIGTERM or SIGHUP.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isPostgresUrl } from "../../src/store/database.js";

/** What a run uses for PostgreSQL's figures. */
export type PostgresChoice =
  | { kind: "url"; url: string }
  /** A throwaway cluster started with `.ci/pg-cluster.sh`, whose binaries are in `bin`. */
  | { kind: "cluster"; bin: string }
  /** SQLite alone; `why` is the line to print (null when `--db sqlite` asked for it). */
  | { kind: "none"; why: string | null };

export interface PostgresChoiceInput {
  /** `--db`: sqlite, postgres (or postgresql), or not given. */
  db: string | undefined;
  /** `BENCH_DATABASE_URL` ("" counts as unset). */
  url: string | undefined;
  /** Where `.ci/pg-cluster.sh` found initdb and pg_ctl, or why it found none. */
  binaries: { bin: string } | { missing: string };
}

const URL_HELP = "BENCH_DATABASE_URL=postgresql://role:password@host:5432/database, a role that may CREATE DATABASE (the bench makes its own databases and drops them)";

/**
 * The PostgreSQL a run measures on. `--db sqlite` leaves it out; a URL is used when given (and must be PostgreSQL's);
 * without one, a throwaway cluster when the binaries are there. Without either, `--db postgres` is refused (it asked
 * for figures the run cannot give), and a run that did not ask goes on with SQLite and says why.
 */
export function choosePostgres(input: PostgresChoiceInput): PostgresChoice {
  const db = input.db === "postgresql" ? "postgres" : input.db;
  if (db !== undefined && db !== "sqlite" && db !== "postgres") throw new Error(`--db takes sqlite or postgres (PostgreSQL beside SQLite); got ${input.db}`);
  if (db === "sqlite") return { kind: "none", why: null };
  const url = input.url || undefined;
  if (url !== undefined) {
    if (!isPostgresUrl(url)) throw new Error(`BENCH_DATABASE_URL must be a PostgreSQL URL: ${URL_HELP}`);
    return { kind: "url", url };
  }
  if ("bin" in input.binaries) return { kind: "cluster", bin: input.binaries.bin };
  const why = `no BENCH_DATABASE_URL, and no local PostgreSQL to start (${input.binaries.missing})`;
  if (db === "postgres") throw new Error(`--db postgres: ${why}. Set ${URL_HELP}, or install PostgreSQL's server binaries.`);
  return { kind: "none", why: `PostgreSQL figures skipped: ${why}.` };
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLUSTER_SCRIPT = path.join(here, "../../.ci/pg-cluster.sh");

/** Where `.ci/pg-cluster.sh bin` finds PostgreSQL's binaries (`PG_BIN`, Debian's folders, `PATH`), or why not. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): { bin: string } | { missing: string } {
  const found = spawnSync(CLUSTER_SCRIPT, ["bin"], { env, encoding: "utf8" });
  if (found.status === 0) return { bin: found.stdout.trim() };
  return { missing: (found.stderr || found.error?.message || `exit ${found.status}`).trim() };
}

export interface LocalCluster {
  url: string;
  dir: string;
  /** Stops the cluster and deletes its folder (idempotent, synchronous: it also runs from exit and signal handlers). */
  stop(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Starts a throwaway cluster (`.ci/pg-cluster.sh start DIR`: initdb in a folder of its own, loopback only) and makes
 * sure it stops: `stop()`, the process's exit, or one of SIGNALS (the cluster is stopped, then the signal is raised
 * again, so the bench ends as the signal meant).
 */
export function startLocalCluster(env: NodeJS.ProcessEnv = process.env): LocalCluster {
  // Its own folder under the system's temporary one (not the bench's scratch folder: as root, the server runs as the
  // `postgres` user, who must be able to reach it).
  const dir = path.join(tmpdir(), `salon-bench-pg-${randomUUID().slice(0, 8)}`);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", stop);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    spawnSync(CLUSTER_SCRIPT, ["stop", dir], { env, stdio: "ignore" });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    process.kill(process.pid, signal);
  };
  process.on("exit", stop);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  const started = spawnSync(CLUSTER_SCRIPT, ["start", dir], { env, encoding: "utf8" });
  if (started.status !== 0) {
    stop();
    throw new Error(`could not start a local PostgreSQL (.ci/pg-cluster.sh start): ${(started.stderr || started.error?.message || "").trim()}`);
  }
  return { url: started.stdout.trim(), dir, stop };
}
