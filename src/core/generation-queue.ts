/**
 * The generation workers: a {@link JobEngine} hands this process its jobs (fair, durable, bounded), and
 * {@link CreationWork} makes, stores and posts each one. On SQLite the engine is the in-process one over the
 * `Creation` table; on PostgreSQL the composition root passes graphile-worker's (`src/jobs`).
 */
import { releaseAbandonedClaims } from "./claims.js";
import { CreationWork, type QueueDeps } from "./creation-work.js";
import { InProcessJobEngine } from "./in-process-jobs.js";
import type { JobEngine } from "./job-engine.js";
import type { JobStatus, Logger, Publisher } from "./ports.js";

export class GenerationQueue {
  private readonly work: CreationWork;
  readonly engine: JobEngine;
  /** Every job handed to this process's workers, until its work ends. */
  private readonly jobs = new Set<Promise<void>>();

  constructor(
    private readonly deps: QueueDeps,
    concurrency: number,
    engine?: JobEngine,
  ) {
    this.engine = engine ?? new InProcessJobEngine(deps, concurrency);
    this.work = new CreationWork(deps, () => this.notify());
  }

  /**
   * Ends the claims a stopped process left (its jobs are then taken over where they stopped) and starts the workers.
   * A live second process's jobs stay its own.
   */
  async start(): Promise<void> {
    await releaseAbandonedClaims(this.deps);
    await this.engine.start((job, slot) => {
      const done = this.work.process(job, slot.freeSlot);
      this.jobs.add(done);
      void done.then(() => this.jobs.delete(done));
      return done;
    });
  }

  /** A job was queued: wake idle workers. */
  notify(): void {
    this.engine.notify();
  }

  /** Jobs being worked on right now. */
  get busy(): number {
    return this.work.active.size;
  }

  /** What this queue holds per job (work, claims taken over, status edits on their way): empty once every job has ended. */
  get tracked(): { jobs: number; active: number; lost: number; statusEdits: number } {
    return { jobs: this.jobs.size, active: this.work.active.size, lost: this.work.lost.size, statusEdits: this.work.statusEdits.pending };
  }

  /** See {@link CreationWork.sendStatus}: `/imagine`'s "queued" goes through the same one writer per message. */
  sendStatus(publisher: Publisher, creationId: number, statusRef: string, status: JobStatus, log: Logger, onlyIf?: () => Promise<boolean>): Promise<void> {
    return this.work.statusEdits.sendStatus(publisher, creationId, statusRef, status, log, onlyIf);
  }

  /**
   * Stops taking jobs; running jobs get `graceMs` to finish, then are aborted and returned to the queue. A job that
   * cannot be stopped (a post already on its way) gets one more second; past that it keeps its claim, and the next
   * start takes it over and looks for its post before posting.
   */
  async stop(graceMs: number): Promise<void> {
    this.work.stopping = true;
    const all = this.engine.stop();
    let giveUp: (() => void) | undefined;
    const timer = setTimeout(() => {
      this.work.abortAll();
      setTimeout(() => giveUp?.(), 1_000).unref();
    }, graceMs);
    await Promise.race([all, new Promise<void>((resolve) => (giveUp = resolve))]);
    clearTimeout(timer);
    if (this.work.active.size > 0) this.deps.logger.warn({ creationIds: [...this.work.active.keys()] }, "stopped with jobs still posting; the next start finishes them");
  }
}
