/**
 * Live previews (PREVIEW_IMAGES): the image request streams partial images, each shown on the member's status
 * message as it comes. Previews are never stored and never reach the gallery.
 */
import type { ImageProvider } from "./ports.js";

type GenerateRequest = Parameters<ImageProvider["generate"]>[0];

/** Image output tokens OpenAI bills for each partial image (its image generation guide: 100 per partial). */
export const PREVIEW_OUTPUT_TOKENS = 100;
/**
 * USD per 1M image output tokens charged for previews: gpt-image-1's $40, the highest of the GPT image family, as the
 * price table charges unknown prices at the highest known (the budget errs on the side of spending less).
 */
export const PREVIEW_USD_PER_MILLION_TOKENS = 40;

/** What the previews of one image add to its cost, in micro-dollars ($0.004 per partial image). */
export function previewCostMicroUsd(previewImages: number | undefined): number {
  return (previewImages ?? 0) * PREVIEW_OUTPUT_TOKENS * PREVIEW_USD_PER_MILLION_TOKENS;
}

/** The preview fields of an image request: none when previews are off. */
export function previewRequest(previewImages: 0 | 1 | 2 | undefined, onPartialImage: NonNullable<GenerateRequest["onPartialImage"]>): Pick<GenerateRequest, "partialImages" | "onPartialImage"> {
  return previewImages ? { partialImages: previewImages, onPartialImage } : {};
}
