/**
 * The wrapper that keeps an outage of the image store from losing an image or paying for one twice
 * (src/images/resilient-images.ts), over a store that fails on demand and a fake clock.
 */
import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../src/core/errors.js";
import { resilientImages } from "../../src/images/resilient-images.js";
import { FakeClock, MemoryImageFiles, SilentLogger } from "../support/core-fakes.js";

class Outage extends Error {}

/** A memory store that throws {@link Outage} while `down`, counting every call. */
function flakyStore() {
  const memory = new MemoryImageFiles();
  const state = { down: false, calls: 0 };
  const guard = <T>(call: () => Promise<T>) => {
    state.calls++;
    return state.down ? Promise.reject(new Outage("connection reset")) : call();
  };
  return {
    state,
    memory,
    store: {
      put: (bytes: Buffer, mime: "image/png" | "image/jpeg") => guard(() => memory.put(bytes, mime)),
      get: (hash: string) => guard(() => memory.get(hash)),
      delete: (hash: string) => guard(() => memory.delete(hash)),
    },
  };
}

/** Advances the fake clock until `done` settles, one sleeper at a time. */
async function runClock<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let settled = false;
  void work.then(() => (settled = true), () => (settled = true));
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    if (clock.sleeping > 0) clock.advance(60_000);
  }
  return work;
}

describe("resilientImages", () => {
  it("holds an image through an outage and stores it once the store answers; new images wait for the store meanwhile", async () => {
    const { state, memory, store } = flakyStore();
    const clock = new FakeClock();
    const logger = new SilentLogger();
    const images = resilientImages(store, { isUnavailable: (e) => e instanceof Outage, clock, logger });
    await expect(images.whenAvailable()).resolves.toBeUndefined(); // nothing failed yet: no probe
    expect(state.calls).toBe(0);

    state.down = true;
    const put = images.put(Buffer.from("paid for"), "image/png");
    await new Promise((resolve) => setImmediate(resolve));
    let available = false;
    const waiting = images.whenAvailable().then(() => (available = true));
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(available).toBe(false);
    expect(memory.images.size).toBe(0);

    state.down = false;
    const hash = await runClock(clock, put);
    await runClock(clock, waiting);
    expect(memory.images.get(hash)?.bytes.toString()).toBe("paid for");
    expect(logger.entries.map((e) => e.msg)).toEqual(["the image store is unavailable; trying again", "the image store answers again"]);
  });

  it("gives up reading or deleting after its patience with a StoreUnavailableError, and passes other errors at once", async () => {
    const { state, store } = flakyStore();
    const clock = new FakeClock();
    const images = resilientImages(store, { isUnavailable: (e) => e instanceof Outage, clock, logger: new SilentLogger(), patienceMs: 10_000 });
    state.down = true;
    await expect(runClock(clock, images.get("a".repeat(64)))).rejects.toThrow(StoreUnavailableError);
    await expect(runClock(clock, images.delete("a".repeat(64)))).rejects.toMatchObject({ code: "images_unavailable" });
    const refused = resilientImages({ ...store, get: () => Promise.reject(new Error("access denied")) }, { isUnavailable: (e) => e instanceof Outage, clock, logger: new SilentLogger() });
    await expect(refused.get("a".repeat(64))).rejects.toThrow("access denied");
  });
});
