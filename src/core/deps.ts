/** Everything the use-cases need, passed in by the composition root (`src/main.ts`). */
import type { PriceTable } from "./pricing.js";
import type { EditInputPrices } from "./remix-pricing.js";
import type { Clock, CollageRenderer, ImageFiles, ImageProvider, Logger, MetricsSink, Publisher, TextModel } from "./ports.js";
import type { Stores } from "./store/stores.js";
import type { Community, Platform } from "./types.js";

export interface SalonOptions {
  imageModel: string;
  prices: PriceTable;
  /** What a remix's input image adds to its price (none when absent), and how deep a remix chain may go (default 10). */
  remix?: { editInputPrices: EditInputPrices; maxDepth: number };
  /** Days of posts whose likes are re-read from the platform at start-up and on `/salon recount`. */
  reconcileDays: number;
  /** Attempts at an image before a transient failure is final. */
  maxAttempts: number;
  /** Base of the exponential backoff between transient failures, in ms. */
  retryBaseMs: number;
  /** This process, as the owner of its job and digest claims. */
  instanceId: string;
  /**
   * Whether the process that owns a claim is known to be gone (it crashed on this host), so that start-up takes
   * its work over at once instead of when the claim's lease runs out. Unknown owners are treated as alive.
   */
  isInstanceGone?: (instanceId: string) => boolean;
  /** Partial images streamed as previews of each creation (PREVIEW_IMAGES); none when absent. */
  previewImages?: 0 | 1 | 2;
  /** Salt of the hashed member id sent to OpenAI as `user`. */
  userHashSalt: string;
  /**
   * Whether this process receives the community's events (a Discord guild on one of its gateway shards): start-up and
   * periodic reconciliation cover those only, and the processes holding the other shards cover theirs. Every
   * community when absent.
   */
  holdsCommunity?: (community: Pick<Community, "platform" | "externalId">) => boolean;
}

/**
 * The store's ports are fields of their own (see `Stores`): a use-case takes `Pick<SalonDeps, …>` of the aggregates it
 * uses, and sees no method of any other.
 */
export interface SalonDeps extends Stores {
  provider: ImageProvider;
  /** The text model (TEXT_MODEL) for polish, titles and alt text; absent when TEXT_MODEL is `off`. */
  text?: TextModel;
  files: ImageFiles;
  collage: CollageRenderer;
  clock: Clock;
  logger: Logger;
  publishers: Partial<Record<Platform, Publisher>>;
  options: SalonOptions;
  /** What operators count (`GET /metrics`); nothing is counted without it. */
  metrics?: MetricsSink;
}
