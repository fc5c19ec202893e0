/**
 * Properties of the prompt check (src/core/prompt.ts). The behaviour they pin down:
 * - surrounding white space is trimmed; zero-width space, word joiner, invisible operators and BOM are stripped;
 * - empty after that → `prompt_empty`; C0/C1 controls (but tab and newline) or a lone surrogate → `prompt_control`;
 *   bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) → `prompt_bidi` (refused, not stripped,
 *   since stripping them changes what the member sees); longer than the limit in code points → `prompt_too_long`;
 * - everything else (mentions, markdown, emoji with joiners, right-to-left text with LRM/RLM marks) is kept as typed:
 *   renderers make it harmless (see render.property.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.js";
import { validatePrompt } from "../../src/core/prompt.js";
import { anyText, BIDI_CONTROLS, C0_C1_CONTROLS, INVISIBLES, ordinaryPrompt, outcome, SPACES, thrown, wellFormed } from "./arbitraries.js";

const MAX = 1000;
const CODES = ["ok", "prompt_empty", "prompt_control", "prompt_bidi", "prompt_too_long"];
const accepted = (p: string, max = MAX) => outcome(() => validatePrompt(p, max)) === "ok";

/** Inserts `piece` at `at` (a fraction of the length) into `text`. */
const insertAt = (text: string, piece: string, at: number) => {
  const chars = [...text];
  const i = Math.floor(at * (chars.length + 1));
  return [...chars.slice(0, i), piece, ...chars.slice(i)].join("");
};

describe("prompt validation properties", () => {
  it("never throws anything but a UserError with one of the prompt codes, for any string of code units", () => {
    fc.assert(
      fc.property(anyText(200), fc.integer({ min: 1, max: 2000 }), (raw, max) => {
        expect(CODES).toContain(outcome(() => validatePrompt(raw, max)));
      }),
      { numRuns: 2000 },
    );
  });

  it("an accepted prompt is trimmed, non-empty, well-formed, within the limit and free of controls, bidi overrides and invisibles", () => {
    fc.assert(
      fc.property(fc.oneof(anyText(80), ordinaryPrompt), fc.integer({ min: 1, max: 200 }), (raw, max) => {
        fc.pre(accepted(raw, max));
        const p = validatePrompt(raw, max);
        expect(p.length).toBeGreaterThan(0);
        expect(p).toBe(p.trim());
        expect(wellFormed(p)).toBe(true);
        expect([...p].length).toBeLessThanOrEqual(max);
        expect(p).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
        expect(p).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
        expect(p).not.toMatch(/[\u200B\u2060-\u2064\uFEFF]/);
      }),
      { numRuns: 1000 },
    );
  });

  it("is idempotent: an accepted prompt validates to itself", () => {
    fc.assert(
      fc.property(fc.oneof(anyText(80), ordinaryPrompt), (raw) => {
        fc.pre(accepted(raw));
        const once = validatePrompt(raw, MAX);
        expect(validatePrompt(once, MAX)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps ordinary text as typed: mentions, markdown, emoji with joiners and right-to-left text with marks are only trimmed", () => {
    fc.assert(
      fc.property(ordinaryPrompt, fc.constantFrom("", " ", "  \n"), (prompt, pad) => {
        fc.pre(accepted(prompt));
        expect(validatePrompt(`${pad}${prompt}${pad}`, MAX)).toBe(validatePrompt(prompt, MAX));
        if (!/[\u200B\u2060-\u2064\uFEFF]/.test(prompt)) expect(validatePrompt(prompt, MAX)).toBe(prompt.trim());
      }),
    );
    expect(validatePrompt("@everyone look <@&123456789012345678> <!channel>", MAX)).toBe("@everyone look <@&123456789012345678> <!channel>");
    expect(validatePrompt("👨‍👩‍👧 می‌خواهم", MAX)).toBe("👨‍👩‍👧 می‌خواهم");
  });

  it("refuses as empty any prompt made only of white space and invisible characters, however long", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SPACES, ...INVISIBLES), { maxLength: 3000 }), (chars) => {
        expect(outcome(() => validatePrompt(chars.join(""), MAX))).toBe("prompt_empty");
      }),
    );
  });

  it("strips zero-width spaces, word joiners and byte-order marks wherever they are, and otherwise decides as without them", () => {
    fc.assert(
      fc.property(ordinaryPrompt, fc.array(fc.tuple(fc.constantFrom(...INVISIBLES), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 6 }), (prompt, inserts) => {
        const noisy = inserts.reduce((text, [piece, at]) => insertAt(text, piece, at), prompt);
        const plain = outcome(() => validatePrompt(prompt, MAX));
        expect(outcome(() => validatePrompt(noisy, MAX))).toBe(plain);
        if (plain === "ok") expect(validatePrompt(noisy, MAX)).toBe(validatePrompt(prompt, MAX));
      }),
    );
  });

  it("refuses a prompt with a C0 or C1 control character (other than tab and newline) anywhere in it", () => {
    fc.assert(
      fc.property(ordinaryPrompt, fc.constantFrom(...C0_C1_CONTROLS), fc.double({ min: 0, max: 1, noNaN: true }), (prompt, control, at) => {
        fc.pre(accepted(prompt));
        // At the very ends, some controls (e.g. \r, \v, \f) count as white space and are trimmed: put it inside.
        const text = `x${insertAt(prompt, control, at)}x`;
        expect(outcome(() => validatePrompt(text, MAX))).toBe("prompt_control");
      }),
    );
  });

  it("refuses a prompt with a bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069) anywhere in it, with a message naming them", () => {
    fc.assert(
      fc.property(ordinaryPrompt, fc.constantFrom(...BIDI_CONTROLS), fc.double({ min: 0, max: 1, noNaN: true }), (prompt, bidi, at) => {
        fc.pre(accepted(prompt));
        const error = thrown(() => validatePrompt(insertAt(prompt, bidi, at), MAX));
        expect(error).toBeInstanceOf(UserError);
        expect(error).toMatchObject({ code: "prompt_bidi", userMessage: expect.stringContaining("U+202E") });
      }),
    );
  });

  it("refuses a prompt holding half of a surrogate pair", () => {
    fc.assert(
      fc.property(ordinaryPrompt, fc.integer({ min: 0xd800, max: 0xdfff }), fc.double({ min: 0, max: 1, noNaN: true }), (prompt, unit, at) => {
        fc.pre(accepted(prompt));
        expect(outcome(() => validatePrompt(`a${insertAt(prompt, String.fromCharCode(unit), at)}a`, MAX))).toBe("prompt_control");
      }),
    );
  });

  it("accepts a prompt exactly when it has at most the limit's code points, counting an emoji as one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom("a", "é", "😀", "字"), (n, max, char) => {
        const prompt = char.repeat(n);
        const result = outcome(() => validatePrompt(prompt, max));
        expect(result).toBe(n <= max ? "ok" : "prompt_too_long");
        if (n > max) expect(thrown(() => validatePrompt(prompt, max))).toMatchObject({ userMessage: expect.stringContaining(`${n} characters long; the limit here is ${max}`) });
      }),
    );
  });

  it("refuses huge prompts (up to a million characters) with a short message that doesn't echo them", () => {
    for (const size of [1001, 100_000, 1_000_000]) {
      const error = thrown(() => validatePrompt("a".repeat(size), MAX));
      expect(error).toMatchObject({ code: "prompt_too_long" });
      expect((error as UserError).userMessage.length).toBeLessThan(200);
    }
  });
});
