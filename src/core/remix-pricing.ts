/** Cost of a remix (an image edit): the image it makes, as a generation, plus its input image. */
import { priceMicroUsd, type PriceTable } from "./pricing.js";
import type { ImageSize, Quality } from "./types.js";

/** USD of an edit's input image by model, then the input image's size. */
export type EditInputPrices = Record<string, Record<ImageSize, number>>;

/**
 * The price of a remix in micro-dollars. As for generations, a model missing from either table is charged at that
 * table's highest price, so an unknown model never spends more than the budget says.
 */
export function editPriceMicroUsd(prices: PriceTable, inputs: EditInputPrices, model: string, quality: Quality, size: ImageSize, parentSize: ImageSize): number {
  const known = inputs[model]?.[parentSize];
  const input = known ?? Math.max(0, ...Object.values(inputs).map((m) => m[parentSize]));
  return priceMicroUsd(prices, model, quality, size) + Math.round(input * 1_000_000);
}
