/**
 * The job engine on PostgreSQL: graphile-worker (its `graphile_worker` schema) runs the creations' jobs, which the
 * creation store writes in each creation's own transaction (`src/store/prisma/creation-jobs.ts`). graphile-worker
 * hands a job to one worker of one process (`SKIP LOCKED`), wakes idle workers on `add_job` (LISTEN/NOTIFY), runs
 * at most `concurrency` at once per process and drains on stop. Salon adds the claim on the creation (the lease its
 * worker renews): a job whose claim ran out lost its process, and `repair` takes graphile-worker's lock off it at
 * once instead of after graphile-worker's own 4 hours, so another process takes it over within a minute.
 */
import { Logger as GraphileLogger, run, type Runner, type Task } from "graphile-worker";
import type pg from "pg";
import { JOB_LEASE_MS } from "../core/claims.js";
import type { JobEngine, JobHandler } from "../core/job-engine.js";
import type { Clock, Logger } from "../core/ports.js";
import type { CreationStore } from "../core/store/creations.js";
import type { Platform } from "../core/types.js";
import { creationTask } from "../store/prisma/creation-jobs.js";

export interface GraphileJobEngineOptions {
  pool: pg.Pool;
  creations: CreationStore;
  clock: Clock;
  logger: Logger;
  /** This process, as the owner of its claims. */
  owner: string;
  /** The platforms this process posts to: it runs only their communities' jobs. */
  platforms: readonly Platform[];
  concurrency: number;
  /** Whether the owner of a claim is known to be gone (it ran on this host and its process no longer exists). */
  isOwnerGone?: (owner: string) => boolean;
  /** Repairs the jobs a crash left (see `repairCreationJobs`); returns the worker ids it unlocked. */
  repair(): Promise<string[]>;
  /** How often `repair` runs. */
  repairEveryMs?: number;
  /** How often idle workers look for jobs that became due (retries, a `notBefore`); NOTIFY wakes them for new ones. */
  pollIntervalMs?: number;
}

export class GraphileJobEngine implements JobEngine {
  private runner: Runner | undefined;
  private repairs: NodeJS.Timeout | undefined;
  private repairing: Promise<void> = Promise.resolve();

  constructor(private readonly options: GraphileJobEngineOptions) {}

  async start(work: JobHandler): Promise<void> {
    const { pool, concurrency, platforms, pollIntervalMs = 1_000, repairEveryMs = 10_000 } = this.options;
    await this.repairNow();
    this.runner = await run({
      pgPool: pool,
      concurrency,
      noHandleSignals: true,
      pollInterval: pollIntervalMs,
      // Salon's own drain decides when running work is aborted (and requeued): graphile-worker's abort comes later.
      gracefulShutdownAbortTimeout: 30_000,
      logger: graphileLogger(this.options.logger),
      taskList: Object.fromEntries(platforms.map((platform) => [creationTask(platform), this.task(work)])),
    });
    this.repairs = setInterval(() => void this.repairNow(), repairEveryMs);
  }

  /** `add_job` notifies graphile-worker's listening workers: nothing to do here. */
  notify(): void {}

  async stop(): Promise<void> {
    clearInterval(this.repairs);
    await this.repairing;
    await this.runner?.stop();
    this.runner = undefined;
  }

  private task(work: JobHandler): Task {
    const { creations, clock, owner, logger } = this.options;
    return async (payload) => {
      const id = (payload as { creationId?: unknown } | null)?.creationId;
      if (typeof id !== "number") {
        logger.error({ payload }, "a creation job without a creation id; dropped");
        return;
      }
      const claimed = await creations.claimCreation(id, owner, clock.now(), JOB_LEASE_MS);
      if (claimed === null) return; // ended (posted, cancelled, forgotten): nothing left to do
      // graphile-worker runs it again later, with its backoff: by then the other process has finished or died.
      if (claimed === "held") throw new Error(`creation ${id} is held by another process or not due yet`);
      await work(claimed, { freeSlot: () => undefined });
    };
  }

  private repairNow(): Promise<void> {
    this.repairing = this.repairing.then(async () => {
      try {
        // Claims of a process known to be dead end now, not when their lease runs out.
        const { creations, isOwnerGone, owner } = this.options;
        const gone = isOwnerGone ? (await creations.claimOwners()).filter((o) => o !== owner && isOwnerGone(o)) : [];
        if (gone.length > 0) await creations.expireClaims(gone);
        const unlocked = await this.options.repair();
        if (unlocked.length > 0) this.options.logger.info({ workers: unlocked }, "taking over the jobs of workers whose claims ran out");
      } catch (error) {
        this.options.logger.warn({ err: error }, "could not repair the job queue");
      }
    });
    return this.repairing;
  }
}

/** graphile-worker's log lines through Salon's logger, at its levels. */
function graphileLogger(logger: Logger): GraphileLogger {
  const log = logger.child({ component: "graphile-worker" });
  return new GraphileLogger(() => (level, message, meta) => {
    const fields = { ...(meta ?? {}) };
    if (level === "error") log.error(fields, message);
    else if (level === "warning") log.warn(fields, message);
    else if (level === "info") log.info(fields, message);
    else log.debug(fields, message);
  });
}
