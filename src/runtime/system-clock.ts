/** The real clock, for production. Tests pass their own {@link Clock}. */
import type { Clock } from "../core/ports.js";

// setTimeout fires at once (with a warning) past 2^31 − 1 ms, so longer sleeps are taken in steps.
const MAX_TIMER_MS = 2_147_483_647;

/** Wall-clock time; `sleep` rejects with the signal's reason as soon as the signal aborts. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep,
};

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  // Infinity sleeps until the signal aborts.
  let left = Number.isNaN(ms) ? 0 : Math.max(0, ms);
  do {
    const step = Math.min(MAX_TIMER_MS, left);
    await sleepOnce(step, signal);
    left -= step;
  } while (left > 0);
}

function sleepOnce(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
