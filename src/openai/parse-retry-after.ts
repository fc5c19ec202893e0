/** What OpenAI's rate-limit headers say about when to try again. */
type HeaderSource = Headers | Record<string, string | undefined> | undefined | null;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * Milliseconds to wait before retrying, from (in this order) `retry-after-ms`, `retry-after` (seconds or an HTTP
 * date), or OpenAI's `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` durations (`"1s"`, `"6m0s"`,
 * `"120ms"`); `undefined` when none of them says anything usable. Never negative.
 */
export function parseRetryAfterMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));

  const retryAfter = header(headers, "retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }

  const resets = ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]
    .map((name) => parseDuration(header(headers, name)))
    .filter((value): value is number => value !== undefined);
  return resets.length > 0 ? Math.ceil(Math.max(...resets)) : undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration such as `"1h2m3.5s"` or `"120ms"`, in milliseconds. */
export function parseDuration(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (!value || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return undefined;
  let total = 0;
  for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total;
}
