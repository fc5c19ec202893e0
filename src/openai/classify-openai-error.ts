import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "openai";
import { ProviderError } from "../core/errors.js";
import { parseRetryAfterMs } from "./parse-retry-after.js";
import { containsSecret, redactSecrets } from "./redact-secrets.js";

/** Wait used when a 429 says nothing about when to come back. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

const SAFETY_CODES = new Set(["moderation_blocked", "content_policy_violation"]);
/** Billing problems the operator must fix; retrying changes nothing. */
const OPERATOR_CODES = new Set(["insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "account_deactivated"]);
const MAX_DETAIL_LENGTH = 300;

export interface ClassifyOptions {
  /** Strings that must never appear in the error (the API key); key-shaped text is redacted anyway. */
  secrets?: readonly string[];
  /** Clock for `retry-after` HTTP dates, in epoch milliseconds. */
  now?: () => number;
}

/**
 * Translates anything the `openai` SDK (or the fetch under it) throws into a {@link ProviderError} whose kind tells
 * the queue what to do:
 * - 400 `moderation_blocked` / `content_policy_violation` → `safety` (never retried);
 * - 429 `insufficient_quota`, billing errors, 401, 403, 404 and a 400 about the `model` → `unavailable`;
 * - other 429 → `rate_limited`, with `retryAfterMs` from the headers ({@link DEFAULT_RETRY_AFTER_MS} when absent);
 * - 5xx, 408, 409, connection failures, timeouts and aborts → `transient`;
 * - any other 4xx → `rejected`.
 * The message and the attached cause never contain the API key.
 */
export function classifyOpenAIError(error: unknown, options: ClassifyOptions = {}): ProviderError {
  if (error instanceof ProviderError) return error;
  const secrets = options.secrets ?? [];
  const make = (kind: ProviderError["kind"], message: string, details: ProviderError["details"] = {}) =>
    new ProviderError(kind, redactSecrets(message, secrets), details, { cause: safeCause(error, secrets) });

  // Order matters: the timeout and abort errors are subclasses of APIConnectionError, itself an APIError.
  if (error instanceof APIConnectionTimeoutError) return make("transient", "OpenAI did not answer in time (request timed out)");
  if (error instanceof APIUserAbortError) return make("transient", "The OpenAI request was cancelled before it finished");
  if (error instanceof APIConnectionError) return make("transient", `Could not reach OpenAI: ${connectionDetail(error)}`);
  if (isAbortLike(error)) {
    const timedOut = (error as Error).name === "TimeoutError";
    return make("transient", timedOut ? `OpenAI did not answer in time: ${(error as Error).message}` : "The OpenAI request was aborted");
  }
  if (error instanceof APIError && typeof error.status === "number") return classifyStatus(error, error.status, make, options);
  return make("transient", `Unexpected failure while calling OpenAI: ${describe(error)}`);
}

type Make = (kind: ProviderError["kind"], message: string, details?: ProviderError["details"]) => ProviderError;

function classifyStatus(error: APIError, status: number, make: Make, options: ClassifyOptions): ProviderError {
  const code = error.code ?? undefined;
  const type = error.type ?? undefined;
  const providerCode = code ?? type;
  const details = { status, ...(providerCode ? { providerCode } : {}) };
  const said = serverMessage(error);
  const label = `${status}${providerCode ? ` ${providerCode}` : ""}`;

  if ((status === 400 || status === 422) && code && SAFETY_CODES.has(code)) {
    return make("safety", `OpenAI's safety system refused the request (${label}): ${said}`, details);
  }
  if ((code && OPERATOR_CODES.has(code)) || (type && OPERATOR_CODES.has(type))) {
    return make("unavailable", `OpenAI refuses work until its billing is fixed (${label}): ${said}`, details);
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(error.headers, options.now?.() ?? Date.now()) ?? DEFAULT_RETRY_AFTER_MS;
    return make("rate_limited", `OpenAI rate limit reached (${label}), retry in ${retryAfterMs} ms: ${said}`, { ...details, retryAfterMs });
  }
  if (status === 401) return make("unavailable", `OpenAI rejected the API key (${label}); check OPENAI_API_KEY: ${said}`, details);
  if (status === 403) return make("unavailable", `OpenAI refused access (${label}): ${said}`, details);
  if (status === 404 || code === "model_not_found" || error.param === "model") {
    return make("unavailable", `OpenAI does not offer this model to this organisation (${label}): ${said}`, details);
  }
  if (status >= 500) return make("transient", `OpenAI server error (${label}): ${said}`, details);
  // The SDK itself treats these as retryable: request timeout and lock timeout.
  if (status === 408 || status === 409) return make("transient", `OpenAI asked to try again (${label}): ${said}`, details);
  return make("rejected", `OpenAI rejected the request (${label}${error.param ? `, param ${error.param}` : ""}): ${said}`, details);
}

/** The server's own words, short and on one line; an HTML error page is reduced to its text. */
function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : error.message.replace(/^\d{3}\s+/, "");
  const plain = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim() || "(no message)";
  return plain.length > MAX_DETAIL_LENGTH ? `${plain.slice(0, MAX_DETAIL_LENGTH)}…` : plain;
}

/** `ECONNREFUSED 127.0.0.1:9` rather than the SDK's bare "Connection error.". */
function connectionDetail(error: APIConnectionError): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; cause && depth < 4; depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string") {
      parts.push(code);
      break;
    }
    if (typeof message === "string" && message !== "fetch failed") parts.push(message);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join(" ");
}

function isAbortLike(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "AbortError" || name === "TimeoutError";
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * The original error, unless its message, stack or body holds a secret (a proxy echoing the key): then a copy with
 * the secrets removed. Loggers print causes (pino's serializer joins their messages and stacks).
 */
function safeCause(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  const body = error instanceof APIError ? safeStringify(error.error) : "";
  const texts = [error.message, error.stack ?? "", body, describe((error as { cause?: unknown }).cause ?? "")];
  if (!texts.some((text) => containsSecret(text, secrets))) return error;
  const copy = new Error(redactSecrets(error.message, secrets));
  copy.name = error.name;
  copy.stack = redactSecrets(error.stack ?? "", secrets);
  return copy;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch (error) {
    return `unserialisable: ${String(error)}`;
  }
}
