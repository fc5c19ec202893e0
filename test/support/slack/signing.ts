/**
 * Slack request signing (v0): `x-slack-signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{rawBody}">`
 * keyed with the app's signing secret, and `x-slack-request-timestamp: <unix seconds>`.
 */
import { createHmac } from 'node:crypto';

/** Options for {@link signedHeaders}. */
export interface SignOptions {
  /** `bad` signs with a wrong secret. Default `valid`. */
  signature?: 'valid' | 'bad';
  /**
   * Added to the current time for `x-slack-request-timestamp`. Negative is in the past: Bolt refuses
   * timestamps more than 5 minutes old (`-301` and below). Note that Bolt accepts any future timestamp.
   */
  timestampSkewSeconds?: number;
}

/** The v0 signature of a raw body. */
export function sign(signingSecret: string, timestamp: number | string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** The two signature headers for a raw body. */
export function signedHeaders(signingSecret: string, rawBody: string, opts: SignOptions = {}): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000) + Math.trunc(opts.timestampSkewSeconds ?? 0);
  const secret = opts.signature === 'bad' ? `${signingSecret}-not-the-secret` : signingSecret;
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': sign(secret, timestamp, rawBody),
  };
}
