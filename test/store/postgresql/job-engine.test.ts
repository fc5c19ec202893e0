/**
 * The job engine contract on PostgreSQL (graphile-worker), and what only this engine has to prove: the job is written
 * in its creation's transaction, so a failure between the two leaves neither.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { postgresqlDialect } from "../../../src/store/dialects/postgresql.js";
import { setUpGraphileJobs, type GraphileJobs } from "../../../src/jobs/graphile-jobs.js";
import { postgresClient } from "../../../src/store/postgres.js";
import { createPrismaStores } from "../../../src/store/prisma/stores.js";
import type { PrismaClient } from "../../../src/store/generated/client.js";
import { SilentLogger } from "../../support/core-fakes.js";
import { MovableClock } from "../../support/movable-clock.js";
import { jobEngineContract } from "../contracts/job-engine.contract.js";
import { community, newCreation, NO_LIMITS, T0 } from "../contracts/seed.js";
import { postgresStore, thisFilesDatabase } from "./postgres-store.js";

/** Rows of one query on the test file's database. */
async function rows<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: (await thisFilesDatabase()).url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Empties graphile-worker's jobs too (the store's factory empties Salon's tables), once its schema exists. */
async function withEngineEmptied() {
  const under = await postgresStore();
  const { url } = await thisFilesDatabase();
  const clients: PrismaClient[] = [];
  const engines: GraphileJobs[] = [];
  const setUp = async (clock: MovableClock | InstanceType<typeof MovableClock>, concurrency: number) => {
    const prisma = postgresClient(url, { poolSize: 4 });
    clients.push(prisma);
    const jobs = await setUpGraphileJobs({ databaseUrl: url, prisma, clock, logger: new SilentLogger(), concurrency, repairEveryMs: 200, pollIntervalMs: 200 });
    engines.push(jobs);
    return { prisma, jobs };
  };
  const first = await setUp(new MovableClock(T0), 1);
  await rows("TRUNCATE graphile_worker._private_jobs, graphile_worker._private_job_queues");
  return { under, url, setUp, first, clients, engines };
}

jobEngineContract(async () => {
  const { under, setUp, first, clients, engines } = await withEngineEmptied();
  return {
    stores: createPrismaStores(first.prisma, postgresqlDialect, first.jobs.creationJobs),
    async process({ owner, clock, concurrency }) {
      const { prisma, jobs } = await setUp(clock as MovableClock, concurrency);
      const { creations } = createPrismaStores(prisma, postgresqlDialect, jobs.creationJobs);
      return { engine: jobs.engine({ creations, publishers: { discord: {} as never }, owner }), creations };
    },
    async cleanup() {
      await Promise.all(engines.map((e) => e.close()));
      await Promise.all(clients.map((c) => c.$disconnect()));
      await under.cleanup();
    },
  };
});

describe("graphile-worker's jobs and their creations", () => {
  it("are written in one transaction: a failure between the creation and its job leaves neither", async () => {
    const { under, first, clients, engines } = await withEngineEmptied();
    try {
      const stores = createPrismaStores(first.prisma, postgresqlDialect, first.jobs.creationJobs);
      const c = await community(stores);
      const failing = createPrismaStores(first.prisma, postgresqlDialect, {
        enqueue: async (tx, id) => {
          await first.jobs.creationJobs.enqueue(tx, id);
          throw new Error("the connection dropped after the job was added");
        },
        promoteNext: first.jobs.creationJobs.promoteNext,
      });
      await expect(failing.creations.insertCreationWithinLimits(newCreation(c, "ana"), NO_LIMITS)).rejects.toThrow("the connection dropped");
      expect(await rows('SELECT "id" FROM "Creation"')).toEqual([]);
      expect(await rows("SELECT id FROM graphile_worker.jobs")).toEqual([]);

      const created = await stores.creations.insertCreationWithinLimits(newCreation(c, "ana"), NO_LIMITS);
      expect(await rows("SELECT key, task_identifier FROM graphile_worker.jobs")).toEqual([{ key: `creation:${(created as { id: number }).id}`, task_identifier: "salon.creation.discord" }]);
    } finally {
      await Promise.all(engines.map((e) => e.close()));
      await Promise.all(clients.map((c) => c.$disconnect()));
      await under.cleanup();
    }
  });
});
