/**
 * Image moderation in the loopback OpenAI: the `image_url` parts of a multi-modal `/v1/moderations` input, checked as
 * the real endpoint checks them (at most one image; a URL, or a base64 data URL of an image), and a classifier that
 * flags images the fake itself drew from prompts containing words a test chose (`FakeOpenAI.flagImages`).
 *
 * The error answers follow the real API's: `too_many_images` ("Number of images (2) exceeds maximum of 1", param
 * `input`), and `invalid_value` for a data URL that is not a base64 image (as OpenAI's image inputs answer it).
 */
import { createHash } from "node:crypto";
import { errorAnswer, type ErrorAnswer } from "./fake-openai-errors.js";

/** Categories omni-moderation also scores from images (its `category_applied_input_types` say "image" for them). */
export const IMAGE_CATEGORIES: readonly string[] = ["self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "violence", "violence/graphic"];

/** The images of a moderation request: the decoded bytes of each data URL (null for an http(s) URL). */
export interface ModeratedImage {
  /** The bytes sent, decoded from the data URL; null when the image was given by URL (the fake fetches nothing). */
  bytes: Buffer | null;
  mimeType: string | null;
}

const DATA_URL = /^data:(image\/(?:png|jpeg|jpg|gif|webp));base64,([A-Za-z0-9+/]+={0,2})$/;

/**
 * The images of a multi-modal `input`, or the error the real endpoint answers for them. An input without image parts
 * (a string, strings, text parts only) has none.
 */
export function imagesOf(input: unknown): ModeratedImage[] | ErrorAnswer {
  if (!Array.isArray(input)) return [];
  const images: ModeratedImage[] = [];
  for (const [index, part] of input.entries()) {
    if (part?.type !== "image_url") continue;
    const url: string = part.image_url.url;
    const param = `input[${index}].image_url.url`;
    if (/^https?:\/\//.test(url)) {
      images.push({ bytes: null, mimeType: null });
      continue;
    }
    if (!url.startsWith("data:")) {
      return errorAnswer(400, {
        message: `Invalid image URL: '${param}'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got a value without the 'data:' prefix.`,
        param,
        code: "invalid_value",
      });
    }
    const match = DATA_URL.exec(url);
    if (!match || match[2]!.length % 4 !== 0) {
      return errorAnswer(400, {
        message: `Invalid image URL: '${param}'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU=').`,
        param,
        code: "invalid_value",
      });
    }
    const bytes = Buffer.from(match[2]!, "base64");
    if (!looksLikeImage(bytes)) {
      return errorAnswer(400, { message: "The image data you provided does not represent a valid image. Please check your input and try again.", param, code: "invalid_image_format" });
    }
    images.push({ bytes, mimeType: match[1]! });
  }
  if (images.length > 1) {
    return errorAnswer(400, { message: `Number of images (${images.length}) exceeds maximum of 1`, param: "input", code: "too_many_images" });
  }
  return images;
}

/** PNG, JPEG, GIF or WebP by their signatures. */
function looksLikeImage(bytes: Buffer): boolean {
  const starts = (hex: string, at = 0) => bytes.subarray(at, at + hex.length / 2).toString("hex") === hex;
  return starts("89504e470d0a1a0a") || starts("ffd8ff") || starts("47494638") || (starts("52494646") && starts("57454250", 8));
}

/** Which images the fake drew from which prompt, and which words flag the images drawn from them. */
export class ImageFlags {
  readonly #drawnFrom = new Map<string, string>();
  readonly #words = new Map<string, string[]>();

  /** Remembers that the fake drew these bytes for this prompt. */
  drawn(bytes: Buffer, prompt: string): void {
    this.#drawnFrom.set(sha256(bytes), prompt);
  }

  /** Images drawn from prompts containing any of these words (case-insensitive) are flagged with these categories. */
  flag(map: Record<string, string[]>): void {
    for (const [word, categories] of Object.entries(map)) {
      const textOnly = categories.filter((c) => !IMAGE_CATEGORIES.includes(c));
      if (textOnly.length > 0) throw new Error(`omni-moderation does not score images for ${textOnly.join(", ")}`);
      this.#words.set(word.toLowerCase(), categories);
    }
  }

  /** The categories an image is flagged for: none for an image the fake did not draw, or given by URL. */
  categoriesOf(image: ModeratedImage): Set<string> {
    const found = new Set<string>();
    const prompt = image.bytes && this.#drawnFrom.get(sha256(image.bytes))?.toLowerCase();
    if (!prompt) return found;
    for (const [word, categories] of this.#words) if (prompt.includes(word)) for (const c of categories) found.add(c);
    return found;
  }

  clear(): void {
    this.#words.clear();
  }
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
