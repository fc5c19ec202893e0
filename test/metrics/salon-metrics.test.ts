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

  it("keeps the rest of the scrape when the queue cannot be read: the queue gauges NaN, salon_database_up 0", async () => {
    const metrics = createSalonMetrics(() => Promise.reject(new Error("connection refused")), () => new Date());
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^salon_database_up 0$/m);
    // prom-client writes NaN as "Nan"; Prometheus reads either (Go's ParseFloat ignores case).
    expect(text).toMatch(/^salon_queue_depth NaN$/im);
    expect(text).toMatch(/^salon_queue_oldest_age_seconds NaN$/im);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
