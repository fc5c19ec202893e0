/**
 * The real bot as an operator runs it: `src/main.ts` in its own process (as `npm start` does), with exactly the given
 * environment, so that tests can SIGKILL or SIGTERM it at any point and start it again on the same database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";

const root = fileURLToPath(new URL("../..", import.meta.url));
const main = path.join(root, "src/main.ts");

export type LogLine = Record<string, unknown> & { level?: number; msg?: string };

export interface SalonProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  logs(): LogLine[];
  /** Everything written to stdout and stderr, for failure messages. */
  output(): string;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** `SIGKILL`: no handler runs, nothing is flushed or released; resolves once the process is gone. */
  crash(): Promise<void>;
}

/** A port that was free a moment ago, for `/healthz` (and Slack's HTTP events); the same across a restart. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `entry`: the script to run, `src/main.ts` unless a test needs its own (e.g. test/support/clocked-salon.ts). */
export function startSalonProcess(env: Record<string, string>, cwd: string, entry = main): SalonProcess {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), entry], {
    cwd,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "debug", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let partial = "";
  child.stdout!.on("data", (chunk) => {
    stdout += String(chunk);
    const parts = (partial + String(chunk)).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts.filter(Boolean)) {
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch (error) {
        lines.push({ msg: part, parseError: String(error) });
      }
    }
    for (const wake of [...waiters]) wake();
  });
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const output = () => `--- stdout\n${stdout.slice(-20_000)}\n--- stderr\n${stderr.slice(-5_000)}`;

  return {
    child,
    exited,
    logs: () => lines,
    output,
    waitForLog(predicate, timeoutMs = 30_000) {
      const found = lines.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find(predicate);
          if (!hit) return;
          done();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching log line within ${timeoutMs} ms\n${output()}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`the process exited before a matching log line\n${output()}`));
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off("exit", onExit);
        };
        waiters.add(check);
        child.once("exit", onExit);
      });
    },
    async crash() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Rows of the bot's SQLite file, read through a connection of the test's own (as an operator's sqlite3 would). */
export function readRows<T>(databaseFile: string, sql: string, ...params: unknown[]): T[] {
  const db = new BetterSqlite3(databaseFile, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Polls until `check` returns something truthy, and resolves with it. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<Exclude<T, null | undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      const value = await check();
      if (value) return value as Exclude<T, null | undefined | false>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
