/**
 * Slack-shaped identifiers, tokens and message timestamps.
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomChars(n: number, alphabet = ALNUM): string {
  let s = '';
  for (let i = 0; i < n; i += 1) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** Id generator for one fake: `C…`, `U…`, `F…`, `B…`, `A…`, `T…` ids of Slack's usual length (11 characters). */
export class IdFactory {
  private seq = 0;
  private lastMicros = 0;
  /** How far Slack's clock is ahead of the real one (see `FakeSlack.advanceClock`). */
  private offsetMs = 0;

  /** Slack's clock, in epoch milliseconds. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Unix seconds on Slack's clock. */
  unixNow(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves Slack's clock forward. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`FakeSlack: the clock only moves forward (got ${ms} ms)`);
    this.offsetMs += ms;
  }

  /** A fresh id with the given prefix, e.g. `id('C')` → `C07ABCD1234`. Unique within this factory. */
  id(prefix: string): string {
    this.seq += 1;
    const serial = this.seq.toString(36).toUpperCase().padStart(4, '0');
    return `${prefix}0${randomChars(5)}${serial}`;
  }

  /** An event id: `Ev` + 9–10 characters. */
  eventId(): string {
    this.seq += 1;
    return `Ev0${randomChars(6)}${this.seq.toString(36).toUpperCase().padStart(3, '0')}`;
  }

  /**
   * A message timestamp `"<unix seconds>.<6 digits>"`, strictly increasing within the factory (Slack's `ts`
   * is unique per channel and doubles as the message id).
   */
  ts(): string {
    let micros = this.now() * 1000;
    if (micros <= this.lastMicros) micros = this.lastMicros + 1;
    this.lastMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  /** A trigger id like `13345224609.738474920.8088930838d88f008e0`. */
  triggerId(): string {
    return `${randomInt(1e10, 9e10)}.${randomInt(1e8, 9e8)}.${randomBytes(11).toString('hex').slice(0, 21)}`;
  }
}

/** A realistic bot token: `xoxb-<team num>-<bot num>-<24 alnum>`. */
export function makeBotToken(): string {
  return `xoxb-${randomInt(1e11, 9e11)}-${randomInt(1e12, 9e12)}-${randomChars(24, ALNUM + 'abcdefghijklmnopqrstuvwxyz')}`;
}

/** A realistic app-level token: `xapp-1-A…-<num>-<64 hex>`. */
export function makeAppToken(appId: string): string {
  return `xapp-1-${appId}-${randomInt(1e12, 9e12)}-${randomBytes(32).toString('hex')}`;
}

/** A signing secret: 32 hex characters. */
export function makeSigningSecret(): string {
  return randomBytes(16).toString('hex');
}

/** The deprecated verification token sent as `token` in payloads: 24 alphanumerics. */
export function makeVerificationToken(): string {
  return randomChars(24, ALNUM + 'abcdefghijklmnopqrstuvwxyz');
}

/** A random hex secret of `bytes` bytes. */
export function hexSecret(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
