/**
 * What an image costs, in USD per image by model, quality and size, and how an operator overrides it.
 *
 * Source: OpenAI's published per-image prices for its GPT Image models (platform.openai.com/docs/pricing, "Image
 * generation" table), for the three sizes Salon asks for. They are list prices: text input tokens of the prompt
 * are not included, so real spend runs a little higher than the budget shows.
 *
 * gpt-image-2 is not in that source. It is charged at gpt-image-1's prices, the highest of the family, so that the
 * daily budget errs on the side of spending less. Put its real prices in PRICES_FILE once they are known.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { PriceTable } from "../core/pricing.js";
import { ConfigError } from "./config.js";

const GPT_IMAGE_1 = {
  low: { "1024x1024": 0.011, "1024x1536": 0.016, "1536x1024": 0.016 },
  medium: { "1024x1024": 0.042, "1024x1536": 0.063, "1536x1024": 0.063 },
  high: { "1024x1024": 0.167, "1024x1536": 0.25, "1536x1024": 0.25 },
};

/** The built-in price table (see this module's comment for its source). */
export const BUILT_IN_PRICES: PriceTable = {
  "gpt-image-1": GPT_IMAGE_1,
  "gpt-image-1-mini": {
    low: { "1024x1024": 0.005, "1024x1536": 0.006, "1536x1024": 0.006 },
    medium: { "1024x1024": 0.011, "1024x1536": 0.015, "1536x1024": 0.015 },
    high: { "1024x1024": 0.036, "1024x1536": 0.052, "1536x1024": 0.052 },
  },
  "gpt-image-1.5": {
    low: { "1024x1024": 0.009, "1024x1536": 0.013, "1536x1024": 0.013 },
    medium: { "1024x1024": 0.034, "1024x1536": 0.05, "1536x1024": 0.05 },
    high: { "1024x1024": 0.133, "1024x1536": 0.2, "1536x1024": 0.2 },
  },
  // Not in the source: gpt-image-1's prices, the highest known (see above).
  "gpt-image-2": GPT_IMAGE_1,
};

// Above this an entry is almost certainly a typo (cents written as dollars, say), not a price.
const MAX_USD_PER_IMAGE = 10;

const usd = z.number().nonnegative().max(MAX_USD_PER_IMAGE);
const bySize = z.strictObject({ "1024x1024": usd, "1024x1536": usd, "1536x1024": usd });
const modelPrices = z.strictObject({ low: bySize, medium: bySize, high: bySize });
/** The shape of PRICES_FILE: `{ "<model>": { "<quality>": { "<size>": usd } } }`, every quality and size present. */
export const priceTableSchema = z.record(z.string().min(1), modelPrices);

/**
 * The price table: the built-in one, with the models in `file` (PRICES_FILE) replacing the built-in entries of the
 * same name and adding new ones. Throws a {@link ConfigError} naming the file and every problem in it.
 */
export async function loadPriceTable(file?: string): Promise<PriceTable> {
  if (!file) return structuredClone(BUILT_IN_PRICES);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    throw new ConfigError([`PRICES_FILE ${file} ${reason}; fix the file or unset PRICES_FILE to use the built-in prices`]);
  }
  const parsed = priceTableSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const where = issue.path.length > 0 ? issue.path.join(".") : "the top level";
        return `PRICES_FILE ${file}: ${where}: ${issue.message} (expected {"model": {"low|medium|high": {"1024x1024|1024x1536|1536x1024": USD per image}}})`;
      }),
    );
  }
  return { ...structuredClone(BUILT_IN_PRICES), ...parsed.data };
}
