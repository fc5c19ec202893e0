/** Everything the use-cases need, passed in by the composition root (`src/main.ts`). */
import type { PriceTable } from "./pricing.js";
import type { Clock, CollageRenderer, ImageFiles, ImageProvider, Logger, Publisher } from "./ports.js";
import type { Store } from "./store.js";
import type { Platform } from "./types.js";

export interface SalonOptions {
  imageModel: string;
  prices: PriceTable;
  /** Days of posts whose likes are re-read from the platform at start-up and on `/salon recount`. */
  reconcileDays: number;
  /** Attempts at an image before a transient failure is final. */
  maxAttempts: number;
  /** Base of the exponential backoff between transient failures, in ms. */
  retryBaseMs: number;
  /** This process, to tell digest claims apart. */
  instanceId: string;
  /** Salt of the hashed member id sent to OpenAI as `user`. */
  userHashSalt: string;
}

export interface SalonDeps {
  store: Store;
  provider: ImageProvider;
  files: ImageFiles;
  collage: CollageRenderer;
  clock: Clock;
  logger: Logger;
  publishers: Partial<Record<Platform, Publisher>>;
  options: SalonOptions;
}
