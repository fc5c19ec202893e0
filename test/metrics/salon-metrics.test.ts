import { describe, expect, it } from "vitest";
import type { QueueStats } from "../../src/core/ports.js";
import { createSalonMetrics } from "../../src/metrics/salon-metrics.js";

describe("Salon's metrics registry", () => {
  it("reads the queue from the store once per scrape, for both queue gauges, and again at the next scrape", async () => {
    let reads = 0;
    const now = new Date("2026-12-02T12:00:00Z");
    const queue = async (): Promise<QueueStats> => {
      reads++;
      return { depth: 3, oldestCreatedAt: new Date(now.getTime() - 90_000) };
    };
    const metrics = createSalonMetrics(queue, () => now);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^salon_queue_depth 3$/m);
    expect(text).toMatch(/^salon_queue_oldest_age_seconds 90$/m);
    expect(reads).toBe(1);
    await metrics.registry.metrics();
    expect(reads).toBe(2);
  });
});
