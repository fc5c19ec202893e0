/** Cost of one image, from the price table in configuration. */
import type { ImageSize, Quality } from "./types.js";

/** USD per image by model, then quality, then size. */
export type PriceTable = Record<string, Record<Quality, Record<ImageSize, number>>>;

/**
 * The price in micro-dollars. A model missing from the table is charged at the table's highest price for that
 * quality and size, so an unknown model can never spend more than the budget says.
 */
export function priceMicroUsd(table: PriceTable, model: string, quality: Quality, size: ImageSize): number {
  const known = table[model]?.[quality]?.[size];
  const usdValue = known ?? Math.max(...Object.values(table).map((m) => m[quality][size]));
  return Math.round(usdValue * 1_000_000);
}
