/**
 * The job engine port: what hands queued creations to this process's workers. Whatever the engine, a job is
 * enqueued in the same transaction that stores its creation (the creation store does that), members are served
 * round-robin across every worker process (every member's first queued job starts before anyone's second), at most
 * `concurrency` jobs run at once in this process, and a job whose process died is taken over by another one.
 * SQLite: {@link InProcessJobEngine}, the `Creation` table itself. PostgreSQL: graphile-worker (`src/jobs`).
 */
import type { Creation } from "./types.js";

/** What a worker is given with a job. */
export interface JobSlot {
  /**
   * The job makes no more image requests: an engine that counts image requests as its concurrency (the in-process
   * one) gives the slot to the next job while this one is posted.
   */
  freeSlot(): void;
}

/** Works on one claimed creation until it ends or waits in the queue again; never rejects. */
export type JobHandler = (job: Creation, slot: JobSlot) => Promise<void>;

export interface JobEngine {
  /** Starts handing this process's jobs to `work`. */
  start(work: JobHandler): Promise<void>;
  /** A job was queued or requeued in this process: an idle worker looks at once. */
  notify(): void;
  /** Stops taking jobs and resolves once every job it handed out has ended. */
  stop(): Promise<void>;
}
