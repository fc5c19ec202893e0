/**
 * An image store that another process or host reaches over the network (a bucket, the database) can be down for a
 * while. Wrapped in this, nothing is lost to an outage and nothing is paid for twice:
 * - `put` holds the image it was given and tries again, with backoff, until the store takes it: the image was paid
 *   for, and a taken-over job would pay for it again. (Only a process that stops meanwhile loses it.)
 * - `get` and `delete` wait for the store a while (`patienceMs`), then throw a {@link StoreUnavailableError}: the
 *   generation queue then leaves the job to be taken over once its claim runs out, a digest tries again at its next
 *   tick; neither posts without its image.
 * - `whenAvailable` resolves once the store answers: the image provider waits on it before paying for a new image
 *   (see `gatedProvider`), so no image is made while there is nowhere to keep it.
 */
import { StoreUnavailableError } from "../core/errors.js";
import type { Clock, ImageFiles, Logger } from "../core/ports.js";
import { contentAddress } from "./content-address.js";

export interface ResilientImages extends ImageFiles {
  /** Resolves at once while the store answers; after a failure, once it answers again (or rejects when aborted). */
  whenAvailable(signal?: AbortSignal): Promise<void>;
}

export interface ResilientOptions {
  /** Whether an error of the store means "down right now" (try again) rather than "this request is wrong". */
  isUnavailable(error: unknown): boolean;
  clock: Pick<Clock, "sleep">;
  logger: Logger;
  /** How long `get` and `delete` wait for a store that is down (default 30 s). */
  patienceMs?: number;
  /** First wait between attempts, doubled up to `maxBackoffMs` (defaults 500 ms and 15 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** The address of no image: what the availability probe asks for. */
const PROBE = contentAddress(Buffer.alloc(0));

export function resilientImages(store: ImageFiles, options: ResilientOptions): ResilientImages {
  const { isUnavailable, clock, logger } = options;
  const patienceMs = options.patienceMs ?? 30_000;
  const firstBackoff = options.backoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 15_000;
  let down = false;

  const answered = () => {
    if (down) logger.info({}, "the image store answers again");
    down = false;
  };
  const failed = (error: unknown, what: string) => {
    if (!down) logger.warn({ err: error, what }, "the image store is unavailable; trying again");
    down = true;
  };

  /** Runs `call` until it succeeds, fails for a reason other than an outage, or `patience` (ms) is spent. */
  async function attempt<T>(what: string, call: () => Promise<T>, patience: number, signal?: AbortSignal): Promise<T> {
    let waited = 0;
    for (let backoff = firstBackoff; ; backoff = Math.min(backoff * 2, maxBackoff)) {
      try {
        const result = await call();
        answered();
        return result;
      } catch (error) {
        if (!isUnavailable(error)) {
          answered();
          throw error;
        }
        failed(error, what);
        if (waited >= patience) throw new StoreUnavailableError({ cause: error, store: "images" });
        await clock.sleep(backoff, signal);
        waited += backoff;
      }
    }
  }

  return {
    put: (bytes, mimeType) => attempt("put", () => store.put(bytes, mimeType), Number.POSITIVE_INFINITY),
    get: (hash) => attempt("get", () => store.get(hash), patienceMs),
    delete: (hash) => attempt("delete", () => store.delete(hash), patienceMs),
    async whenAvailable(signal) {
      if (!down) return;
      await attempt("probe", () => store.get(PROBE), Number.POSITIVE_INFINITY, signal);
    },
  };
}
