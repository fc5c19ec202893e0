/**
 * What the text model (TEXT_MODEL) costs, in USD per 1M input and output tokens by model, and the cost of one call.
 *
 * Source: OpenAI's model pages (developers.openai.com/api/docs/models/<model>, "Text tokens", standard tier, prompts
 * under 272K tokens), read 2026-12-03: gpt-5.6-luna after OpenAI's price cut of 2026-07-30. Cached input is charged
 * here at the full input price, so the budget errs on the side of spending less.
 *
 * A model missing from the table is charged at the table's highest prices (gpt-5.4-mini's), so an unknown model can
 * never spend more than the budget says.
 */

/** USD per 1M tokens. */
export interface TextPrice {
  input: number;
  output: number;
}

export type TextPriceTable = Record<string, TextPrice>;

/** The built-in text prices (see this module's comment for their source). */
export const BUILT_IN_TEXT_PRICES: TextPriceTable = {
  "gpt-5.6-luna": { input: 0.2, output: 1.2 },
  "gpt-5.4-nano": { input: 0.2, output: 1.25 },
  "gpt-5.4-mini": { input: 0.75, output: 4.5 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
};

/** The tokens one call used, as the API's `usage` counts them. */
export interface TextUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * The cost of one text call in micro-dollars, rounded up: USD per 1M tokens is micro-USD per token. Reasoning tokens
 * are output tokens (the API counts them in `output_tokens`).
 */
export function textCostMicroUsd(table: TextPriceTable, model: string, usage: TextUsage): number {
  const prices = Object.values(table);
  const price = table[model] ?? { input: Math.max(...prices.map((p) => p.input)), output: Math.max(...prices.map((p) => p.output)) };
  const microUsd = usage.inputTokens * price.input + usage.outputTokens * price.output;
  // Rounded to a millionth first, so that float noise (150 × 0.2 = 30.000000000000004) does not add a micro-dollar.
  return Math.ceil(Math.round(microUsd * 1e6) / 1e6);
}
