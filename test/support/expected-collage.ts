/**
 * The collage a digest should carry, drawn by the real renderer from what members saw: the gallery posts' images, in
 * the digest's order, with their ranks, titles and like counts. The renderer is deterministic, so the digest's
 * collage must be these very bytes: a date, rank, title or like count missing or wrong on it changes them.
 */
import type { GeneratedImage } from "../../src/core/ports.js";
import { createCollageRenderer } from "../../src/images/collage.js";

export function expectedCollage(title: string, entries: { image: Buffer; mimeType?: string; title: string; likeCount: number }[]): Promise<GeneratedImage> {
  return createCollageRenderer().render({
    title,
    tiles: entries.map((entry, i) => ({
      image: { bytes: entry.image, mimeType: entry.mimeType === "image/jpeg" ? "image/jpeg" : "image/png" },
      rank: i + 1,
      title: entry.title,
      likeCount: entry.likeCount,
    })),
  });
}
