/**
 * graphile-worker set up for one Salon on PostgreSQL: its own small pool (the workers' connections and the one that
 * LISTENs), its schema migrated before anything is enqueued, the store's hook that writes jobs in the creations'
 * transactions, and the engine the generation queue runs on.
 */
import { runMigrations } from "graphile-worker";
import pg from "pg";
import type { JobEngine } from "../core/job-engine.js";
import type { Clock, Logger, Publisher } from "../core/ports.js";
import type { CreationStore } from "../core/store/creations.js";
import type { Platform } from "../core/types.js";
import { graphileCreationJobs, repairCreationJobs, type CreationJobs } from "../store/prisma/creation-jobs.js";
import type { PrismaClient } from "../store/generated/client.js";
import { GraphileJobEngine } from "./graphile-job-engine.js";

export interface GraphileJobs {
  /** For `createPrismaStores`: each queued creation's job, written in its own transaction. */
  creationJobs: CreationJobs;
  /** The engine for this process's generation queue. */
  engine(deps: { creations: CreationStore; publishers: Partial<Record<Platform, Publisher>>; owner: string; isOwnerGone?: (owner: string) => boolean }): JobEngine;
  /** Closes the engine's pool (after the queue has stopped). */
  close(): Promise<void>;
}

export interface GraphileJobsOptions {
  databaseUrl: string;
  prisma: PrismaClient;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  /** How often the engine repairs what a crash left, and how often idle workers poll (tests shorten both). */
  repairEveryMs?: number;
  pollIntervalMs?: number;
}

export async function setUpGraphileJobs(options: GraphileJobsOptions): Promise<GraphileJobs> {
  const { databaseUrl, prisma, clock, logger, concurrency, repairEveryMs, pollIntervalMs } = options;
  // graphile-worker wants its workers' connections and one more that LISTENs for new jobs.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency + 2 });
  // A connection that fails while idle or in use is logged, not a crash (graphile-worker checks for both handlers).
  const failed = (error: Error) => logger.warn({ err: error }, "a job engine connection failed");
  pool.on("error", failed);
  pool.on("connect", (client) => client.on("error", failed));
  await runMigrations({ pgPool: pool });
  return {
    creationJobs: graphileCreationJobs(clock),
    engine: ({ creations, publishers, owner, isOwnerGone }) =>
      new GraphileJobEngine({
        pool,
        creations,
        clock,
        logger,
        owner,
        concurrency,
        ...(isOwnerGone ? { isOwnerGone } : {}),
        platforms: (Object.keys(publishers) as Platform[]).filter((p) => publishers[p] !== undefined),
        repair: () => repairCreationJobs(prisma, clock),
        ...(repairEveryMs === undefined ? {} : { repairEveryMs }),
        ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
      }),
    close: () => pool.end(),
  };
}
