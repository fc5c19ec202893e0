/**
 * The digest's collage, drawn with sharp. One image is simply scaled to the collage width. Two sit side by side.
 * From three on, the first (the day's top creation) is a wide hero across the top and the others form rows of up
 * to four square tiles beneath it. Every tile is cover-cropped around its most interesting region.
 *
 * sharp (libvips, ~9 MiB resident) is loaded with the first collage, not at start-up: most of the day Salon draws none.
 */
import type { Sharp } from "sharp";
import { AppError } from "../core/errors.js";
import type { CollageRenderer, GeneratedImage, Logger } from "../core/ports.js";

/** Width of every collage, in pixels. */
export const COLLAGE_WIDTH = 1024;
/** Platforms take larger uploads, but a digest should load fast on a phone. */
export const COLLAGE_MAX_BYTES = 2 * 1024 * 1024;
/** Images beyond this many are left out: the hero and three rows of four. */
export const COLLAGE_MAX_IMAGES = 13;

const GAP = 8;
const HERO_HEIGHT = 768;
const MAX_COLUMNS = 4;
const BACKGROUND = { r: 17, g: 17, b: 20, alpha: 1 };
const PLACEHOLDER = { r: 48, g: 48, b: 54, alpha: 1 };
const JPEG_QUALITIES = [90, 82, 74, 66, 58, 50];

type SharpFactory = (typeof import("sharp"))["default"];

let loadingSharp: Promise<SharpFactory> | undefined;

function loadSharp(): Promise<SharpFactory> {
  return (loadingSharp ??= import("sharp").then(({ default: sharp }) => {
    // libvips' operation cache (up to 50 MB) only pays off when the same image is processed again; a collage's
    // images are each drawn once.
    sharp.cache(false);
    return sharp;
  }));
}

interface Tile {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface Layout {
  width: number;
  height: number;
  tiles: Tile[];
}

/** Where each of `count` images goes (count ≥ 2). */
export function collageLayout(count: number): Layout {
  if (count === 2) {
    const side = Math.floor((COLLAGE_WIDTH - GAP) / 2);
    return {
      width: COLLAGE_WIDTH,
      height: side,
      tiles: [
        { left: 0, top: 0, width: side, height: side },
        { left: COLLAGE_WIDTH - side, top: 0, width: side, height: side },
      ],
    };
  }
  const tiles: Tile[] = [{ left: 0, top: 0, width: COLLAGE_WIDTH, height: HERO_HEIGHT }];
  const rest = count - 1;
  const rows = Math.ceil(rest / MAX_COLUMNS);
  const columns = Math.ceil(rest / rows);
  const side = Math.floor((COLLAGE_WIDTH - GAP * (columns - 1)) / columns);
  for (let i = 0; i < rest; i++) {
    const row = Math.floor(i / columns);
    const inRow = Math.min(columns, rest - row * columns);
    // A shorter last row is centred.
    const rowWidth = inRow * side + (inRow - 1) * GAP;
    const left = Math.floor((COLLAGE_WIDTH - rowWidth) / 2) + (i % columns) * (side + GAP);
    tiles.push({ left, top: HERO_HEIGHT + GAP + row * (side + GAP), width: side, height: side });
  }
  return { width: COLLAGE_WIDTH, height: HERO_HEIGHT + rows * (side + GAP), tiles };
}

/**
 * A {@link CollageRenderer} on sharp: PNG when it fits in {@link COLLAGE_MAX_BYTES}, JPEG otherwise. An image that
 * cannot be decoded is drawn as a plain tile (and logged) so one damaged file does not cost the community its digest.
 */
export function createCollageRenderer(options: { logger?: Logger } = {}): CollageRenderer {
  const onUnreadable = (index: number, error: unknown) => options.logger?.warn({ err: error, index }, "collage image could not be decoded");
  return {
    async render(images) {
      if (images.length === 0) throw new AppError("collage_empty", "A collage needs at least one image.");
      const sharp = await loadSharp();
      if (images.length === 1) {
        try {
          return await encode(sharp(images[0]!.bytes).resize({ width: COLLAGE_WIDTH }));
        } catch (error) {
          throw new AppError("collage_unreadable", "The collage's only image could not be decoded.", { cause: error });
        }
      }

      const shown = images.slice(0, COLLAGE_MAX_IMAGES);
      const layout = collageLayout(shown.length);
      const tiles = await Promise.all(shown.map((image, i) => renderTile(sharp, image, layout.tiles[i]!, (error) => onUnreadable(i, error))));
      if (tiles.every((tile) => tile.placeholder)) {
        throw new AppError("collage_unreadable", `None of the collage's ${shown.length} images could be decoded.`);
      }
      const canvas = sharp({ create: { width: layout.width, height: layout.height, channels: 4, background: BACKGROUND } }).composite(
        tiles.map((tile, i) => ({ input: tile.bytes, left: layout.tiles[i]!.left, top: layout.tiles[i]!.top })),
      );
      // Composite first, so that every encoding attempt starts from the same pixels.
      const flat = await canvas.png({ compressionLevel: 0 }).toBuffer();
      return encode(sharp(flat));
    },
  };
}

/** One image cropped to its tile; an image that cannot be decoded becomes a plain tile so the others keep their places. */
async function renderTile(sharp: SharpFactory, image: GeneratedImage, tile: Tile, onUnreadable: (error: unknown) => void): Promise<{ bytes: Buffer; placeholder: boolean }> {
  try {
    const bytes = await sharp(image.bytes)
      .resize({ width: tile.width, height: tile.height, fit: "cover", position: sharp.strategy.attention })
      .png({ compressionLevel: 0 })
      .toBuffer();
    return { bytes, placeholder: false };
  } catch (error) {
    onUnreadable(error);
    const bytes = await sharp({ create: { width: tile.width, height: tile.height, channels: 4, background: PLACEHOLDER } }).png().toBuffer();
    return { bytes, placeholder: true };
  }
}

async function encode(image: Sharp): Promise<GeneratedImage> {
  const png = await image.clone().png({ compressionLevel: 9 }).toBuffer();
  if (png.length <= COLLAGE_MAX_BYTES) return { bytes: png, mimeType: "image/png" };
  let jpeg = png;
  for (const quality of JPEG_QUALITIES) {
    jpeg = await image.clone().flatten({ background: BACKGROUND }).jpeg({ quality, mozjpeg: true }).toBuffer();
    if (jpeg.length <= COLLAGE_MAX_BYTES) break;
  }
  return { bytes: jpeg, mimeType: "image/jpeg" };
}
