/**
 * The contract of the job engine port (`src/core/job-engine.ts`), which every engine passes: the in-process one on
 * SQLite (test/store/sqlite/job-engine.test.ts) and graphile-worker on PostgreSQL (test/store/postgresql/…). Each
 * "process" is an engine of its own over its own connection to one database.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobEngine } from "../../../src/core/job-engine.js";
import type { Clock } from "../../../src/core/ports.js";
import type { CreationStore } from "../../../src/core/store/creations.js";
import type { Stores } from "../../../src/core/store/stores.js";
import type { Creation } from "../../../src/core/types.js";
import { MovableClock } from "../../support/movable-clock.js";
import { waitFor } from "../../support/core-fakes.js";
import { community, queued, T0 } from "./seed.js";

/** One more process's engine and creation store on the database under test. */
export interface EngineProcess {
  engine: JobEngine;
  creations: CreationStore;
}

export interface EngineUnderTest {
  /** The store through which the test queues creations. */
  stores: Stores;
  process(options: { owner: string; clock: Clock; concurrency: number }): Promise<EngineProcess>;
  cleanup(): Promise<void>;
}

export type EngineFactory = () => Promise<EngineUnderTest>;

/** A worker that records what it was handed, holds each job until the test lets it go, then posts it. */
function worker(p: EngineProcess, owner: string) {
  const started: Creation[] = [];
  const gates = new Map<number, () => void>();
  let running = 0;
  let most = 0;
  return {
    started,
    get most() {
      return most;
    },
    release(id?: number) {
      for (const [key, open] of gates) if (id === undefined || key === id) open();
    },
    handler: async (job: Creation) => {
      started.push(job);
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => gates.set(job.id, resolve));
      running--;
      await p.creations.transitionCreation(job.id, ["generating"], { status: "posted", postedAt: T0, finishedAt: T0 }, owner);
    },
    /** A worker that neither renews its claim nor ends its job until the test is over (as if its process died). */
    hanging: async (job: Creation) => {
      started.push(job);
      await new Promise<void>((resolve) => gates.set(job.id, resolve));
    },
  };
}

export function jobEngineContract(factory: EngineFactory): void {
  describe("JobEngine contract", () => {
    let under: EngineUnderTest;
    const engines: JobEngine[] = [];
    const workers: Array<ReturnType<typeof worker>> = [];
    const clock = new MovableClock(T0);
    beforeEach(async () => {
      clock.set(T0);
      under = await factory();
    });
    afterEach(async () => {
      for (const w of workers.splice(0)) w.release();
      await Promise.all(engines.splice(0).map((e) => e.stop()));
      await under.cleanup();
    });
    const start = async (owner: string, concurrency: number, pick: (w: ReturnType<typeof worker>) => (job: Creation) => Promise<void> = (w) => w.handler) => {
      const p = await under.process({ owner, clock, concurrency });
      const w = worker(p, owner);
      workers.push(w);
      engines.push(p.engine);
      await p.engine.start((job) => pick(w)(job));
      return w;
    };

    it("serves members round-robin: every member's first queued job starts before anyone's second", async () => {
      const c = await community(under.stores);
      const order = ["ana", "ana", "ana", "ben", "ben", "cy"];
      const ids = [];
      for (const user of order) ids.push((await queued(under.stores, c, user, { now: T0 })).id);
      const w = await start("w1", 1);
      for (let n = 1; n <= order.length; n++) {
        await waitFor(() => w.started.length === n, { what: `job ${n} to start` });
        w.release();
      }
      expect(w.started.map((job) => job.authorUserId)).toEqual(["ana", "ben", "cy", "ana", "ben", "ana"]);
      expect(w.started.map((job) => job.id)).toEqual([ids[0], ids[3], ids[5], ids[1], ids[4], ids[2]]);
    });

    it("runs at most `concurrency` jobs at once in one process, and each job in one process only", async () => {
      const c = await community(under.stores);
      for (let i = 0; i < 6; i++) await queued(under.stores, c, `u${i}`, { now: T0 });
      const [one, two] = [await start("w1", 2), await start("w2", 2)];
      await waitFor(() => one.started.length + two.started.length === 4, { what: "four jobs running" });
      expect([one.started.length, two.started.length]).toEqual([2, 2]);
      one.release();
      two.release();
      await waitFor(() => one.started.length + two.started.length === 6, { what: "the last two" });
      one.release();
      two.release();
      const ids = [...one.started, ...two.started].map((job) => job.id);
      expect(new Set(ids).size).toBe(6);
      expect(Math.max(one.most, two.most)).toBe(2);
    });

    it("hands a job whose claim ran out (its process died) to another process, which takes it over", async () => {
      const c = await community(under.stores);
      const job = await queued(under.stores, c, "ana", { now: T0 });
      const dead = await start("dead", 1, (w) => w.hanging);
      await waitFor(() => dead.started.length === 1, { what: "the job to start" });
      clock.advance(61_000); // past the claim's lease, which its dead process no longer renews
      const alive = await start("alive", 1);
      await waitFor(() => alive.started.length === 1, { what: "the job taken over", timeoutMs: 20_000 });
      expect(alive.started[0]).toMatchObject({ id: job.id, status: "generating", attempts: 1 });
      alive.release();
      await waitFor(async () => (await under.stores.creations.getCreation(job.id))?.status === "posted", { what: "the post" });
    });

    it("on stop lets the running job finish, and starts no queued one", async () => {
      const c = await community(under.stores);
      const first = await queued(under.stores, c, "ana", { now: T0 });
      const second = await queued(under.stores, c, "ben", { now: T0 });
      const p = await under.process({ owner: "w1", clock, concurrency: 1 });
      const w = worker(p, "w1");
      workers.push(w);
      await p.engine.start(w.handler);
      await waitFor(() => w.started.length === 1, { what: "the first job" });
      const stopped = p.engine.stop();
      w.release();
      await stopped;
      expect(w.started.map((job) => job.id)).toEqual([first.id]);
      expect((await under.stores.creations.getCreation(first.id))?.status).toBe("posted");
      expect((await under.stores.creations.getCreation(second.id))?.status).toBe("queued");
    });
  });
}
