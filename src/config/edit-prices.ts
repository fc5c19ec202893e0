/**
 * What a remix's input image costs on top of the image it makes, in USD by model and by the parent's size.
 *
 * A remix is OpenAI's image edit (POST /v1/images/edits): billed as a generation (the image made: the output tokens
 * priced in prices.ts, by quality and size) plus the input image's tokens. Source: OpenAI's pricing page
 * (platform.openai.com/docs/pricing, "Image tokens": input per 1M tokens, gpt-image-1 $10, gpt-image-1.5 $8,
 * gpt-image-1-mini $2.50) and the image-input token count of its vision guide (an image scaled to 768 px on its short
 * side, 170 tokens per 512 px tile plus 85: 765 tokens for 1024x1024, 1105 for 1024x1536 and 1536x1024). Salon sends
 * no `input_fidelity`, so the default (low) applies. gpt-image-2 is not in that source: charged at gpt-image-1's, the
 * highest, as prices.ts does.
 */
import type { EditInputPrices } from "../core/remix-pricing.js";

const tokens = { "1024x1024": 765, "1024x1536": 1105, "1536x1024": 1105 } as const;
const at = (usdPerMillion: number) => ({
  "1024x1024": (tokens["1024x1024"] * usdPerMillion) / 1_000_000,
  "1024x1536": (tokens["1024x1536"] * usdPerMillion) / 1_000_000,
  "1536x1024": (tokens["1536x1024"] * usdPerMillion) / 1_000_000,
});

/** The built-in input-image prices of an edit (see this module's comment for the source). */
export const BUILT_IN_EDIT_INPUT_PRICES: EditInputPrices = {
  "gpt-image-1": at(10),
  "gpt-image-1-mini": at(2.5),
  "gpt-image-1.5": at(8),
  // Not in the source: gpt-image-1's, the highest known.
  "gpt-image-2": at(10),
};
