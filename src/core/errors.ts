/**
 * Errors of the domain. An {@link AppError} carries a stable code and the cause; a {@link UserError} also carries a
 * message that is safe to show to the member who caused it. Adapters catch once, at the edge: a UserError becomes an
 * ephemeral reply, anything else is logged with the event's context and the member sees a short generic message.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

/** An error whose message is written for the member and may be shown as it is. */
export class UserError extends AppError {
  constructor(code: string, readonly userMessage: string, options?: { cause?: unknown }) {
    super(code, userMessage, options);
    this.name = "UserError";
  }
}

/** How an image provider failed, which decides what the queue does next. */
export type ProviderFailureKind =
  /** The provider refused the content (moderation_blocked, content_policy_violation): never retried. */
  | "safety"
  /** 429: wait `retryAfterMs`, then retry. */
  | "rate_limited"
  /** 5xx, timeouts, connection resets: retried with backoff a bounded number of times. */
  | "transient"
  /** insufficient_quota, 403, bad key, unknown model: the operator must act; the member is told "unavailable". */
  | "unavailable"
  /** The request itself was rejected (400 for another reason): not retried. */
  | "rejected";

export class ProviderError extends AppError {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly details: { status?: number; providerCode?: string; retryAfterMs?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(`provider_${kind}`, message, options);
    this.name = "ProviderError";
  }
}

/** What a platform said when a post could not be made. */
export type PublishFailureKind = "missing_access" | "channel_not_found" | "transient" | "other";

export class PublishError extends AppError {
  /** How an admin fixes it, in the platform's own words (e.g. Slack: invite the bot); the core has a default. */
  readonly fix: string | undefined;
  /** A rate limit too long to wait out inside the request: when to try again. */
  readonly retryAfterMs: number | undefined;

  constructor(readonly kind: PublishFailureKind, message: string, options?: { cause?: unknown; fix?: string; retryAfterMs?: number }) {
    super(`publish_${kind}`, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PublishError";
    this.fix = options?.fix;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** What the adapters log when a member's request met an unavailable store (the member is told it in words of their own). */
export const STORE_UNAVAILABLE_LOG = "the database was unavailable: the member was told nothing was saved";

/**
 * The database could not take the request right now (locked by another writer, read-only, full, unreachable). The
 * store adapter throws it; the write was rolled back, so nothing was saved and the member may simply try again.
 */
export class StoreUnavailableError extends UserError {
  /** `images`: the image store (a bucket, the database's image table) did not answer in time. */
  constructor(options?: { cause?: unknown; store?: "database" | "images" }) {
    super(
      options?.store === "images" ? "images_unavailable" : "store_unavailable",
      options?.store === "images"
        ? "Salon's image store is unavailable right now. Please try again in a minute."
        : "Salon's database is busy or unavailable right now, so nothing was saved. Please try again in a minute.",
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "StoreUnavailableError";
  }
}
