/** What every image store shares: an image's name is the SHA-256 of its bytes, and only two types are kept. */
import { createHash } from "node:crypto";
import { AppError } from "../core/errors.js";
import type { GeneratedImage } from "../core/ports.js";

export const IMAGE_MIME_TYPES: ReadonlyArray<GeneratedImage["mimeType"]> = ["image/png", "image/jpeg"];
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The content address of `bytes`: their SHA-256, lowercase hex. */
export function contentAddress(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Anything but a digest here is a bug upstream; refusing it keeps every path and key inside the store. */
export function checkImageHash(hash: string): string {
  if (!SHA256_HEX.test(hash)) throw new AppError("image_hash_invalid", `Not a SHA-256 hex digest: ${JSON.stringify(hash.slice(0, 80))}`);
  return hash;
}

/** A stored type read back; anything else means the store holds something Salon did not write. */
export function storedMimeType(value: string | undefined, hash: string): GeneratedImage["mimeType"] {
  const type = IMAGE_MIME_TYPES.find((t) => t === value);
  if (!type) throw new AppError("image_type_unknown", `Image ${hash} is stored as ${JSON.stringify(value ?? null)}, not PNG or JPEG`);
  return type;
}
