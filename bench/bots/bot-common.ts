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
