/** What the machine was doing around a measurement: the kernel's dirty and in-flight page-cache bytes, load average. */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

export interface SystemSample {
  /** Page-cache bytes written by someone and not yet on disk (`Dirty` in /proc/meminfo), MiB. */
  dirtyMiB: number;
  /** Bytes being written to disk right now (`Writeback`), MiB. */
  writebackMiB: number;
  load1: number;
}

export function systemSample(): SystemSample {
  let meminfo = "";
  try {
    meminfo = readFileSync("/proc/meminfo", "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const mib = (name: string) => Math.round(Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(meminfo)?.[1] ?? Number.NaN) / 1024);
  return { dirtyMiB: mib("Dirty"), writebackMiB: mib("Writeback"), load1: Math.round(loadavg()[0]! * 100) / 100 };
}
