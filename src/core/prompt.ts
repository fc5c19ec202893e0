/** Prompt validation: the third check of PRODUCT.md §Creating 2. */
import { UserError } from "./errors.js";

// C0 and C1 control characters except tab and newline, which members type in multi-line prompts.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** Returns the trimmed prompt, or throws a UserError saying what to change. */
export function validatePrompt(raw: string, maxLength: number): string {
  const prompt = raw.trim();
  if (prompt.length === 0) throw new UserError("prompt_empty", "Your prompt is empty. Describe the image you want, e.g. `/imagine prompt: a lighthouse at dawn`.");
  if (CONTROL.test(prompt)) throw new UserError("prompt_control", "Your prompt contains control characters. Please retype it as plain text.");
  const length = [...prompt].length;
  if (length > maxLength) {
    throw new UserError("prompt_too_long", `Your prompt is ${length} characters long; the limit here is ${maxLength}. Please shorten it.`);
  }
  return prompt;
}
