/** Schemas of single environment values that several parts of the configuration use. */
import { z } from "zod";

/** An http(s) URL; the message never repeats the value (a URL may carry credentials). */
export const httpUrl = (name: string, example: string) =>
  z.string().refine(
    (value) => URL.canParse(value) && ["http:", "https:"].includes(new URL(value).protocol),
    `${name} is not a valid http(s) URL; use a full URL such as ${example}`,
  );

/** A whole number within bounds, with its default; the message names the range, the default and the unit. */
export const integer = (name: string, min: number, max: number, fallback: number, unit = "") => {
  const expected = `${name} must be a whole number from ${min} to ${max}${unit} (default ${fallback})`;
  return z
    .string()
    .regex(/^-?\d+$/, { error: (issue) => `${expected}, not "${String(issue.input)}"` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: (issue) => `${expected}, not ${String(issue.input)}` })
    .default(fallback);
};
