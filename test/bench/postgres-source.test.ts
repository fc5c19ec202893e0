/**
 * Where `npm run bench` gets its PostgreSQL (bench/lib/postgres-source.ts): the URL given, else a throwaway cluster
 * when PostgreSQL's binaries are there, else none with the reason said; and a cluster it started is stopped however
 * the bench ends. Nothing here measures a time.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { choosePostgres, findPostgresBinaries } from "../../bench/lib/postgres-source.js";

const url = "postgresql://bench:secret@127.0.0.1:5432/postgres";
const found = { bin: "/usr/lib/postgresql/15/bin" };
const missing = { missing: "no initdb/pg_ctl in /usr/bin: install PostgreSQL (Debian: apt-get install postgresql) or set PG_BIN" };

describe("choosing the benchmarks' PostgreSQL", () => {
  it("uses the server BENCH_DATABASE_URL names, with or without --db postgres, and starts nothing", () => {
    expect(choosePostgres({ db: undefined, url, binaries: found })).toEqual({ kind: "url", url });
    expect(choosePostgres({ db: "postgres", url, binaries: missing })).toEqual({ kind: "url", url });
    expect(choosePostgres({ db: "postgresql", url, binaries: found })).toEqual({ kind: "url", url });
  });

  it("starts a throwaway cluster when no URL is given and the binaries are there, asked for or not", () => {
    expect(choosePostgres({ db: undefined, url: undefined, binaries: found })).toEqual({ kind: "cluster", bin: found.bin });
    expect(choosePostgres({ db: "postgres", url: "", binaries: found })).toEqual({ kind: "cluster", bin: found.bin });
  });

  it("skips PostgreSQL's figures with the reason when nothing was asked and there is neither a URL nor binaries", () => {
    const choice = choosePostgres({ db: undefined, url: undefined, binaries: missing });
    expect(choice.kind).toBe("none");
    expect(choice.kind === "none" && choice.why).toMatch(/^PostgreSQL figures skipped: no BENCH_DATABASE_URL, and no local PostgreSQL to start \(no initdb\/pg_ctl in \/usr\/bin/);
  });

  it("refuses --db postgres that it cannot serve, saying how to fix it", () => {
    expect(() => choosePostgres({ db: "postgres", url: undefined, binaries: missing })).toThrow(/--db postgres: no BENCH_DATABASE_URL.*Set BENCH_DATABASE_URL=postgresql:\/\/.*or install PostgreSQL/);
  });

  it("leaves PostgreSQL out with --db sqlite, even with a URL, and refuses what it cannot read", () => {
    expect(choosePostgres({ db: "sqlite", url, binaries: found })).toEqual({ kind: "none", why: null });
    expect(() => choosePostgres({ db: "mysql", url, binaries: found })).toThrow("--db takes sqlite or postgres (PostgreSQL beside SQLite); got mysql");
    expect(() => choosePostgres({ db: undefined, url: "file:./big.db", binaries: found })).toThrow(/^BENCH_DATABASE_URL must be a PostgreSQL URL/);
  });

  it("asks .ci/pg-cluster.sh where the binaries are, and reports its reason when they are not", () => {
    expect(findPostgresBinaries({ ...process.env, PG_BIN: "/nonexistent" })).toEqual({
      missing: "no initdb/pg_ctl in /nonexistent: install PostgreSQL (Debian: apt-get install postgresql) or set PG_BIN",
    });
  });
});

const binaries = findPostgresBinaries();

describe.runIf("bin" in binaries)("a throwaway cluster the bench started", () => {
  it("is stopped and its folder deleted when the bench is ended by SIGTERM", async () => {
    // A process that starts a cluster as bench/run.ts does, says where, then waits to be killed.
    const script = `
      import { startLocalCluster } from ${JSON.stringify(path.resolve("bench/lib/postgres-source.ts"))};
      const cluster = startLocalCluster();
      process.send({ dir: cluster.dir, url: cluster.url });
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const started = await new Promise<{ dir: string; url: string }>((resolve, reject) => {
      child.once("message", (m) => resolve(m as { dir: string; url: string }));
      child.once("exit", (code) => reject(new Error(`the bench stand-in exited (${code}) before starting a cluster: ${stderr}`)));
    });
    expect(started.url).toMatch(/^postgresql:\/\/salon:[A-Za-z0-9]+@127\.0\.0\.1:\d+\/salon$/);
    expect(existsSync(path.join(started.dir, "data", "postmaster.pid"))).toBe(true);

    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGTERM");
    // Ended by the signal it was sent (raised again once the cluster was stopped), and nothing left behind.
    expect(await exited).toBe("SIGTERM");
    expect(existsSync(started.dir)).toBe(false);
    await expect(new pg.Client({ connectionString: started.url }).connect()).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);
});
