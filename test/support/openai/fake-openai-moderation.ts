/**
 * The fake's moderation classifier: a prompt is flagged with the categories of every configured word it contains
 * (whole words, case-insensitive). The answer has every category of the spec, as the real endpoint does.
 */
import { randomBytes } from "node:crypto";
import { IMAGE_CATEGORIES } from "./fake-openai-image-moderation.js";

export const MODERATION_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/intent",
  "self-harm/instructions",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;

/** Categories whose scores the real model also takes from images. */
const TEXT_AND_IMAGE = new Set(IMAGE_CATEGORIES);

export const MODERATION_MODELS = ["omni-moderation-latest", "omni-moderation-2024-09-26", "text-moderation-latest", "text-moderation-stable"];

export type FlagWords = ReadonlyMap<string, readonly string[]>;

/** The texts of a moderation `input`: a string, an array of strings, or an array of multi-modal parts. */
export function textsOf(input: unknown): string[][] | null {
  if (typeof input === "string") return [[input]];
  if (!Array.isArray(input)) return null;
  if (input.every((item) => typeof item === "string")) return input.map((item: string) => [item]);
  // Multi-modal parts are classified together, as one result.
  const texts: string[] = [];
  for (const part of input) {
    if (part?.type === "text" && typeof part.text === "string") texts.push(part.text);
    else if (part?.type === "image_url" && typeof part.image_url?.url === "string") continue;
    else return null;
  }
  return [texts];
}

function flaggedCategories(texts: readonly string[], words: FlagWords): Set<string> {
  const found = new Set<string>();
  for (const [word, categories] of words) {
    const pattern = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(word)}($|[^\\p{L}\\p{N}])`, "iu");
    if (texts.some((text) => pattern.test(text))) for (const category of categories) found.add(category);
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The answer to `inputs` (each classified on its own; a multi-modal input is one). `image`, for a multi-modal input with
 * an image: the categories its image is flagged for; the applied input types then say "image" for the categories the
 * model scores from images.
 */
export function moderationResponse(model: string, inputs: readonly string[][], words: FlagWords, image?: { flagged: ReadonlySet<string> }) {
  return {
    id: `modr-${randomBytes(16).toString("hex")}`,
    model: model === "omni-moderation-latest" ? "omni-moderation-2024-09-26" : model,
    results: inputs.map((texts) => {
      const flagged = flaggedCategories(texts, words);
      for (const category of image?.flagged ?? []) flagged.add(category);
      const types = (category: string) => [...(texts.length > 0 ? ["text"] : []), ...(image && TEXT_AND_IMAGE.has(category) ? ["image"] : [])];
      const categories: Record<string, boolean> = {};
      const scores: Record<string, number> = {};
      const appliedTypes: Record<string, string[]> = {};
      for (const category of MODERATION_CATEGORIES) {
        categories[category] = flagged.has(category);
        scores[category] = flagged.has(category) ? 0.97 : 0.0004;
        appliedTypes[category] = types(category);
      }
      // Unknown categories configured by a test are reported too, as a newer model would.
      for (const category of flagged) {
        if (!(category in categories)) {
          categories[category] = true;
          scores[category] = 0.97;
          appliedTypes[category] = ["text"];
        }
      }
      return {
        flagged: flagged.size > 0,
        categories,
        category_scores: scores,
        category_applied_input_types: appliedTypes,
      };
    }),
  };
}
