/** The status message of each creation: one writer per message in this process, its edits sent in order. */
import type { Clock, JobStatus, Logger, Publisher } from "./ports.js";
import type { Creation } from "./types.js";

/** Edits a job's status message after its earlier edits, without holding up the caller; the promise never rejects. */
export type StatusLine = (status: JobStatus) => Promise<void>;

/** The least time between a preview edit and the edit of the same message before it (the platforms' rate limits). */
export const PREVIEW_EDIT_GAP_MS = 1_000;
/** Creations whose last edit time is remembered at most (each is forgotten at its outcome anyway). */
const MAX_REMEMBERED = 10_000;

const isPreview = (status: JobStatus): boolean => status.state === "generating" && status.preview !== undefined;
const isFinal = (status: JobStatus): boolean => status.state === "posted" || status.state === "failed" || status.state === "cancelled";

/** A preview edit waiting for its turn: a newer preview takes its place, any other newer edit drops it. */
interface WaitingPreview {
  status: JobStatus;
  /** Aborted by any newer edit that is not a preview: the preview is dropped at once. */
  wake: AbortController;
  done: Promise<void>;
}

export class StatusEdits {
  /** The last status edit of each job that has one on its way. */
  private readonly tails = new Map<number, Promise<void>>();
  private readonly waiting = new Map<number, WaitingPreview>();
  /** When each creation's status message was last edited (epoch ms, by `clock`). */
  private readonly lastSent = new Map<number, number>();

  /** `clock` spaces preview edits {@link PREVIEW_EDIT_GAP_MS} apart; without one, they are sent as they come. */
  constructor(private readonly clock?: Clock) {}

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
   *
   * Previews are coalesced: a preview waits until {@link PREVIEW_EDIT_GAP_MS} after the message's previous edit, a
   * newer preview replaces one still waiting, and any other edit (the outcome) drops it, so the last state always
   * wins and is never held up by a preview.
   */
  sendStatus(publisher: Publisher, creationId: number, statusRef: string, status: JobStatus, log: Logger, onlyIf?: () => Promise<boolean>): Promise<void> {
    const waiting = this.waiting.get(creationId);
    if (waiting && isPreview(status)) {
      waiting.status = status;
      return waiting.done;
    }
    if (waiting) {
      // Anything but a preview is newer news: the waiting preview is dropped, at once.
      waiting.wake.abort();
      this.waiting.delete(creationId);
    }
    const send = async () => {
      if (onlyIf && !(await onlyIf())) return;
      await publisher.updateStatus(statusRef, status);
    };
    const task = isPreview(status) ? this.previewTask(publisher, creationId, statusRef, status) : send;
    const tail = (this.tails.get(creationId) ?? Promise.resolve())
      .then(async () => {
        if (!isPreview(status)) this.sent(creationId, status);
        await task();
      })
      .catch((error: unknown) => log.warn({ err: error, state: status.state }, "could not update the status message"));
    this.tails.set(creationId, tail);
    void tail.then(() => {
      if (this.tails.get(creationId) === tail) this.tails.delete(creationId);
    });
    return tail;
  }

  /** A preview's edit: queued as waiting, sent after the gap unless something newer came meanwhile. */
  private previewTask(publisher: Publisher, creationId: number, statusRef: string, status: JobStatus): () => Promise<void> {
    let finish!: () => void;
    const entry: WaitingPreview = { status, wake: new AbortController(), done: new Promise<void>((resolve) => (finish = resolve)) };
    this.waiting.set(creationId, entry);
    return async () => {
      try {
        const last = this.lastSent.get(creationId);
        const gap = this.clock && last !== undefined ? last + PREVIEW_EDIT_GAP_MS - this.clock.now().getTime() : 0;
        if (gap > 0) await this.clock!.sleep(gap, entry.wake.signal).catch(() => undefined);
        // Out of the waiting place before anything is awaited: an edit asked for from here on is sent after this one.
        if (this.waiting.get(creationId) === entry) this.waiting.delete(creationId);
        if (entry.wake.signal.aborted) return; // something newer is on its way
        this.sent(creationId, entry.status);
        await publisher.updateStatus(statusRef, entry.status);
      } finally {
        finish();
      }
    };
  }

  /** Notes when the message was edited; its outcome ends what is remembered of it. */
  private sent(creationId: number, status: JobStatus): void {
    this.lastSent.delete(creationId); // re-inserted last: the map stays in order of use
    if (isFinal(status) || !this.clock) return;
    this.lastSent.set(creationId, this.clock.now().getTime());
    for (const oldest of this.lastSent.keys()) {
      if (this.lastSent.size <= MAX_REMEMBERED) break;
      this.lastSent.delete(oldest);
    }
  }
}
