import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../src/runtime/system-clock.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("systemClock", () => {
  it("tells the current time", () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it("sleeps for the given time", async () => {
    const started = performance.now();
    await systemClock.sleep(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });

  it("resolves at once for zero or negative durations", async () => {
    await expect(systemClock.sleep(0)).resolves.toBeUndefined();
    await expect(systemClock.sleep(-5)).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const started = performance.now();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(reason), 10);
    await expect(sleeping).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("rejects at once when the signal has already aborted", async () => {
    await expect(systemClock.sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
  });

  it("does not leave its abort listener on the signal after waking normally", async () => {
    const controller = new AbortController();
    await systemClock.sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("sleeps past setTimeout's 24.8-day limit instead of waking at once", async () => {
    vi.useFakeTimers();
    const limit = 2 ** 31 - 1;
    let woke = false;
    void systemClock.sleep(limit + 1_000).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(limit);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(woke).toBe(true);
  });

  it("sleeps until aborted when asked to sleep forever", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleeping = systemClock.sleep(Number.POSITIVE_INFINITY, controller.signal);
    await vi.advanceTimersByTimeAsync(10 * 2 ** 31);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
  });
});
