/**
 * Found by the /imagine burst (imagine-burst.e2e.test.ts), reproduced deterministically here with core fakes.
 *
 * `imagine` stores the job, reads its queue position and writes "Queued — position N" to the member's status
 * message. Under load a worker could claim, generate and post the job in between, and the late "queued" write then
 * replaced "Posted". The job is now stored with a short `notBefore` that is lifted once "queued" went out, and if a
 * worker still got there first (the grace ran out, as here), imagine re-sends where the job really is.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { CreationStore } from "../../src/core/store/creations.js";
import { buildSalon, waitFor, type SalonHarness } from "../support/core-fakes.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

let h: SalonHarness | undefined;
let database: TestDatabase | undefined;
afterEach(async () => {
  await h?.cleanup();
  await database?.cleanup();
  h = database = undefined;
});

describe("the order of status messages under load", () => {
  it("ends a posted creation's status message on Posted even when a worker is faster than the queued message", async () => {
    database = await createTestDatabase();
    let gate: Promise<void> = Promise.resolve();
    let release!: () => void;
    const real = database.stores.creations;
    // The creations as imagine sees them, with the queue-position read slowed down, as a busy database does.
    const slow = new Proxy(real, {
      get(target, name, receiver) {
        if (name === "queuePosition") return async (id: number) => (await gate, target.queuePosition(id));
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as CreationStore;
    h = await buildSalon({ database: { db: database.db, stores: database.stores, url: database.url }, deps: { creations: slow } });
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    await h.startQueue();

    gate = new Promise<void>((resolve) => (release = resolve));
    const asked = h.salon.imagine(h.actor("u-ana"), { prompt: "a quick one", statusRef: "status-ana" });
    // A worker wakes up (its idle poll) and makes and posts the job while imagine is still reading its position.
    await waitFor(async () => (await real.getCreation(1))?.status === "posted", { clock: h.clock, advanceMs: 5_000, what: "the job to be posted" });
    release();
    await asked;

    const states = h.publisher.statusesOf("status-ana").map((s) => s.state);
    expect(states).toContain("posted");
    expect(states.at(-1)).toBe("posted");
  });
});
