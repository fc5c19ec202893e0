/**
 * `IMAGE_RATE_PER_MINUTE`: an image provider whose image requests stay within one limit shared by every process on
 * the database (counted in the creation store, `takeImageRequest`). A request over the limit waits for its turn in
 * the worker that makes it; OpenAI's own 429s still go back to the queue for their retry-after (see creation-work).
 */
import type { SalonDeps } from "./deps.js";
import type { ImageProvider } from "./ports.js";

export interface ImageRate {
  limit: number;
  windowMs: number;
}

export function withImageRate<P extends ImageProvider>(provider: P, deps: Pick<SalonDeps, "creations" | "clock">, rate: ImageRate): P {
  const { creations, clock } = deps;
  const turn = async (signal: AbortSignal | undefined) => {
    for (let waitMs = await creations.takeImageRequest(rate.limit, rate.windowMs, clock.now()); waitMs > 0; waitMs = await creations.takeImageRequest(rate.limit, rate.windowMs, clock.now())) {
      await clock.sleep(waitMs, signal);
    }
  };
  return Object.assign(Object.create(provider) as P, {
    async generate(request: Parameters<ImageProvider["generate"]>[0]) {
      await turn(request.signal);
      return provider.generate(request);
    },
    // An edit is an image request too: it takes a turn of the same limit.
    async edit(request: Parameters<ImageProvider["edit"]>[0]) {
      await turn(request.signal);
      return provider.edit(request);
    },
  });
}
