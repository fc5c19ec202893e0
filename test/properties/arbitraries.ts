/** Shared fast-check arbitraries for the parser properties. */
import fc from "fast-check";
import { UserError } from "../../src/core/errors.js";

/** Any UTF-16 code unit, lone surrogate halves included: what a JSON payload can carry. */
export const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
/** Strings of arbitrary code units (lone surrogates, controls, bidi, zero-width: everything). */
export const anyText = (maxLength = 60) => fc.string({ unit: codeUnit, maxLength });

export const C0_C1_CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => i).filter((i) => i !== 0x09 && i !== 0x0a), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)].map(
  (n) => String.fromCharCode(n),
);
export const BIDI_CONTROLS = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"];
/** Stripped by the prompt check: zero-width space, word joiner, invisible operators, byte-order mark. */
export const INVISIBLES = ["\u200B", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\uFEFF"];
/** White space JavaScript's `trim` removes. */
export const SPACES = [" ", "\t", "\n", "\u00A0", "\u1680", "\u2000", "\u2003", "\u2009", "\u200A", "\u2028", "\u2029", "\u202F", "\u205F", "\u3000"];

/** Ordinary prompt text: letters, digits, punctuation, emoji, other scripts, joiners and mention look-alikes. */
export const promptPiece = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  fc.constantFrom(
    "a lighthouse at dawn",
    "@everyone",
    "@here",
    "<@&123456789012345678>",
    "<@123456789012345678>",
    "<@!123456789012345678>",
    "<#123456789012345678>",
    "<!channel>",
    "<!here>",
    "<!subteam^S0123|@artists>",
    "👨‍👩‍👧",
    "🏳️‍🌈",
    "می‌خواهم",
    "क्‍ष",
    "שלום עולם",
    "\u200Fمرحبا\u200E",
    "x & y < z > w",
    "&amp; &lt;",
    "`code` **bold** ||spoiler||",
  ),
);
export const ordinaryPrompt = fc.array(promptPiece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(" "));

/** Runs `f`; returns the thrown value (or undefined when it returned). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The code of a UserError `f` throws, "ok" when it returns, and fails on any other throw. */
export function outcome(f: () => unknown): string {
  const error = thrown(f);
  if (error === undefined) return "ok";
  if (error instanceof UserError) return error.code;
  throw new Error(`expected a UserError or a value, got ${String(error)}`);
}

/** True when the string has no lone surrogate half. */
export function wellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}
