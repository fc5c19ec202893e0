/**
 * Properties of the admin input parsers (src/core/settings-input.ts). The behaviour they pin down:
 * - times: 24-hour `H:MM` or `HH:MM` (hour 0–23, minute 00–59), surrounding white space ignored, answered as `HH:MM`;
 *   `24:00`, `9:5`, `-1:00`, `12:60`, `9h30`, `9.30` and non-ASCII digits are refused;
 * - time zones: IANA names only (what the tz database and Intl know, aliases such as `US/Pacific` included); offsets
 *   (`+01:00`, `UTC+1`, `GMT+1`), unknown names and padding inside the name are refused;
 * - whole numbers (per_member_daily, cooldown_seconds): typed as plain ASCII digits, or sent by the platform as an
 *   integer; empty, negative, fractional, NaN, Infinity, hex/binary/exponent notation and values out of range refused;
 * - budgets: plain decimal dollars, optionally with a leading `$`, from 0 to the maximum; exact to the micro-dollar.
 * Refusals quote at most 40 characters of what was typed.
 */
import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { MAX_BUDGET_USD, parseBudgetUsd, parseDigestTime, parseTimeZone, parseWholeNumber } from "../../src/core/settings-input.js";
import { anyText, outcome, thrown } from "./arbitraries.js";

const pad2 = (n: number) => String(n).padStart(2, "0");
const digits = (s: string) => /^[0-9]+$/.test(s);

/** An independent reading of "H:MM or HH:MM, 24-hour", after trimming. */
function timeModel(raw: string): string | null {
  const parts = raw.trim().split(":");
  if (parts.length !== 2) return null;
  const [h, m] = parts as [string, string];
  if (!digits(h) || !digits(m) || h.length < 1 || h.length > 2 || m.length !== 2) return null;
  const hour = Number(h);
  const minute = Number(m);
  if (hour > 23 || minute > 59) return null;
  return `${pad2(hour)}:${m}`;
}

const timeLike = fc.oneof(
  anyText(8),
  fc.tuple(fc.integer({ min: -5, max: 130 }), fc.integer({ min: -5, max: 130 }), fc.constantFrom(":", ".", "h", "::", ": "), fc.boolean(), fc.boolean(), fc.constantFrom("", " ", "\t", "\n")).map(
    ([h, m, sep, padH, padM, ws]) => `${ws}${padH ? pad2(h) : String(h)}${sep}${padM ? pad2(m) : String(m)}${ws}`,
  ),
  fc.stringMatching(/^[0-9٠-٩０-９:+\- ]{1,7}$/),
);

describe("digest time properties", () => {
  it("accepts exactly 24-hour H:MM / HH:MM times and answers HH:MM, for any input", () => {
    fc.assert(
      fc.property(timeLike, (raw) => {
        const expected = timeModel(raw);
        if (expected === null) expect(outcome(() => parseDigestTime(raw))).toBe("bad_time");
        else expect(parseDigestTime(raw)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("round-trips every minute of the day, written HH:MM or H:MM", () => {
    for (let hour = 0; hour < 24; hour++) {
      for (let minute = 0; minute < 60; minute++) {
        const canonical = `${pad2(hour)}:${pad2(minute)}`;
        expect(parseDigestTime(canonical)).toBe(canonical);
        expect(parseDigestTime(`${hour}:${pad2(minute)}`)).toBe(canonical);
      }
    }
  });

  it("refuses 24:00, 9:5, -1:00, 12:60 and other near-times, quoting them", () => {
    for (const raw of ["24:00", "9:5", "-1:00", "12:60", "23:60", "099:00", "9:005", "9h30", "9.30", "12:00:00", "12:00 pm", "١٢:٣٠", "１２:３０", ":", "", " "]) {
      const error = thrown(() => parseDigestTime(raw));
      expect(error, raw).toMatchObject({ code: "bad_time", userMessage: expect.stringContaining(`"${raw}" is not a time`) });
    }
  });

  it("quotes at most 40 characters of a refused input", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 41, maxLength: 5000 }), (raw) => {
        fc.pre(timeModel(raw) === null);
        const error = thrown(() => parseDigestTime(raw)) as { userMessage: string };
        expect(error.userMessage.length).toBeLessThan(140);
      }),
    );
  });
});

const IANA = Intl.supportedValuesOf("timeZone");

describe("time zone properties", () => {
  it("accepts every IANA zone name this runtime knows, as written", () => {
    for (const zone of [...IANA, "UTC", "Etc/GMT+5", "US/Pacific", "Asia/Calcutta"]) expect(parseTimeZone(zone)).toBe(zone);
  });

  it("accepts only names the runtime's tz database resolves, so luxon can always compute a local day with them", () => {
    fc.assert(
      fc.property(fc.oneof(anyText(20), fc.stringMatching(/^[A-Za-z_/+\-0-9:]{1,24}$/), fc.constantFrom(...IANA).map((z) => z.toLowerCase())), (raw) => {
        if (outcome(() => parseTimeZone(raw)) !== "ok") return;
        const zone = parseTimeZone(raw);
        expect(() => new Intl.DateTimeFormat("en", { timeZone: zone })).not.toThrow();
        expect(DateTime.fromISO("2026-11-25T12:00:00Z").setZone(zone).isValid).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses offsets, unknown names and padding inside a name, with the IANA hint", () => {
    for (const raw of ["+01:00", "-05:00", "UTC+1", "GMT+1", "UTC+01:00", "Z", "CEST", "Mars/Olympus", "Europe/Pariss", "Europe/ Paris", "Europe//Paris", "../etc/passwd", "local", "system", "", "Europe/Paris\u0000"]) {
      expect(thrown(() => parseTimeZone(raw)), raw).toMatchObject({ code: "bad_timezone", userMessage: expect.stringContaining("is not an IANA time zone") });
    }
  });

  it("ignores white space around a name", () => {
    fc.assert(
      fc.property(fc.constantFrom(...IANA), fc.constantFrom("", " ", "\t", "  \n"), (zone, ws) => {
        expect(parseTimeZone(`${ws}${zone}${ws}`)).toBe(zone);
      }),
    );
  });
});

describe("whole number properties (per_member_daily, cooldown_seconds)", () => {
  const range = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100_000 })).map(([min, span]) => ({ min, max: min + span }));

  it("accepts a typed value exactly when it is ASCII digits (white space around allowed) within the range", () => {
    const typed = fc.oneof(
      anyText(12),
      fc.integer({ min: -1_000_000, max: 10_000_000 }).map(String),
      fc.double().map(String),
      fc.constantFrom("", " ", "-0", "+5", "0x10", "0b11", "0o7", "1e3", "1E3", "5.", ".5", "1.0", "1,000", "1_000", "Infinity", "-Infinity", "NaN", "٣", "３", "12abc", "9".repeat(400)),
      fc.tuple(fc.constantFrom("", " ", "\t"), fc.nat(200_000)).map(([ws, n]) => `${ws}${n}${ws}`),
    );
    fc.assert(
      fc.property(typed, range, (raw, { min, max }) => {
        const trimmed = raw.trim();
        const ok = /^[0-9]+$/.test(trimmed) && Number(trimmed) >= min && Number(trimmed) <= max;
        if (ok) expect(parseWholeNumber(raw, "per_member_daily", min, max)).toBe(Number(trimmed));
        else expect(thrown(() => parseWholeNumber(raw, "per_member_daily", min, max))).toMatchObject({ code: "bad_number", userMessage: `per_member_daily must be a whole number from ${min} to ${max}.` });
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts a number from the platform exactly when it is a safe integer within the range (so never NaN, Infinity, a fraction or a negative)", () => {
    const numbers = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, 1e300, -1, 0.5, 1 - 1e-16));
    fc.assert(
      fc.property(numbers, range, (value, { min, max }) => {
        const ok = Number.isSafeInteger(value) && value >= min && value <= max;
        if (ok) expect(Object.is(parseWholeNumber(value, "cooldown_seconds", min, max), value + 0)).toBe(true);
        else expect(outcome(() => parseWholeNumber(value, "cooldown_seconds", min, max))).toBe("bad_number");
      }),
      { numRuns: 3000 },
    );
  });
});

describe("budget properties (budget_usd_daily)", () => {
  it("accepts plain decimal dollars (optionally with $) from 0 to the maximum, exactly to the micro-dollar", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_BUDGET_USD }), fc.integer({ min: 0, max: 999_999 }), fc.boolean(), (dollars, micros, sign) => {
        fc.pre(dollars < MAX_BUDGET_USD || micros === 0);
        const text = `${sign ? "$" : ""}${dollars}.${String(micros).padStart(6, "0")}`;
        expect(parseBudgetUsd(text)).toBe(dollars * 1_000_000 + micros);
        expect(parseBudgetUsd(dollars + micros / 1_000_000)).toBe(dollars * 1_000_000 + micros);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses anything else: negative, NaN, Infinity, over the maximum, hex or exponent notation, empty, words", () => {
    const bad = fc.oneof(
      fc.constantFrom("", " ", "-1", "-0.01", "NaN", "Infinity", "1e3", "0x10", "5 USD", "5,00", "$", "$-1", "2000.01", "1".repeat(400), "five"),
      fc.double({ min: MAX_BUDGET_USD + 0.000001, noNaN: true }).map(String),
      fc.integer({ min: -1_000_000, max: -1 }).map(String),
      anyText(10).filter((s) => !/^\s*\$?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$/.test(s)),
    );
    fc.assert(
      fc.property(bad, (raw) => {
        expect(outcome(() => parseBudgetUsd(raw))).toBe("bad_budget");
      }),
      { numRuns: 2000 },
    );
    for (const value of [Number.NaN, Infinity, -Infinity, -0.01, 2_000.5, 1e300]) expect(outcome(() => parseBudgetUsd(value))).toBe("bad_budget");
    expect(Object.is(parseBudgetUsd(-0), 0)).toBe(true);
  });
});
