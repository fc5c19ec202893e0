import type { GeneratedImage } from "../core/ports.js";
import { ProviderError } from "../core/errors.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

/**
 * The bytes of a `b64_json` image, with the type read from the bytes themselves rather than trusted from the
 * request. Anything but PNG or JPEG is a provider fault (`transient`: the next attempt may well be fine).
 */
export function decodeImage(b64: string | undefined): GeneratedImage {
  if (!b64) throw new ProviderError("transient", "OpenAI answered without image data (no b64_json)");
  const bytes = Buffer.from(b64, "base64");
  if (bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return { bytes, mimeType: "image/png" };
  if (bytes.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE)) return { bytes, mimeType: "image/jpeg" };
  throw new ProviderError("transient", `OpenAI answered with ${bytes.length} bytes that are neither PNG nor JPEG`);
}
