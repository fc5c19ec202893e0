/**
 * One day's collage input, the same wherever it is built: the collage tests render it in the test process and in a
 * child process that sees no system font (collage-fixture-render.ts).
 */
import sharp from "sharp";
import type { CollageRenderer } from "../../src/core/ports.js";

export const FIXTURE_TITLES = [
  "Fox in the snow at dawn",
  "Lighthouse & storm <night>",
  "A cathedral of glass floating above a quiet sea, seen from a small boat at dusk",
  "Déjà vu à Montréal",
  "Robot gardener",
];

export async function fixtureInput(): Promise<Parameters<CollageRenderer["render"]>[0]> {
  const tiles = await Promise.all(
    FIXTURE_TITLES.map(async (title, i) => ({
      image: { bytes: await sharp({ create: { width: 1024, height: 1024, channels: 3, background: { r: 40 + i * 40, g: 90, b: 200 - i * 30 } } }).png().toBuffer(), mimeType: "image/png" as const },
      rank: i + 1,
      title,
      likeCount: [41, 17, 9, 1, 0][i]!,
    })),
  );
  return { title: "25 November 2026", tiles };
}
