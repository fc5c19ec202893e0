/** Parsers for admin input: each returns the clean value or throws a UserError saying what is accepted. */
import { UserError } from "./errors.js";
import { isValidTimeZone } from "./time.js";
import { unmarked } from "./words.js";

// Plain decimal notation only: `Number()` would also read "" and "  " as 0, and "0x10", "1e3" or "0b11" as numbers.
const WHOLE = /^[0-9]+$/;
const DOLLARS = /^\$?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** The member's input as it is quoted back in a refusal: short, so a pasted essay doesn't become the answer. */
function quoted(raw: string): string {
  const chars = [...unmarked(raw)];
  return `"${chars.length <= 40 ? chars.join("") : `${chars.slice(0, 39).join("")}…`}"`;
}

/** `HH:MM` in 24-hour time; `9:05` is read as `09:05`. `24:00`, `9:5`, `-1:00` and `12:60` are not times. */
export function parseDigestTime(raw: string): string {
  const match = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$/.exec(raw.trim());
  if (!match) throw new UserError("bad_time", `${quoted(raw)} is not a time. Use 24-hour HH:MM, e.g. 09:00 or 18:30.`);
  return `${match[1]!.padStart(2, "0")}:${match[2]}`;
}

/** An IANA time zone name (e.g. Europe/Paris); offsets such as `+01:00` or `UTC+1` are not names. */
export function parseTimeZone(raw: string): string {
  const name = raw.trim();
  if (!isValidTimeZone(name)) throw new UserError("bad_timezone", `${quoted(raw)} is not an IANA time zone. Use a name such as Europe/Paris, America/New_York or UTC.`);
  return name;
}

/** A whole number in [min, max]: digits only when typed, an integer when the platform sends a number. */
export function parseWholeNumber(raw: number | string, name: string, min: number, max: number): number {
  const text = typeof raw === "string" ? raw.trim() : null;
  const value = text === null ? raw : WHOLE.test(text) ? Number(text) : Number.NaN;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UserError("bad_number", `${name} must be a whole number from ${min} to ${max}.`);
  }
  return value + 0; // -0 → 0
}

/**
 * The largest daily budget an admin may set, in dollars: stored in micro-dollars, it must fit the 32-bit integer
 * columns of PostgreSQL (2^31 − 1 micro-dollars is $2,147.48; $10,000 failed there as an out-of-range value).
 */
export const MAX_BUDGET_USD = 2_000;

/** Dollars (e.g. 5, 2.50 or $5) → micro-dollars. */
export function parseBudgetUsd(raw: number | string, max = MAX_BUDGET_USD): number {
  const text = typeof raw === "string" ? raw.trim() : null;
  const value = text === null ? raw : DOLLARS.test(text) ? Number(text.replace(/^\$/, "")) : Number.NaN;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    throw new UserError("bad_budget", `budget_usd_daily must be an amount in US dollars from 0 to ${max}, e.g. 5 or 2.50.`);
  }
  return Math.round(value * 1_000_000) + 0;
}
