/**
 * The check of a finished image before anyone sees it: the image goes, with its prompt, to OpenAI's moderation
 * (`ImageProvider.moderateImage`) after it is stored and before it is posted.
 *
 * - Passed: recorded on the creation (`imageChecked`) before the post, so a job taken over later posts without asking
 *   again (and looks for an earlier post first, as every job taken over with a stored image does).
 * - Flagged: the creation is `held`: never posted, refunded (held creations use no quota; what was paid for the image
 *   stays in the day's spend), its file kept until `heldUntil` for the operator, then deleted by the maintenance sweep.
 *   The member hears the categories in words.
 * - Moderation down (a 5xx, a timeout, a 429): the job goes back to the queue with the image stored and unchecked, and
 *   waits as an image request would (backoff, or the 429's retry-after); taken again, it checks the stored image and
 *   never pays for a new one. An image is never posted unchecked: past the attempts allowed, the job fails, refunded.
 */
import type { SalonDeps } from "./deps.js";
import { ProviderError } from "./errors.js";
import type { GeneratedImage, Logger } from "./ports.js";
import type { StatusLine } from "./status-edits.js";
import type { Creation } from "./types.js";

/** How long a held image is kept for the operator before the sweep deletes it. */
export const HELD_IMAGE_DAYS = 7;
export const HELD_IMAGE_MS = HELD_IMAGE_DAYS * 86_400_000;

/** What the job does when the check does not let it post: the worker's own queue and failure steps. */
export interface CheckOutcomes {
  /** Back to the queue, not before `delayMs`, with these counts. */
  requeue(delayMs: number, attempts: number, rateLimitedWaits?: number): Promise<void>;
  /** Fails the job with a refund and tells the member. */
  fail(reason: string): Promise<void>;
  /** The backoff after `attempts` failed attempts. */
  backoff(attempts: number): number;
  /** The bound on rate-limit waits of one job. */
  maxRateLimitedWaits: number;
}

export interface CheckWork {
  job: Creation;
  log: Logger;
  signal: AbortSignal;
  status: StatusLine;
}

type CheckDeps = Pick<SalonDeps, "provider" | "creations" | "clock" | "options" | "metrics">;

/** What the member reads when their image is held back. */
export function heldReason(categories: string[]): string {
  const why = categories.length > 0 ? `it was flagged for ${listInWords(categories)}` : "it was flagged";
  return `OpenAI's safety check on images held your image back: ${why}. It was not posted, and your quota was refunded.`;
}

/**
 * Checks the job's stored image (its status is `posting`, claimed by this process). True when it passed and the job
 * may post it; otherwise the job was held, put back in the queue or failed here (or is no longer this job's).
 */
export async function checkBeforePosting(deps: CheckDeps, work: CheckWork, image: GeneratedImage, outcomes: CheckOutcomes): Promise<boolean> {
  const { job, log, signal, status } = work;
  const { creations, clock, options } = deps;
  const owner = options.instanceId;
  let verdict;
  try {
    verdict = await deps.provider.moderateImage({ prompt: job.prompt, image, signal });
  } catch (error) {
    if (signal.aborted || !(error instanceof ProviderError)) throw error;
    await checkFailed(work, error, options.maxAttempts, outcomes);
    return false;
  }
  if (!verdict.flagged) {
    if (await creations.transitionCreation(job.id, ["posting"], { status: "posting", imageChecked: true }, owner)) return true;
    log.info({}, "creation was removed (or taken over) while its image was checked; not posted");
    return false;
  }
  const now = clock.now();
  const reason = heldReason(verdict.categories);
  const held = await creations.transitionCreation(
    job.id,
    ["posting"],
    { status: "held", error: reason, heldUntil: new Date(now.getTime() + HELD_IMAGE_MS), finishedAt: now },
    owner,
  );
  if (!held) return false; // removed, or taken over by another process: not ours to report
  deps.metrics?.jobFinished("refused");
  log.warn({ categories: verdict.categories, imageHash: job.imageHash }, "moderation flagged the image: held back, not posted");
  await status({ state: "failed", creationId: job.id, reason });
  return false;
}

async function checkFailed(work: CheckWork, error: ProviderError, maxAttempts: number, outcomes: CheckOutcomes): Promise<void> {
  const { job, log } = work;
  switch (error.kind) {
    case "rate_limited":
      if (job.rateLimitedWaits < outcomes.maxRateLimitedWaits) {
        log.info({ retryAfterMs: error.details.retryAfterMs }, "image moderation rate limited: waiting for retry-after");
        return outcomes.requeue(error.details.retryAfterMs ?? 1000, job.attempts, job.rateLimitedWaits + 1);
      }
      return outcomes.fail("The safety check on images is too busy right now, so your image was not posted. Your quota was refunded; please try again later.");
    case "transient":
      if (job.attempts + 1 < maxAttempts) {
        log.warn({ err: error, attempt: job.attempts + 1 }, "image moderation failed: the stored image is checked again after a backoff");
        return outcomes.requeue(outcomes.backoff(job.attempts), job.attempts + 1);
      }
      log.error({ err: error, attempts: job.attempts + 1 }, "image moderation kept failing; the image is not posted unchecked");
      return outcomes.fail("The safety check on images kept failing, so your image was not posted (no image is posted unchecked). Your quota was refunded; please try again later.");
    case "unavailable":
      log.error({ err: error, status: error.details.status, code: error.details.providerCode }, "image moderation is unavailable for this account: operator action needed");
      return outcomes.fail("The safety check on images is unavailable right now, so your image was not posted. The bot's operator has been told. Your quota was refunded.");
    case "safety":
    case "rejected":
      log.warn({ err: error }, "image moderation rejected the request");
      return outcomes.fail("The safety check on images could not check your image, so it was not posted. Your quota was refunded; please try again.");
  }
}

/** "a", "a and b", "a, b and c". */
function listInWords(items: string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
