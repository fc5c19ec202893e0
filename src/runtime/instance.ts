/**
 * Who this process is, as the owner of job and digest claims: `host:pid:start:random`. From that, start-up can tell
 * that the owner of an old claim is gone (it ran on this host and its process no longer exists) and take its work
 * over at once, instead of waiting for the claim's lease to run out.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";

interface Owner {
  host: string;
  pid: number;
  /** When the owner's process started (ms since the epoch): tells a restarted container's pid 1 from this one. */
  started: number;
}

const self: Owner = { host: hostname(), pid: process.pid, started: Math.round(performance.timeOrigin) };

/** A new instance id for one Salon started in this process. */
export function newInstanceId(): string {
  return `${self.host}:${self.pid}:${self.started}:${randomUUID().slice(0, 8)}`;
}

function parse(instanceId: string): Owner | null {
  const match = /^(.+):(\d+):(\d+):[0-9a-f]{8}$/.exec(instanceId);
  return match ? { host: match[1]!, pid: Number(match[2]), started: Number(match[3]) } : null;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else (a reused pid), so it may be alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * True when the process that owns `instanceId` certainly no longer runs: it ran on this host, and either its pid is
 * free, or its pid is ours but it started before this process (a container restarted as pid 1). Another Salon in
 * this same process, an owner on another host or an id of another shape counts as alive: its lease decides.
 */
export function isInstanceGone(instanceId: string): boolean {
  const owner = parse(instanceId);
  if (!owner || owner.host !== self.host) return false;
  if (owner.pid === self.pid) return owner.started !== self.started;
  return !processExists(owner.pid);
}
