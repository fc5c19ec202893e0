/**
 * Acknowledgements before work (`AcknowledgementsFirst` in src/core/acknowledgements-first.ts): the work held back
 * by a burst of deferrals is let go one interaction per turn of the event loop, so the loop reads the network (and
 * sends the next burst's acknowledgements) between two of them. Turns are counted, no time is measured.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AcknowledgementsFirst, BURST_GAP_MS } from "../../src/core/acknowledgements-first.js";
import { eventLoopTurns } from "../support/event-loop-turns.js";

/** A deferral that answers when told to. */
function heldDeferral() {
  let answer!: () => void;
  const promise = new Promise<void>((resolve) => (answer = resolve));
  return { promise, answer };
}

/** Two deferrals in flight, as in a burst, until `answer` is called. */
function burstInFlight(acks: AcknowledgementsFirst) {
  const deferrals = [heldDeferral(), heldDeferral()];
  const acknowledged = deferrals.map((d) => acks.acknowledge(() => d.promise));
  return {
    async answer() {
      for (const d of deferrals) d.answer();
      await Promise.all(acknowledged);
    },
  };
}

/** `n` turns of the event loop. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

let counter: ReturnType<typeof eventLoopTurns> | undefined;
afterEach(() => counter?.stop());

describe("acknowledgements before work", () => {
  it("holds the work back while a burst's deferrals are in flight, then lets it go one interaction per turn of the event loop", async () => {
    const acks = new AcknowledgementsFirst();
    const burst = burstInFlight(acks);
    counter = eventLoopTurns();
    const wokeOnTurn: number[] = [];
    const work = Array.from({ length: 20 }, async () => {
      await acks.settled(60_000);
      wokeOnTurn.push(counter!.now());
    });
    await turns(5);
    expect(wokeOnTurn).toEqual([]);

    await burst.answer();
    await Promise.all(work);
    // Before the fix, all 20 woke on one turn, their work back to back with nothing read from the network between.
    expect(new Set(wokeOnTurn).size).toBe(20);
  });

  it("lets the work go one interaction per turn when its wait runs out with the burst's deferrals still in flight", async () => {
    const acks = new AcknowledgementsFirst();
    const burst = burstInFlight(acks);
    counter = eventLoopTurns();
    const wokeOnTurn: number[] = [];
    // Every wait ends at the same time, as in a burst whose deferrals all took longer than the wait.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        await acks.settled(5);
        wokeOnTurn.push(counter!.now());
      }),
    );
    expect(new Set(wokeOnTurn).size).toBe(20);
    await burst.answer();
  });

  it("does not hold back the work of an interaction when one other deferral is in flight (a member's second click)", async () => {
    const acks = new AcknowledgementsFirst();
    const deferral = heldDeferral();
    const acknowledged = acks.acknowledge(() => deferral.promise);
    let woke = false;
    await acks.settled(60_000).then(() => (woke = true));
    expect(woke).toBe(true);
    deferral.answer();
    await acknowledged;
  });

  it("holds the work back while commands arrive close together, even with fewer than two in flight, until the gap", async () => {
    let now = 1_000;
    const acks = new AcknowledgementsFirst(() => now);
    // Two requests read and answered one after the other, 10 ms apart: never two in flight, but a burst.
    acks.begin()();
    now += 10;
    acks.begin()();
    let woke = false;
    const work = acks.settled(60_000).then(() => (woke = true));
    await turns(5);
    await new Promise((resolve) => setTimeout(resolve, BURST_GAP_MS + 20)); // the clock stands still: still a burst
    expect(woke).toBe(false);
    now += BURST_GAP_MS;
    await work; // the gap is over: the timer set for it lets the work go
    expect(woke).toBe(true);
  });

  it("does not hold back a lone command, nor count the end of one acknowledgement twice", async () => {
    let now = 1_000;
    const acks = new AcknowledgementsFirst(() => now);
    const end = acks.begin();
    end();
    end(); // a second call must not make room for another in flight
    now += BURST_GAP_MS;
    const first = heldDeferral();
    const second = heldDeferral();
    const acknowledged = [acks.acknowledge(() => first.promise)];
    now += BURST_GAP_MS;
    acknowledged.push(acks.acknowledge(() => second.promise));
    let woke = false;
    const work = acks.settled(60_000).then(() => (woke = true));
    await turns(5);
    expect(woke).toBe(false); // two in flight: the ended one was not counted twice
    first.answer();
    second.answer();
    await Promise.all(acknowledged);
    await work;
    now += BURST_GAP_MS;
    let alone = false;
    await acks.settled(60_000).then(() => (alone = true));
    expect(alone).toBe(true);
  });
});
