/** Parsers for admin input: each returns the clean value or throws a UserError saying what is accepted. */
import { UserError } from "./errors.js";
import { isValidTimeZone } from "./time.js";

/** `HH:MM` in 24-hour time; `9:05` is read as `09:05`. */
export function parseDigestTime(raw: string): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(raw.trim());
  if (!match) throw new UserError("bad_time", `"${raw}" is not a time. Use 24-hour HH:MM, e.g. 09:00 or 18:30.`);
  return `${match[1]!.padStart(2, "0")}:${match[2]}`;
}

export function parseTimeZone(raw: string): string {
  const name = raw.trim();
  if (!isValidTimeZone(name)) throw new UserError("bad_timezone", `"${raw}" is not an IANA time zone. Use a name such as Europe/Paris, America/New_York or UTC.`);
  return name;
}

export function parseWholeNumber(raw: number | string, name: string, min: number, max: number): number {
  const value = typeof raw === "number" ? raw : Number(raw.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError("bad_number", `${name} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/** Dollars (e.g. 5 or 2.50) → micro-dollars. */
export function parseBudgetUsd(raw: number | string, max = 10_000): number {
  const value = typeof raw === "number" ? raw : Number(raw.trim());
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new UserError("bad_budget", `budget_usd_daily must be an amount in US dollars from 0 to ${max}, e.g. 5 or 2.50.`);
  }
  return Math.round(value * 1_000_000);
}
