/**
 * An image provider that makes no image while the image store is down: `generate` first waits until the store
 * answers (the job keeps its claim and its slot meanwhile, and stops waiting when the job is aborted), so an outage
 * of the store delays creations instead of paying for images there is nowhere to keep.
 */
import type { ImageProvider } from "../core/ports.js";
import type { ResilientImages } from "./resilient-images.js";

export function gatedProvider<P extends ImageProvider>(provider: P, images: Pick<ResilientImages, "whenAvailable">): P {
  return Object.assign(Object.create(provider) as P, {
    async generate(request: Parameters<ImageProvider["generate"]>[0]) {
      await images.whenAvailable(request.signal);
      return provider.generate(request);
    },
    async edit(request: Parameters<ImageProvider["edit"]>[0]) {
      await images.whenAvailable(request.signal);
      return provider.edit(request);
    },
  });
}
