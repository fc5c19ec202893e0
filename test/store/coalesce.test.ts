/**
 * The batching under the store's reaction path: calls of one turn run as one batch, batches run in call order, a bad
 * call fails alone, and a call may share the answer of a waiting call with the same key — never that of a batch that
 * has already started (it may have read before the caller's own write).
 */
import { describe, expect, it } from "vitest";
import { Coalescer } from "../../src/store/coalesce.js";

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("Coalescer", () => {
  it("runs the calls of one turn as one batch and answers each caller with its own value, in order", async () => {
    const batches: number[][] = [];
    const c = new Coalescer<number, number>(async (keys) => {
      batches.push(keys);
      return keys.map((k) => k * 10);
    });
    expect(await Promise.all([c.call(1), c.call(2), c.call(3)])).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it("runs what arrives during a batch as the next batch, after it, and bounds a batch's size", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const c = new Coalescer<number, number>(
      async (keys) => {
        batches.push(keys);
        if (batches.length === 1) await held;
        return keys;
      },
      { maxBatch: 2 },
    );
    const first = c.call(1);
    await turn();
    const later = [c.call(2), c.call(3), c.call(4)];
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it("fails only the bad call of a failed batch", async () => {
    const c = new Coalescer<number, number>(async (keys) => {
      if (keys.includes(2)) throw new Error(`bad ${keys.join(",")}`);
      return keys;
    });
    const results = await Promise.allSettled([c.call(1), c.call(2), c.call(3)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe("bad 2");
  });

  it("shares a waiting call's answer with a call of the same key, but never a started batch's", async () => {
    let reads = 0;
    let stored = 0;
    let release!: () => void;
    let held: Promise<void> | null = new Promise<void>((resolve) => (release = resolve));
    const c = new Coalescer<string, number>(async (keys) => {
      reads++;
      const value = stored; // read when the batch starts
      if (held) await held;
      return keys.map(() => value);
    });
    // Two calls of one turn with the same key: one place in the batch, one read.
    const [a, b] = [c.call("post", "post"), c.call("post", "post")];
    expect(a).toBe(b);
    await turn();
    // The batch has started (and read 0). A write happens; a call made after it must not get the old answer.
    stored = 1;
    const after = c.call("post", "post");
    expect(after).not.toBe(a);
    held = null;
    release();
    expect(await a).toBe(0);
    expect(await after).toBe(1);
    expect(reads).toBe(2);
  });

  it("waits for `before` and reports when it is idle", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const ran: string[] = [];
    const c = new Coalescer<string, string>(async (keys) => (ran.push(...keys), keys), { before: () => gate });
    const call = c.call("x");
    await turn();
    expect(c.active).toBe(true);
    expect(ran).toEqual([]);
    const idle = c.whenIdle();
    open();
    expect(await call).toBe("x");
    await idle;
    expect(c.active).toBe(false);
  });
});
