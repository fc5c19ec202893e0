/**
 * Child processes driven over Node's IPC channel. Each side of a benchmark (Salon, its baseline, the loopback
 * platforms) runs in its own process, as it would in production, so one side's work never sits on the other's event
 * loop and memory is measured per process.
 */
import { fork, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { fileURLToPath } from "node:url";

type Handler = (arg: any) => unknown;

interface CallMessage {
  type: "call";
  id: number;
  method: string;
  arg: unknown;
}

type ReplyMessage = { type: "ready" } | { type: "result"; id: number; value: unknown } | { type: "error"; id: number; message: string };

/**
 * In a child: answers the parent's calls with these handlers. `exitOnSigterm: false` leaves SIGTERM to the process's
 * own handler (Salon's graceful stop, when the handlers are preloaded into it).
 */
export function serve(handlers: Record<string, Handler>, options: { exitOnSigterm?: boolean } = {}): void {
  process.on("message", (message: CallMessage) => {
    if (message?.type !== "call") return;
    const handler = handlers[message.method];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no method ${message.method}`);
        return handler(message.arg);
      })
      .then(
        (value) => process.send!({ type: "result", id: message.id, value } satisfies ReplyMessage),
        (error: unknown) => process.send!({ type: "error", id: message.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies ReplyMessage),
      );
  });
  // A parent that went away (the run was interrupted) takes its children with it.
  process.on("disconnect", () => process.exit(0));
  // Exit rather than die on SIGTERM, so that a --cpu-prof profile gets written.
  if (options.exitOnSigterm !== false) process.on("SIGTERM", () => process.exit(0));
  process.send!({ type: "ready" } satisfies ReplyMessage);
}

export interface Child {
  readonly pid: number;
  call<T = unknown>(method: string, arg?: unknown, timeoutMs?: number): Promise<T>;
  /** Ends the process (SIGKILL after `graceMs` if it has not exited). */
  kill(graceMs?: number): Promise<void>;
  readonly process: ChildProcess;
}

export interface SpawnOptions {
  /** File that receives the child's stdout and stderr (Salon's JSON logs, stack traces). */
  logFile: string;
  env?: Record<string, string>;
  /** Start from `env` alone instead of adding it to this process's environment. */
  envOnly?: boolean;
  cwd?: string;
  /** Extra node flags, e.g. `--expose-gc`. */
  nodeArgs?: string[];
  /** Load TypeScript through tsx (the default), or run a JavaScript module with plain node. */
  loader?: "tsx" | "none";
}

const TSX = fileURLToPath(import.meta.resolve("tsx"));

/** Starts a module that calls {@link serve} (or preloads a module that does), TypeScript through tsx by default. */
export async function spawnChild(modulePath: string, options: SpawnOptions): Promise<Child> {
  const log = openSync(options.logFile, "a");
  const child = fork(modulePath, [], {
    execArgv: [...(options.loader === "none" ? [] : ["--import", TSX]), ...(options.nodeArgs ?? [])],
    env: options.envOnly ? options.env : { ...process.env, ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ["ignore", log, log, "ipc"],
    serialization: "advanced",
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.on("exit", (code, signal) => {
    for (const { reject } of pending.values()) reject(new Error(`${modulePath} exited (${code ?? signal}); see ${options.logFile}`));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.on("message", function onReady(message: ReplyMessage) {
      if (message.type !== "ready") return;
      child.off("message", onReady);
      resolve();
    });
    child.once("exit", (code) => reject(new Error(`${modulePath} exited with ${code} before it was ready; see ${options.logFile}`)));
  });
  child.on("message", (message: ReplyMessage) => {
    if (message.type === "ready") return;
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.type === "result") waiter.resolve(message.value);
    else waiter.reject(new Error(`${modulePath}: ${message.message}`));
  });
  return {
    pid: child.pid!,
    process: child,
    call<T>(method: string, arg?: unknown, timeoutMs = 120_000): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${modulePath}.${method} did not answer within ${timeoutMs} ms; see ${options.logFile}`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v as T)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        child.send({ type: "call", id, method, arg } satisfies CallMessage);
      });
    },
    async kill(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A clock shared by every process on the machine (ms since the epoch, sub-millisecond resolution). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
