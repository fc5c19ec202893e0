/**
 * The moderation check of `/imagine` (PRODUCT.md §Creating 2, last check), with the same patience as image requests:
 * a 429 waits for its `retry-after`, a server error or timeout is retried with backoff, a bounded number of times. A
 * moderation service that stays down, or that the account cannot use, makes `/imagine` "unavailable" for the member
 * (nothing was charged) rather than a generic apology; the operator's log says why.
 */
import type { SalonDeps } from "./deps.js";
import { ProviderError, UserError } from "./errors.js";
import type { ModerationResult } from "./ports.js";

/** The longest 429 wait sat out while the member waits for an answer. */
const MAX_RATE_LIMIT_WAIT_MS = 20_000;

export const MODERATION_UNAVAILABLE =
  "Image generation is unavailable right now: the safety check on prompts isn't answering. Nothing was charged; please try again in a few minutes.";

export async function moderatePrompt(deps: Pick<SalonDeps, "provider" | "clock" | "logger" | "options">, prompt: string): Promise<ModerationResult> {
  const { provider, clock, logger, options } = deps;
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await provider.moderate(prompt);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const retryAfterMs = error.details.retryAfterMs ?? options.retryBaseMs * 2 ** (attempt - 1);
      const retry =
        attempt < options.maxAttempts &&
        (error.kind === "transient" || (error.kind === "rate_limited" && waitedMs + retryAfterMs <= MAX_RATE_LIMIT_WAIT_MS));
      if (retry) {
        const waitMs = error.kind === "rate_limited" ? retryAfterMs : options.retryBaseMs * 2 ** (attempt - 1);
        logger.warn({ err: error, kind: error.kind, attempt, waitMs }, "prompt moderation failed: retrying");
        waitedMs += waitMs;
        await clock.sleep(waitMs);
        continue;
      }
      const level = error.kind === "unavailable" ? "error" : "warn";
      logger[level]({ err: error, kind: error.kind, attempts: attempt, status: error.details.status, code: error.details.providerCode }, "prompt moderation is unavailable; /imagine refused");
      throw new UserError("moderation_unavailable", MODERATION_UNAVAILABLE, { cause: error });
    }
  }
}
