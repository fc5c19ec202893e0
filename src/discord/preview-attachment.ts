/**
 * A status message edit with the latest preview image as its one attachment, or with no attachment at all: every
 * other state clears the preview (`attachments: []`), whichever process showed it.
 */
import type { JobStatus } from "../core/ports.js";

export function withPreview<B extends object>(body: B, status: JobStatus) {
  const preview = status.state === "generating" ? status.preview : undefined;
  if (!preview) return { body: { ...body, attachments: [] } };
  const name = `preview-${preview.index}-of-${preview.of}.${preview.image.mimeType === "image/jpeg" ? "jpg" : "png"}`;
  return {
    body: { ...body, attachments: [{ id: 0, filename: name, description: `Preview ${preview.index} of ${preview.of} of the image being made` }] },
    files: [{ name, data: preview.image.bytes, contentType: preview.image.mimeType }],
  };
}
