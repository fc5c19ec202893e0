import { readFileSync } from "node:fs";
/** What the bot processes share: waiting on a condition, and memory measured after garbage collection. */

export async function waitUntil(done: () => boolean, timeoutMs: number, progress: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms: ${progress()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Linux's split of the resident set (from /proc/self/status): anonymous memory and mapped files (code, libraries). */
  rssAnon?: number;
  rssFile?: number;
}

function procStatus(): { rssAnon?: number; rssFile?: number } {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rssAnon: kib("RssAnon"), rssFile: kib("RssFile") };
  } catch {
    return {};
  }
}

/** `process.memoryUsage()` after full collections (the process runs with --expose-gc) and a moment to settle. */
export async function settledMemory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers, ...procStatus() };
}

/** CPU profiling of a window of a bot's life (a burst), for `BENCH_PROFILE`: written as a .cpuprofile file. */
let session: import("node:inspector").Session | null = null;

export async function startProfile(): Promise<void> {
  const inspector = await import("node:inspector");
  session = new inspector.Session();
  session.connect();
  const post = (method: string) => new Promise<void>((resolve, reject) => session!.post(method, (error) => (error ? reject(error) : resolve())));
  await post("Profiler.enable");
  await post("Profiler.start");
}

export async function stopProfile(file: string): Promise<void> {
  const { writeFile } = await import("node:fs/promises");
  const profile = await new Promise<unknown>((resolve, reject) => session!.post("Profiler.stop", (error, result) => (error ? reject(error) : resolve(result.profile))));
  await writeFile(file, JSON.stringify(profile));
  session!.disconnect();
  session = null;
}

/**
 * Event-loop delay over a window of a bot's life (a burst): how long a timer due every 10 ms waited beyond it. Each
 * stall of 100 ms or more is kept with when it ended (epoch ms) and how the main thread spent it, from Linux's
 * /proc/thread-self/schedstat: running (JavaScript, a collection, a synchronous call's CPU), waiting for a core (the
 * machine is busy), or neither, i.e. blocked (a synchronous call waiting on the disk, a page fault).
 */
export interface Stall {
  endedAt: number;
  ms: number;
  runningMs: number;
  waitingForCpuMs: number;
  blockedMs: number;
}

let loopDelay: { histogram: import("node:perf_hooks").IntervalHistogram; timer: NodeJS.Timeout; stalls: Stall[] } | null = null;

/** Nanoseconds the main thread has run and has waited on a run queue; null where Linux's schedstat is missing. */
function schedstat(): { run: number; wait: number } | null {
  try {
    const [run, wait] = readFileSync("/proc/thread-self/schedstat", "utf8").split(" ").map(Number);
    return { run: run!, wait: wait! };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export async function startLoopDelay(): Promise<void> {
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const stalls: Stall[] = [];
  let last = performance.now();
  let lastSched = schedstat();
  const timer = setInterval(() => {
    const now = performance.now();
    const sched = schedstat();
    if (now - last >= 110) {
      const ms = now - last - 10;
      const runningMs = sched && lastSched ? (sched.run - lastSched.run) / 1e6 : Number.NaN;
      const waitingForCpuMs = sched && lastSched ? (sched.wait - lastSched.wait) / 1e6 : Number.NaN;
      const round = (x: number) => Math.round(x);
      stalls.push({ endedAt: round(performance.timeOrigin + now), ms: round(ms), runningMs: round(runningMs), waitingForCpuMs: round(waitingForCpuMs), blockedMs: round(now - last - runningMs - waitingForCpuMs) });
    }
    last = now;
    lastSched = sched;
  }, 10);
  loopDelay = { histogram, timer, stalls };
}

export function stopLoopDelay(): { maxMs: number; p99Ms: number; meanMs: number; stalls: Stall[] } {
  if (!loopDelay) throw new Error("startLoopDelay() first");
  const { histogram, timer, stalls } = loopDelay;
  histogram.disable();
  clearInterval(timer);
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  loopDelay = null;
  return { maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), meanMs: ms(histogram.mean), stalls };
}
