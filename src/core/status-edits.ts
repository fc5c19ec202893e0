/** The status message of each creation: one writer per message in this process, its edits sent in order. */
import type { JobStatus, Logger, Publisher } from "./ports.js";
import type { Creation } from "./types.js";

/** Edits a job's status message after its earlier edits, without holding up the caller; the promise never rejects. */
export type StatusLine = (status: JobStatus) => Promise<void>;

export class StatusEdits {
  /** The last status edit of each job that has one on its way. */
  private readonly tails = new Map<number, Promise<void>>();

  /** Status edits on their way. */
  get pending(): number {
    return this.tails.size;
  }

  /**
   * The job's status edits, each sent once the job's earlier ones are done (an attempt before a requeue included), so
   * they reach the platform in the order they were made: never "Generating" after "Posted".
   */
  line(publisher: Publisher | null, job: Creation, log: Logger): StatusLine {
    const ref = job.statusRef;
    if (!ref || !publisher) return () => Promise.resolve();
    return (status) => this.sendStatus(publisher, job.id, ref, status, log);
  }

  /**
   * Every edit of a creation's status message made in this process goes through here, `/imagine`'s "queued" included:
   * one writer per message, in order. `onlyIf`, checked when the edit's turn comes, drops an edit that is no longer
   * true (a "queued" whose job a worker has meanwhile taken). The promise never rejects.
   */
  sendStatus(publisher: Publisher, creationId: number, statusRef: string, status: JobStatus, log: Logger, onlyIf?: () => Promise<boolean>): Promise<void> {
    const tail = (this.tails.get(creationId) ?? Promise.resolve())
      .then(async () => {
        if (onlyIf && !(await onlyIf())) return;
        await publisher.updateStatus(statusRef, status);
      })
      .catch((error: unknown) => log.warn({ err: error, state: status.state }, "could not update the status message"));
    this.tails.set(creationId, tail);
    void tail.then(() => {
      if (this.tails.get(creationId) === tail) this.tails.delete(creationId);
    });
    return tail;
  }
}
