/**
 * What the fake's image endpoint draws: a scene drawn from the prompt (fake-openai-scene.ts), at the requested size,
 * encoded by sharp so that the bytes are a real image. Encodings are cached per size, prompt and format.
 */
import { createHash } from "node:crypto";
import sharp from "sharp";
import { drawScene } from "./fake-openai-scene.js";

export type OutputFormat = "png" | "jpeg" | "webp";

export const STANDARD_SIZES = ["1024x1024", "1024x1536", "1536x1024"] as const;

/** Output tokens per quality and size, from OpenAI's gpt-image-1 pricing table. */
const OUTPUT_TOKENS: Record<string, Record<(typeof STANDARD_SIZES)[number], number>> = {
  low: { "1024x1024": 272, "1024x1536": 408, "1536x1024": 400 },
  medium: { "1024x1024": 1056, "1024x1536": 1584, "1536x1024": 1568 },
  high: { "1024x1024": 4160, "1024x1536": 6240, "1536x1024": 6208 },
};

export interface Dimensions {
  width: number;
  height: number;
}

/**
 * The pixel size for a `size` parameter, or null when the model does not accept it. `auto` draws a square;
 * gpt-image-2 also takes any `WxH` whose sides are multiples of 16, at most 3840x2160 and between 1:3 and 3:1.
 */
export function parseSize(size: string, model: string): Dimensions | null {
  if (size === "auto") return { width: 1024, height: 1024 };
  if ((STANDARD_SIZES as readonly string[]).includes(size)) return dimensionsOf(size);
  if (!model.startsWith("gpt-image-2")) return null;
  const match = /^(\d{2,4})x(\d{2,4})$/.exec(size);
  if (!match) return null;
  const { width, height } = dimensionsOf(size);
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const fits = long <= 3840 && short <= 2160 && width % 16 === 0 && height % 16 === 0 && long / short <= 3;
  return fits ? { width, height } : null;
}

function dimensionsOf(size: string): Dimensions {
  const [width, height] = size.split("x").map(Number) as [number, number];
  return { width, height };
}

/** The colour the fake paints for a prompt: the first three bytes of its SHA-256. */
export function colourOf(prompt: string, index = 0): { r: number; g: number; b: number } {
  const digest = createHash("sha256").update(`${index}:${prompt}`).digest();
  return { r: digest[0]!, g: digest[1]!, b: digest[2]! };
}

const MAX_CACHED = 256;
const cache = new Map<string, Promise<Buffer>>();

/**
 * The image for a request, encoded as `format`: with the prompt, a scene drawn from it (fake-openai-scene.ts); without
 * it, a solid `colour`. Cached per size, prompt (or colour) and format.
 */
export function renderImage(dimensions: Dimensions, colour: { r: number; g: number; b: number }, format: OutputFormat, prompt?: { prompt: string; index: number }): Promise<Buffer> {
  const subject = prompt ? `${prompt.index}:${prompt.prompt}` : `${colour.r},${colour.g},${colour.b}`;
  const key = `${dimensions.width}x${dimensions.height}:${subject}:${format}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const encoded = (async () => {
    const image = prompt ? await drawScene(prompt.prompt, prompt.index, dimensions) : sharp({ create: { ...dimensions, channels: 3, background: colour } });
    return (format === "png" ? image.png() : format === "jpeg" ? image.jpeg() : image.webp()).toBuffer();
  })();
  cache.set(key, encoded);
  encoded.catch(() => cache.delete(key));
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return encoded;
}

export function usageOf(prompt: string, quality: string, size: string, n: number) {
  const table = OUTPUT_TOKENS[quality] ?? OUTPUT_TOKENS["medium"]!;
  const perImage = table[size as (typeof STANDARD_SIZES)[number]] ?? table["1024x1024"];
  const inputTokens = Math.max(1, Math.ceil(prompt.length / 4));
  const outputTokens = perImage * n;
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    input_tokens_details: { text_tokens: inputTokens, image_tokens: 0 },
    output_tokens_details: { image_tokens: outputTokens, text_tokens: 0 },
  };
}
