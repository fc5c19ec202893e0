/**
 * The job engine of one process on SQLite: the queue is the `Creation` table, fair through
 * `CreationStore.claimNextJob` (round-robin by member), bounded (`concurrency` image requests at once). A worker's
 * slot turns over as soon as its image comes back: the job is stored, posted and its status edited while the worker
 * claims the next one and asks for its image.
 */
import { JOB_LEASE_MS } from "./claims.js";
import type { SalonDeps } from "./deps.js";
import type { JobEngine, JobHandler } from "./job-engine.js";
import type { Creation, Platform } from "./types.js";

const IDLE_POLL_MS = 5_000;

export class InProcessJobEngine implements JobEngine {
  private running = false;
  private work: JobHandler | undefined;
  private readonly loops: Promise<void>[] = [];
  /** Every job being worked on, until its work ends (some of them posting while their worker makes the next image). */
  private readonly jobs = new Set<Promise<void>>();
  /** Jobs handed out and not ended, by creation id: a claim renewed under our feet is not a second job. */
  private readonly held = new Set<number>();
  /** The last claim asked of the store: the next one waits for it. */
  private claiming: Promise<void> = Promise.resolve();
  private wake: AbortController = new AbortController();

  constructor(
    private readonly deps: Pick<SalonDeps, "creations" | "clock" | "logger" | "options" | "publishers">,
    private readonly concurrency: number,
  ) {}

  /** The platforms this process can post to: it works only on their communities' jobs. */
  private get platforms(): Platform[] {
    return (Object.keys(this.deps.publishers) as Platform[]).filter((p) => this.deps.publishers[p] !== undefined);
  }

  async start(work: JobHandler): Promise<void> {
    this.work = work;
    this.running = true;
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop(i));
  }

  notify(): void {
    // Replace the signal before aborting it: a worker that goes to sleep after this sees the new one, a worker that
    // captured the old one sees it aborted. Replacing it in the loop instead lost wake-ups with several workers.
    const wake = this.wake;
    this.wake = new AbortController();
    wake.abort();
  }

  /** Jobs handed out and not ended yet. */
  get tracked(): number {
    return this.jobs.size;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    // The workers stop claiming, then the jobs they started (some still posting) finish.
    await Promise.all(this.loops);
    await Promise.all(this.jobs);
  }

  private async loop(worker: number): Promise<void> {
    const { creations, clock, logger } = this.deps;
    while (this.running) {
      // Bounded: a worker claims no new job while twice `concurrency` jobs are in hand (the others posting slowly).
      while (this.jobs.size >= 2 * this.concurrency) await Promise.race(this.jobs);
      if (!this.running) break;
      const wake = this.wake;
      let job: Creation | null;
      try {
        job = await this.claimNext();
      } catch (error) {
        logger.error({ err: error, worker }, "could not claim a job");
        job = null;
      }
      // Our own job whose claim looked expired (the clock jumped): it was just renewed; its worker carries on.
      if (job && this.held.has(job.id)) continue;
      if (!job) {
        const due = await creations.nextJobDueAt(this.platforms).catch(() => null);
        const waitMs = due ? Math.max(0, Math.min(IDLE_POLL_MS, due.getTime() - clock.now().getTime())) : IDLE_POLL_MS;
        if (!wake.signal.aborted) await clock.sleep(waitMs, wake.signal).catch(() => {});
        continue;
      }
      await this.occupySlot(job);
    }
  }

  /**
   * Claims the next job, one claim of this process at a time: workers that free up together would otherwise all race
   * for the same job, and all but one look again, over and over.
   */
  private claimNext(): Promise<Creation | null> {
    const { creations, clock, options } = this.deps;
    const claim = this.claiming.then(() => creations.claimNextJob(clock.now(), options.instanceId, JOB_LEASE_MS, this.platforms));
    this.claiming = claim.then(
      () => undefined,
      () => undefined,
    );
    return claim;
  }

  /** Resolves once the worker's slot is free again: the job's image request is over (or it makes none). */
  private async occupySlot(job: Creation): Promise<void> {
    let freeSlot!: () => void;
    const slotFree = new Promise<void>((resolve) => (freeSlot = resolve));
    this.held.add(job.id);
    const done = this.work!(job, { freeSlot }).finally(() => this.held.delete(job.id));
    this.jobs.add(done);
    void done.then(() => this.jobs.delete(done));
    await Promise.race([slotFree, done]);
  }
}
