/**
 * The identify slots every gateway process takes before it IDENTIFYs (src/discord/identify-throttler.ts): one per
 * bucket per window, across connections (processes), never two at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IdentifySlots } from "../../../src/discord/identify-throttler.js";
import { T0 } from "./seed.js";

/** Two views of one fresh database, as two processes would have, and how to close them. */
export interface TwoSlotStores {
  slots: [IdentifySlots, IdentifySlots];
  close(): Promise<void>;
}

const WINDOW = 5_250;
const at = (ms: number) => new Date(T0.getTime() + ms);

export function identifySlotsContract(open: () => Promise<TwoSlotStores>): void {
  describe("IdentifySlots", () => {
    let under: TwoSlotStores;
    beforeEach(async () => {
      under = await open();
    });
    afterEach(async () => {
      await under.close();
    });

    it("gives a bucket's slot to one process at a time, and tells the other how long until it frees", async () => {
      const [a, b] = under.slots;
      expect(await a.take(0, at(0), WINDOW)).toBe(0);
      expect(await b.take(0, at(1_000), WINDOW)).toBe(4_250);
      expect(await b.take(1, at(1_000), WINDOW)).toBe(0); // another bucket
      expect(await b.take(0, at(WINDOW), WINDOW)).toBe(0);
      expect(await a.take(0, at(WINDOW + 10), WINDOW)).toBe(WINDOW - 10);
    });

    it("lets exactly one of many processes asking at once take a bucket, new or freed", async () => {
      const [a, b] = under.slots;
      const race = (ms: number) => Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).take(3, at(ms), WINDOW)));
      for (const waits of [await race(0), await race(WINDOW)]) {
        expect(waits.filter((w) => w === 0)).toHaveLength(1);
        expect(waits.filter((w) => w > 0)).toHaveLength(7);
      }
    });
  });
}
