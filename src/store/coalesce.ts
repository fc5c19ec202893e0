/**
 * Coalesces the calls of one store method into batches (the DataLoader pattern): the calls made during one turn of the
 * event loop, and those made while a batch is running, run together as the next batch. A burst of gateway events (a
 * popular post collecting reactions) then costs a few queries per batch instead of a few per event; a lone call waits
 * one turn of the event loop. Batches run one after another, in call order, so writes keep their order. Each caller
 * gets its own answer; when a batch fails, its calls are run one by one so that one bad call fails alone, as it would
 * unbatched. A call may name a `share` key: while a call with the same key waits for its batch (not yet started), the
 * new call gets that call's answer instead of a place of its own. That suits reads, and recounts (a recount that has not
 * started yet counts everything written before it): a burst on one post then costs one entry per batch, not one per event.
 */
export class Coalescer<K, V> {
  private pending: Array<{ key: K; share: string | number | undefined; resolve: (value: V) => void; reject: (error: unknown) => void }> = [];
  /** The waiting calls that others may share, by share key. */
  private readonly shared = new Map<string | number, Promise<V>>();
  private busy = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly runBatch: (keys: K[]) => Promise<V[]>,
    private readonly options: {
      /** Bounds a statement's size (SQLite takes at most 32,766 parameters). */
      maxBatch?: number;
      /** Awaited before each batch when it returns a promise: lets calls gather while something else is busy. */
      before?: () => Promise<void> | undefined;
    } = {},
  ) {}

  /** True while calls wait or a batch runs. */
  get active(): boolean {
    return this.busy || this.pending.length > 0;
  }

  /** Resolves once no call waits and no batch runs. */
  whenIdle(): Promise<void> {
    return this.active ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  call(key: K, share?: string | number): Promise<V> {
    if (share !== undefined) {
      const waiting = this.shared.get(share);
      if (waiting) return waiting;
    }
    const promise = new Promise<V>((resolve, reject) => {
      this.pending.push({ key, share, resolve, reject });
      // The first call of a turn schedules the batch; a running batch picks up what arrives meanwhile.
      if (this.busy || this.pending.length > 1) return;
      setImmediate(() => void this.drain());
    });
    if (share !== undefined) this.shared.set(share, promise);
    return promise;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.pending.length > 0) {
        const gate = this.options.before?.();
        if (gate) await gate;
        const batch = this.pending.splice(0, this.options.maxBatch ?? 500);
        // Started: a later call must not share these answers (they may have been read before its write).
        for (const b of batch) if (b.share !== undefined) this.shared.delete(b.share);
        try {
          const values = await this.runBatch(batch.map((b) => b.key));
          batch.forEach((b, i) => b.resolve(values[i]!));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          for (const b of batch) {
            try {
              b.resolve((await this.runBatch([b.key]))[0]!);
            } catch (alone) {
              b.reject(alone);
            }
          }
        }
      }
    } finally {
      this.busy = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
