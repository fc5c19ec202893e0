/**
 * Reading a streamed image generation (`stream: true`, `partial_images: N`): server-sent events
 * `image_generation.partial_image` (b64_json, partial_image_index), then one `image_generation.completed` (b64_json,
 * usage). Each partial goes to the caller as it comes; the completed image is the answer.
 */
import type { ImageGenCompletedEvent, ImageGenStreamEvent } from "openai/resources/images";
import { ProviderError } from "../core/errors.js";
import type { GeneratedImage } from "../core/ports.js";
import { decodeImage } from "./decode-image.js";

export interface StreamedImage {
  image: GeneratedImage;
  usage: ImageGenCompletedEvent["usage"] | undefined;
  size: string | undefined;
  quality: string | undefined;
  /** Partial images received before the completed one. */
  partials: number;
}

/**
 * Consumes the stream. A stream that ends without `image_generation.completed` (the connection cut, or aborted: the
 * SDK ends its iteration quietly on an abort, so the caller must check its own signal) is a `transient` failure. A
 * partial that can't be decoded is skipped: a preview is never worth failing the image for. `onPartialImage` that
 * throws is the caller's bug and is not allowed to end the stream either.
 */
export async function readImageStream(
  events: AsyncIterable<ImageGenStreamEvent>,
  of: number,
  onPartialImage: ((preview: { image: GeneratedImage; index: number; of: number }) => void) | undefined,
  onPartialError: (error: unknown) => void,
): Promise<StreamedImage> {
  let partials = 0;
  for await (const event of events) {
    if (event.type === "image_generation.partial_image") {
      partials++;
      try {
        const image = decodeImage(event.b64_json);
        // partial_image_index is 0-based; the member reads "preview 1 of 2".
        onPartialImage?.({ image, index: Math.min(event.partial_image_index + 1, of), of });
      } catch (error) {
        onPartialError(error);
      }
      continue;
    }
    if (event.type === "image_generation.completed") {
      return { image: decodeImage(event.b64_json), usage: event.usage, size: event.size, quality: event.quality, partials };
    }
  }
  throw new ProviderError("transient", `OpenAI's image stream ended after ${partials} partial image(s) without the completed image`);
}
