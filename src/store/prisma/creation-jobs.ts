/**
 * The creations' jobs in graphile-worker, written in the creation store's own transactions through graphile-worker's
 * SQL API (`graphile_worker.add_job`): a creation is never stored without its job, nor a job without its creation.
 *
 * Fairness (every member's first queued job starts before anyone's second) comes from the engine's own order (lowest
 * `priority`, then oldest `run_at`): only each member's next creation, the head of their line, has a job that can run;
 * the jobs of the member's later creations are parked far in the future. When a member's job starts (or their head is
 * cancelled), their next job is moved to `now`, behind every other member's head: round-robin. A member with a job
 * running gets priority 1, one with none 0, so a member not being served goes before one who is (as the in-process
 * queue serves the member whose turn came longest ago first).
 */
import type { Clock } from "../../core/ports.js";
import { Prisma } from "../generated/client.js";

/** The task of a community's jobs: a process runs only the tasks of the platforms it can post to. */
export const creationTask = (platform: string) => `salon.creation.${platform}`;

/** `run_at` of a parked job: far enough never to come. */
const PARKED = Prisma.sql`now() + interval '100 years'`;
/** A job at or after this is parked. */
const PARKED_FROM = Prisma.sql`now() + interval '50 years'`;

type Tx = Prisma.TransactionClient;

/** What the creation store writes in the engine, in its own transactions. */
export interface CreationJobs {
  /** Gives queued creation `id` its job: runnable at its `notBefore`, or parked behind the member's earlier ones. */
  enqueue(tx: Tx, id: number): Promise<void>;
  /** After a creation of the member left the queue: the member's next queued creation's job becomes runnable. */
  promoteNext(tx: Tx, memberId: number): Promise<void>;
}

/**
 * When a creation's job may run: its `notBefore` is in Salon's clock, `run_at` in the database's, so the job waits
 * for the difference from now on the database's clock (the two clocks need not agree).
 */
const runAt = (clock: Clock) => Prisma.sql`now() + make_interval(secs => GREATEST(COALESCE(EXTRACT(EPOCH FROM c."notBefore") - ${clock.now().getTime() / 1000}::float8, 0), 0))`;

/**
 * The creations' jobs in graphile-worker's schema `graphile_worker` (its default). Each job's key is its creation's:
 * `add_job` with the key of a waiting job moves that job instead of adding a second one.
 */
export const graphileCreationJobs = (clock: Clock): CreationJobs => ({
  async enqueue(tx, id) {
    const parked = Prisma.sql`EXISTS (SELECT 1 FROM "Creation" o WHERE o."memberId" = c."memberId" AND o."status" = 'queued' AND o."id" < c."id")`;
    await tx.$queryRaw(jobOf(Prisma.sql`c."id" = ${id} AND c."status" = 'queued'`, Prisma.sql`CASE WHEN ${parked} THEN ${PARKED} ELSE ${runAt(clock)} END`));
  },
  async promoteNext(tx, memberId) {
    const head = Prisma.sql`(SELECT MIN("id") FROM "Creation" WHERE "memberId" = ${memberId} AND "status" = 'queued')`;
    await tx.$queryRaw(jobOf(Prisma.sql`c."id" = ${head} AND NOT ${hasRunnableJob(Prisma.sql`${memberId}`)}`, runAt(clock)));
  },
});

/** Whether the member has a queued creation whose job can run (is not parked). */
function hasRunnableJob(memberId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`EXISTS (
    SELECT 1 FROM "Creation" q JOIN graphile_worker.jobs j ON j."key" = 'creation:' || q."id"
    WHERE q."memberId" = ${memberId} AND q."status" = 'queued' AND j."run_at" < ${PARKED_FROM})`;
}

/** 1 while creation `c`'s member has a job running, else 0: members not being served go first. */
const SERVED = Prisma.sql`CASE WHEN EXISTS (SELECT 1 FROM "Creation" r WHERE r."memberId" = c."memberId" AND r."status" IN ('generating', 'posting')) THEN 1 ELSE 0 END`;

/** Adds (or moves) the job of each creation `c` that matches `where`, to run at `runAt`. */
function jobOf(where: Prisma.Sql, runAt: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT 1 FROM "Creation" c JOIN "Community" cm ON cm."id" = c."communityId",
    LATERAL graphile_worker.add_job(
      'salon.creation.' || cm."platform", json_build_object('creationId', c."id"), job_key => 'creation:' || c."id", max_attempts => 100,
      run_at => ${runAt}, priority => ${SERVED})
    WHERE ${where}`;
}

/**
 * Repairs what a crash or an older Salon left: every member with queued creations and no runnable job gets their
 * head's job; every claimed creation whose claim ran out loses its dead worker's lock (graphile-worker's own lock
 * holds 4 hours), or gets a job when it has none. Returns the worker ids unlocked.
 */
export async function repairCreationJobs(prisma: Prisma.TransactionClient, clock: Clock): Promise<string[]> {
  const now = clock.now();
  const members = await prisma.$queryRaw<Array<{ memberId: number }>>`
    SELECT DISTINCT c."memberId" FROM "Creation" c WHERE c."status" = 'queued' AND NOT ${hasRunnableJob(Prisma.sql`c."memberId"`)}`;
  const jobs = graphileCreationJobs(clock);
  for (const { memberId } of members) await jobs.promoteNext(prisma, memberId);
  const expired = Prisma.sql`c."status" IN ('generating', 'posting') AND (c."claimedUntil" IS NULL OR c."claimedUntil" < ${now})`;
  const locks = await prisma.$queryRaw<Array<{ lockedBy: string }>>`
    SELECT DISTINCT j."locked_by" AS "lockedBy" FROM "Creation" c JOIN graphile_worker.jobs j ON j."key" = 'creation:' || c."id"
    WHERE ${expired} AND j."locked_by" IS NOT NULL`;
  if (locks.length > 0) await prisma.$queryRaw`SELECT graphile_worker.force_unlock_workers(${locks.map((l) => l.lockedBy)}::text[])`;
  await prisma.$queryRaw(jobOf(Prisma.sql`${expired} AND NOT EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE j."key" = 'creation:' || c."id")`, Prisma.sql`now()`));
  return locks.map((l) => l.lockedBy);
}
