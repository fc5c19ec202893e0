/** Prompt validation: the third check of PRODUCT.md §Creating 2. */
import { UserError } from "./errors.js";
import { command } from "./words.js";

// C0 and C1 control characters except tab and newline, which members type in multi-line prompts.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
// Invisible characters that mean nothing to an image model or a reader: zero-width space, word joiner, the
// invisible operators and the byte-order mark (which `trim` keeps only at the ends). Stripped, so a prompt of only
// these is empty. Zero-width joiner and non-joiner (U+200C, U+200D) stay: emoji sequences and scripts such as
// Persian and Devanagari need them. Left-to-right and right-to-left marks stay too: they order nothing else.
const INVISIBLE = /[\u200B\u2060-\u2064\uFEFF]/g;
// Bidirectional embeddings, overrides and isolates make text display in another order than it is written, so a
// gallery post could show one prompt and ask for another ("Trojan Source"). Refused, not stripped: stripping would
// change what the member sees.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
// Half of a surrogate pair on its own is not text (it can't be stored or sent as UTF-8).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Returns the trimmed prompt without invisible characters, or throws a UserError saying what to change. */
export function validatePrompt(raw: string, maxLength: number): string {
  const prompt = raw.replace(INVISIBLE, "").trim();
  if (prompt.length === 0) throw new UserError("prompt_empty", `Your prompt is empty. Describe the image you want, e.g. \`${command("imagine", "a lighthouse at dawn")}\`.`);
  if (CONTROL.test(prompt) || LONE_SURROGATE.test(prompt)) throw new UserError("prompt_control", "Your prompt contains control characters. Please retype it as plain text.");
  if (BIDI_CONTROL.test(prompt)) {
    throw new UserError(
      "prompt_bidi",
      "Your prompt contains invisible text-direction characters (U+202A–U+202E or U+2066–U+2069), which make text display differently from what it says. Please retype it without them.",
    );
  }
  const length = [...prompt].length;
  if (length > maxLength) {
    throw new UserError("prompt_too_long", `Your prompt is ${length} characters long; the limit here is ${maxLength}. Please shorten it.`);
  }
  return prompt;
}
