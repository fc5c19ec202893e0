/** The contract of {@link DeliveryStore}: each inbound delivery handled once, by any of its keys. */
import { describe, expect, it } from "vitest";
import type { DeliveryStore } from "../../../src/core/store/deliveries.js";
import { at, days, T0 } from "./seed.js";
import { freshStore, raceFromTwoConnections, type StoreFactory } from "./store-under-test.js";

export function deliveryStoreContract(factory: StoreFactory): void {
  describe("DeliveryStore", () => {
    const store = freshStore(factory);
    const deliveries = (): DeliveryStore => store().stores.deliveries;

    it("says first once per key, and again once the delivery was released", async () => {
      expect(await deliveries().firstDelivery(["event:1"], T0)).toBe(true);
      expect(await deliveries().firstDelivery(["event:1"], at(1))).toBe(false);
      await deliveries().releaseDelivery(["event:1"]);
      expect(await deliveries().firstDelivery(["event:1"], at(2))).toBe(true);
      await deliveries().releaseDelivery(["never-seen"]);
    });

    it("says not first when any of the keys was seen, and then records none of the others", async () => {
      expect(await deliveries().firstDelivery(["event:1", "reaction:g1:m1:u1:+"], T0)).toBe(true);
      expect(await deliveries().firstDelivery(["event:2", "reaction:g1:m1:u1:+"], T0)).toBe(false);
      expect(await deliveries().firstDelivery(["event:2"], T0)).toBe(true);
      expect(await deliveries().firstDelivery(["event:3", "event:4"], T0)).toBe(true);
      expect(await deliveries().firstDelivery(["event:4"], T0)).toBe(false);
    });

    it("says first to one of several callers racing with one key from two connections", async () => {
      const first = await raceFromTwoConnections(store(), 8, (stores, i) => stores.deliveries.firstDelivery(["event:race", `id:${i}`], T0));
      expect(first.filter(Boolean)).toHaveLength(1);
    });

    it("forgets the deliveries recorded before an instant, and only those", async () => {
      await deliveries().firstDelivery(["old"], at(-days(3)));
      await deliveries().firstDelivery(["edge"], at(-days(2)));
      await deliveries().firstDelivery(["recent"], at(-1));
      expect(await deliveries().pruneDeliveries(at(-days(2)))).toBe(1);
      expect(await deliveries().firstDelivery(["old"], T0)).toBe(true);
      expect(await deliveries().firstDelivery(["edge"], T0)).toBe(false);
      expect(await deliveries().firstDelivery(["recent"], T0)).toBe(false);
      expect(await deliveries().pruneDeliveries(at(-days(2)))).toBe(0);
    });
  });
}
