import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Logger } from "../../src/core/ports.js";
import { startDigestScheduler, type DigestScheduler } from "../../src/scheduler/digest-scheduler.js";

interface Entry {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  msg: string | undefined;
}

/** A working logger that keeps what it is told. */
function recordingLogger(entries: Entry[] = [], bindings: Record<string, unknown> = {}): Logger & { entries: Entry[] } {
  const at = (level: Entry["level"]) => (fields: object, msg?: string) => void entries.push({ level, fields: { ...bindings, ...fields }, msg });
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (more) => recordingLogger(entries, { ...bindings, ...more }) };
}

/** A tick whose runs can be held open and released one at a time. */
function controllableTick() {
  const started: Date[] = [];
  const pending: Array<() => void> = [];
  let hold = false;
  const tick = vi.fn(async () => {
    started.push(new Date());
    if (hold) await new Promise<void>((resolve) => pending.push(resolve));
  });
  return {
    tick,
    started,
    holdRuns: (value: boolean) => (hold = value),
    release: () => pending.splice(0).forEach((resolve) => resolve()),
  };
}

let scheduler: DigestScheduler | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-11-26T08:58:30.250Z") });
});
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  vi.useRealTimers();
});

describe("startDigestScheduler", () => {
  it("runs one tick at once, to post digests missed while the bot was down", async () => {
    const { tick } = controllableTick();
    scheduler = startDigestScheduler({ tick, logger: recordingLogger() });
    await vi.advanceTimersByTimeAsync(0);
    expect(tick).toHaveBeenCalledTimes(1);
  });

  it("then runs a tick at second 0 of every minute", async () => {
    const { tick, started } = controllableTick();
    scheduler = startDigestScheduler({ tick, logger: recordingLogger() });
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(started.map((d) => d.toISOString().slice(11, 19))).toEqual(["08:58:30", "08:59:00", "09:00:00", "09:01:00"]);
  });

  it("skips a minute while the previous tick still runs, never running two at once", async () => {
    const run = controllableTick();
    run.holdRuns(true);
    const logger = recordingLogger();
    scheduler = startDigestScheduler({ tick: run.tick, logger });
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(run.tick).toHaveBeenCalledTimes(1);
    expect(logger.entries.some((e) => e.level === "warn")).toBe(true);

    run.holdRuns(false);
    run.release();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run.tick).toHaveBeenCalledTimes(2);
  });

  it("skips the first scheduled minute when the start-up tick is still running", async () => {
    const run = controllableTick();
    run.holdRuns(true);
    const logger = recordingLogger();
    scheduler = startDigestScheduler({ tick: run.tick, logger });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(run.tick).toHaveBeenCalledTimes(1);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: "warn", msg: "digest tick skipped: the previous one is still running" }));
    run.holdRuns(false);
    run.release();
  });

  it("logs a failed tick and tries again the next minute", async () => {
    const logger = recordingLogger();
    const failure = new Error("database is locked");
    const tick = vi.fn().mockRejectedValueOnce(failure).mockResolvedValue(2);
    scheduler = startDigestScheduler({ tick, logger });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tick).toHaveBeenCalledTimes(2);
    expect(logger.entries).toContainEqual({ level: "error", fields: { component: "digest-scheduler", err: failure, reason: "start-up" }, msg: "digest tick failed" });
  });

  it("survives a tick that throws before returning a promise", async () => {
    const logger = recordingLogger();
    const tick = vi.fn(() => {
      throw new Error("not ready");
    });
    scheduler = startDigestScheduler({ tick, logger });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tick).toHaveBeenCalledTimes(2);
    expect(logger.entries.filter((e) => e.level === "error")).toHaveLength(2);
  });

  it("on stop, waits for the running tick and runs no more", async () => {
    const run = controllableTick();
    run.holdRuns(true);
    scheduler = startDigestScheduler({ tick: run.tick, logger: recordingLogger() });
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    run.release();
    await stopping;
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(run.tick).toHaveBeenCalledTimes(1);
  });
});
