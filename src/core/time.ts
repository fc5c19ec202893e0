/** Calendar arithmetic in a community's time zone. A day is a calendar day, 23 or 25 hours long across DST. */
import { DateTime, IANAZone } from "luxon";
import type { TopPeriod } from "./types.js";

/**
 * Whether `name` is an IANA time zone name. Offsets are not names, though Node 24's Intl (ECMA-402 2024) takes `+01:00`
 * as a time zone and Node 20's does not: every IANA name begins with a letter, an offset never does.
 */
export function isValidTimeZone(name: string): boolean {
  return /^[A-Za-z]/.test(name) && IANAZone.isValidZone(name);
}

/** The community-local calendar day of an instant, `YYYY-MM-DD`. */
export function localDay(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toISODate()!;
}

/** The day before (or `offset` days from) a `YYYY-MM-DD` day. */
export function addDays(day: string, offset: number): string {
  return DateTime.fromISO(day, { zone: "UTC" }).plus({ days: offset }).toISODate()!;
}

/** The instants [start, end) of a local calendar day. */
export function dayBounds(day: string, timezone: string): { start: Date; end: Date } {
  const start = DateTime.fromISO(day, { zone: timezone }).startOf("day");
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** The instant a local `HH:MM` falls on a given day (a time skipped by DST moves forward, as luxon does). */
export function localTimeOn(day: string, hhmm: string, timezone: string): Date {
  const [hour, minute] = hhmm.split(":").map(Number);
  return DateTime.fromISO(day, { zone: timezone }).set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

/** "25 November 2026". */
export function dayTitle(day: string): string {
  return DateTime.fromISO(day, { zone: "UTC" }).setLocale("en-GB").toFormat("d LLLL yyyy");
}

/** Start of a `/top` window: today since local midnight, week and month as the last 7 and 30 local days. */
export function periodStart(period: TopPeriod, now: Date, timezone: string): Date | null {
  if (period === "all") return null;
  const today = localDay(now, timezone);
  const back = period === "today" ? 0 : period === "week" ? 6 : 29;
  return dayBounds(addDays(today, -back), timezone).start;
}
