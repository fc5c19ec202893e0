/** The image of a creation: generated from its prompt, or, for a remix, an edit of its parent's stored image. */
import type { SalonDeps } from "./deps.js";
import { AppError } from "./errors.js";
import type { GeneratedImage, ImageProvider } from "./ports.js";
import type { Creation } from "./types.js";

/** The parent's image is gone (its creator asked to be forgotten) after the remix was queued: nothing to edit. */
export class RemixParentGoneError extends AppError {
  constructor(readonly creationId: number) {
    super("remix_parent_gone", `the parent of remix ${creationId} has no image any more`);
    this.name = "RemixParentGoneError";
  }
}

export const REMIX_PARENT_GONE_REASON = "The creation you remixed was removed (its creator asked to be forgotten) before your remix was made. Your quota was refunded.";

type Previews = Pick<Parameters<ImageProvider["generate"]>[0], "partialImages" | "onPartialImage">;

/** `previews` apply to a generation only: the edit endpoint is called without streaming. */
export async function makeImage(deps: Pick<SalonDeps, "provider" | "files" | "creations">, job: Creation, user: string, signal: AbortSignal, previews: Previews = {}): Promise<GeneratedImage> {
  const request = { prompt: job.prompt, model: job.model, size: job.size, quality: job.quality, user, signal };
  if (job.parentId === null) return deps.provider.generate({ ...request, ...previews });
  const parent = await deps.creations.getCreation(job.parentId);
  const image = parent?.imageHash ? await deps.files.get(parent.imageHash) : null;
  if (!image) throw new RemixParentGoneError(job.id);
  return deps.provider.edit({ ...request, image });
}
