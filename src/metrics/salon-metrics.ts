/**
 * Salon's Prometheus metrics, on a registry of the instance's own (several Salons in one process, as in tests, never
 * share one), with Node's default process metrics. The queue's depth and oldest age are read from the store when
 * scraped; the rest are counted where they happen, through the core's {@link MetricsSink} port.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MetricsSink, QueueStats } from "../core/ports.js";
import type { ShardHealth } from "../discord/shards.js";

export interface SalonMetrics extends MetricsSink {
  registry: Registry;
}

/** Seconds since the oldest queued creation was created; null when nothing is queued. */
export function oldestQueuedAgeSeconds({ oldestCreatedAt }: QueueStats, now: Date): number | null {
  return oldestCreatedAt ? Math.max(0, (now.getTime() - oldestCreatedAt.getTime()) / 1000) : null;
}

/** `roles`: what this process runs (`SALON_ROLES`), one `salon_process_role{role}` sample each, for dashboards to count them. */
export function createSalonMetrics(queueStats: () => Promise<QueueStats>, now: () => Date, roles: readonly string[] = []): SalonMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const processRoles = new Gauge({ name: "salon_process_role", help: "1 for each role this process runs (SALON_ROLES)", labelNames: ["role"], registers: [registry] });
  for (const role of roles) processRoles.set({ role }, 1);
  // A scrape collects every metric at once: the gauges below share one read of the store. A read that fails leaves the
  // rest of the scrape standing: the queue gauges are NaN and salon_database_up says why.
  let reading: Promise<QueueStats | null> | null = null;
  const stats = () => (reading ??= queueStats().then((s) => s, () => null).finally(() => (reading = null)));
  new Gauge({
    name: "salon_database_up",
    help: "1 when this scrape could read the queue from the database, 0 when it could not",
    registers: [registry],
    async collect() {
      this.set((await stats()) ? 1 : 0);
    },
  });
  new Gauge({
    name: "salon_queue_depth",
    help: "Creations queued and not yet claimed by a worker (NaN when the database could not be read)",
    registers: [registry],
    async collect() {
      this.set((await stats())?.depth ?? Number.NaN);
    },
  });
  new Gauge({
    name: "salon_queue_oldest_age_seconds",
    help: "Age of the oldest queued creation (0 when none, NaN when the database could not be read)",
    registers: [registry],
    async collect() {
      const read = await stats();
      this.set(read ? (oldestQueuedAgeSeconds(read, now()) ?? 0) : Number.NaN);
    },
  });
  const jobs = new Counter({ name: "salon_jobs_finished_total", help: "Generation jobs finished, by outcome", labelNames: ["outcome"], registers: [registry] });
  const latency = new Histogram({
    name: "salon_generation_seconds",
    help: "Duration of successful OpenAI image generation calls",
    buckets: [1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180],
    registers: [registry],
  });
  const openaiErrors = new Counter({ name: "salon_openai_errors_total", help: "Failed OpenAI calls, by kind", labelNames: ["kind"], registers: [registry] });
  const rateLimits = new Counter({ name: "salon_platform_rate_limited_total", help: "Rate limits (429) hit on a platform's API", labelNames: ["platform"], registers: [registry] });
  const reactions = new Counter({ name: "salon_reactions_ingested_total", help: "Reaction events on gallery posts applied", registers: [registry] });
  const digests = new Counter({ name: "salon_digests_posted_total", help: "Daily digests posted", registers: [registry] });
  return {
    registry,
    jobFinished: (outcome) => jobs.inc({ outcome }),
    generationSeconds: (seconds) => latency.observe(seconds),
    openaiError: (kind) => openaiErrors.inc({ kind }),
    platformRateLimited: (platform) => rateLimits.inc({ platform }),
    reactionIngested: () => reactions.inc(),
    digestPosted: () => digests.inc(),
  };
}

/**
 * The gateway shards of this process, read when scraped: `salon_discord_shard_ready` (1 ready, 0 not) and the last
 * heartbeat's latency per shard. Alert on a shard that stays at 0.
 */
export function registerShardMetrics(registry: Registry, shards: () => ShardHealth[]): void {
  new Gauge({
    name: "salon_discord_shard_ready",
    help: "Whether each Discord gateway shard of this process is connected and ready (1) or not (0)",
    labelNames: ["shard"],
    registers: [registry],
    collect() {
      this.reset();
      for (const shard of shards()) this.set({ shard: String(shard.id) }, shard.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: "salon_discord_shard_latency_seconds",
    help: "Round trip of each Discord gateway shard's last heartbeat",
    labelNames: ["shard"],
    registers: [registry],
    collect() {
      this.reset();
      for (const shard of shards()) if (shard.latencyMs !== null) this.set({ shard: String(shard.id) }, shard.latencyMs / 1000);
    },
  });
}
