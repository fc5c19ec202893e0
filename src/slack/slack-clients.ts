/**
 * Salon's Web API clients. Slack carries a request out before it answers, so a request whose answer is lost (a dropped
 * connection, a timeout, a 5xx) may well have been done: the SDK's retry of it posts a second message. The SDK's
 * retry policy is per client (`retryConfig`; @slack/web-api has no per-call override, and `files.uploadV2` makes its
 * three calls through the same client), hence two clients:
 * - `client`, for reads and other calls that are safe to repeat (`files.info`, `conversations.history`,
 *   `reactions.get`, `users.info`, getting an upload URL, deleting): it keeps the SDK's retries;
 * - `postClient`, for the calls that post (`chat.postMessage`, `chat.postEphemeral`, the sharing step of an upload):
 *   it never repeats a call by itself. Only a rate-limited post, which Slack refused, is tried again ({@link post}).
 * A post that may have happened is not repeated here: the core looks for it before it posts again.
 */
import { ErrorCode, WebClient, type Logger as SdkLogger, type WebClientOptions } from "@slack/web-api";
import type { Clock } from "../core/ports.js";

export interface SlackClients {
  /** Reads and calls that are safe to repeat; retried by the SDK. */
  readonly client: WebClient;
  /** Calls that post; never repeated by the SDK. */
  readonly postClient: WebClient;
}

/** A request without an answer after this long is abandoned (the SDK's default waits forever). */
export const REQUEST_TIMEOUT_MS = 30_000;
const READ_RETRIES = { retries: 3, factor: 2, minTimeout: 500 };
/** Rate-limited posts waited out here: longer waits go back to the caller (the queue waits them out). */
const RATE_LIMIT_WAITS = 3;
const LONGEST_WAIT_MS = 30_000;

/** Options of a client whose calls are safe to repeat: also Socket Mode's (`apps.connections.open` hands out a new URL). */
export function readingClientOptions(apiUrl: string, logger: SdkLogger): WebClientOptions {
  return { slackApiUrl: apiUrl, logger, retryConfig: READ_RETRIES, timeout: REQUEST_TIMEOUT_MS };
}

/** Options of a client that never repeats a call: also Bolt's own client (`clientOptions`), which Salon leaves unused. */
export function postingClientOptions(apiUrl: string, logger: SdkLogger): WebClientOptions {
  return { slackApiUrl: apiUrl, logger, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: REQUEST_TIMEOUT_MS };
}

export function createSlackClients(token: string | undefined, apiUrl: string, logger: SdkLogger): SlackClients {
  return {
    client: new WebClient(token, readingClientOptions(apiUrl, logger)),
    postClient: new WebClient(token, postingClientOptions(apiUrl, logger)),
  };
}

/**
 * True when a failed call may have been carried out all the same: its answer was lost (connection, timeout) or was a
 * server error. Slack's own refusals (`ok: false`, a 429) are certain: nothing happened.
 */
export function mayHaveHappened(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === ErrorCode.RequestError || code === ErrorCode.HTTPError;
}

/** Seconds Slack asked to wait, when `error` is its rate limit. */
function retryAfterSeconds(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number } | null;
  return e?.code === ErrorCode.RateLimitedError ? e.retryAfter : undefined;
}

/**
 * Runs a posting call on {@link SlackClients.postClient}. Slack's rate limit refused it (nothing was posted), so it is
 * sent again after Slack's `Retry-After`, a few times; any other failure is the caller's.
 */
export async function post<T>(clock: Clock, call: () => Promise<T>): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await call();
    } catch (error) {
      const seconds = retryAfterSeconds(error);
      if (seconds === undefined || waits >= RATE_LIMIT_WAITS || seconds * 1000 > LONGEST_WAIT_MS) throw error;
      await clock.sleep(seconds * 1000);
    }
  }
}
