/**
 * Acknowledgements before work, on every platform. Discord and Slack both give a command 3 seconds to be
 * acknowledged (a deferral on Discord, the HTTP response or Socket Mode ack on Slack), and the adapter, its SDK and
 * the core share one event loop: in a burst, the database work of commands already acknowledged starves the
 * acknowledgements still in flight, and those miss the deadline (measured: 200 `/imagine` at once left a third of
 * Discord's unacknowledged; on Slack, with the machine's CPU halved, the slowest acknowledgement took 4.4 s against
 * 1.0 s when the work was skipped). Work waits while two or more acknowledgements are in flight (a burst: one other
 * is not, and waiting for it would let a member's second click race their first), for {@link ACK_PRIORITY_MS} at the
 * most so that a steady stream can't hold it back for ever.
 *
 * The work that waited is let go one command per turn of the event loop, not all at once, whether the burst's
 * acknowledgements went out or its wait ran out: the store's calls are synchronous underneath (SQLite), so 500
 * commands woken together ran their database work back to back as one chain of promise continuations, and the loop,
 * blocked for 2.1–2.8 s after every burst of the ack benchmark (measured), read and acknowledged nothing meanwhile.
 * Between two of them, the loop reads the network.
 */

/** How long an acknowledged command's work may wait for other commands' acknowledgements to go out. */
export const ACK_PRIORITY_MS = 1_500;

/**
 * Two commands arriving within this much of each other are a burst, even with fewer than two in flight: under load the
 * loop reads requests one at a time, so a burst's requests are mostly still unread (invisible here) while the ones
 * read are answered at once. Counted by in-flight acknowledgements alone, a 200-command burst on Slack looked like
 * a trickle, and the work let go between two reads slowed the reading of the rest (acknowledgements up to 3.9 s
 * with the machine's CPU taken by two other processes).
 */
export const BURST_GAP_MS = 50;

export class AcknowledgementsFirst {
  private inFlight = 0;
  /** When the last two acknowledgements began. */
  private lastBegan = -Infinity;
  private beganBefore = -Infinity;
  /** The work waiting, oldest first; `due` once its wait has run out (it goes even while a burst is in flight). */
  private waiters: Array<{ wake: () => void; due: boolean }> = [];
  private releasing = false;
  private quietTimer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * An acknowledgement is in flight from now until the function returned is called (calling it again does nothing):
   * for a platform whose acknowledgement is not one promise (Slack's starts when the request arrives and ends when
   * the SDK answers it).
   */
  begin(): () => void {
    this.inFlight++;
    this.beganBefore = this.lastBegan;
    this.lastBegan = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      if (this.inFlight < 2) this.release();
    };
  }

  /** Runs `defer` (the acknowledgement) as one in flight. */
  async acknowledge<T>(defer: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await defer();
    } finally {
      end();
    }
  }

  /** How long until no burst is on: 0 when fewer than two are in flight and the last two began far enough apart. */
  private burstLeftMs(): number {
    if (this.inFlight >= 2) return Infinity;
    return Math.max(0, this.beganBefore + BURST_GAP_MS - this.now());
  }

  /**
   * Wakes the next command that may go (any once no burst is on, else one whose wait ran out), and the one after it
   * on the next turn of the event loop, and so on while there is one. A burst that ends by the clock alone (no
   * request arrived for a while) wakes them by a timer.
   */
  private release(): void {
    if (this.releasing) return;
    const next = () => {
      const left = this.burstLeftMs();
      const i = left === 0 ? 0 : this.waiters.findIndex((w) => w.due);
      const [waiter] = i >= 0 ? this.waiters.splice(i, 1) : [];
      this.releasing = waiter !== undefined;
      if (!waiter) {
        if (this.waiters.length > 0 && left !== Infinity && !this.quietTimer) {
          this.quietTimer = setTimeout(() => {
            this.quietTimer = undefined;
            this.release();
          }, Math.ceil(left));
        }
        return;
      }
      waiter.wake();
      setImmediate(next);
    };
    next();
  }

  /** Resolves once no burst is on (see {@link BURST_GAP_MS}; one other command in flight is none), or after `maxWaitMs`. */
  settled(maxWaitMs = ACK_PRIORITY_MS): Promise<void> {
    if (this.burstLeftMs() === 0 && this.waiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
        due: false,
      };
      const timer = setTimeout(() => {
        waiter.due = true;
        this.release();
      }, maxWaitMs);
      this.waiters.push(waiter);
      this.release();
    });
  }
}
