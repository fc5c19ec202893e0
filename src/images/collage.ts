/**
 * The digest's collage, drawn with sharp. The digest's date runs across the top. One image is simply scaled to the
 * collage width. Two sit side by side. From three on, the first (the day's top creation) is a wide hero across the
 * top and the others form rows of up to four square tiles beneath it. Every image is cover-cropped around its most
 * interesting region, carries its rank on a badge, and has a caption strip beneath it with its title and like count
 * (collage-text.ts), written in a font shipped with Salon (collage-font.ts) so the collage looks the same anywhere.
 *
 * sharp (libvips, ~9 MiB resident) is loaded with the first collage, not at start-up: most of the day Salon draws none.
 */
import type { Sharp } from "sharp";
import { AppError } from "../core/errors.js";
import type { CollageRenderer, GeneratedImage, Logger } from "../core/ports.js";
import { shippedFont } from "./collage-font.js";
import { badgeSvg, CAPTION_HEIGHT, type CaptionStyle, collageTextLayers, type DrawnText, drawTextLayer, HEADER_HEIGHT } from "./collage-text.js";

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
  // Fontconfig's settings are fixed before libvips draws any text.
  shippedFont();
  return (loadingSharp ??= import("sharp").then(({ default: sharp }) => {
    // libvips' operation cache (up to 50 MB) only pays off when the same image is processed again; a collage's
    // images are each drawn once.
    sharp.cache(false);
    return sharp;
  }));
}

/** One cell: the image's box, then its caption strip (`height` includes both). */
export interface Tile {
  left: number;
  top: number;
  width: number;
  height: number;
  imageHeight: number;
  caption: CaptionStyle;
}

interface Layout {
  width: number;
  height: number;
  tiles: Tile[];
}

/** Where each of `count` images goes, below the date; a single image is `singleHeight` high (its own shape). */
export function collageLayout(count: number, singleHeight = HERO_HEIGHT): Layout {
  const wide = (imageHeight: number): Tile => ({ left: 0, top: HEADER_HEIGHT, width: COLLAGE_WIDTH, height: imageHeight + CAPTION_HEIGHT.wide, imageHeight, caption: "wide" });
  if (count <= 1) {
    const tile = wide(singleHeight);
    return { width: COLLAGE_WIDTH, height: tile.top + tile.height, tiles: [tile] };
  }
  const narrow = (left: number, top: number, side: number): Tile => ({ left, top, width: side, height: side + CAPTION_HEIGHT.narrow, imageHeight: side, caption: "narrow" });
  if (count === 2) {
    const side = Math.floor((COLLAGE_WIDTH - GAP) / 2);
    const tiles = [narrow(0, HEADER_HEIGHT, side), narrow(COLLAGE_WIDTH - side, HEADER_HEIGHT, side)];
    return { width: COLLAGE_WIDTH, height: HEADER_HEIGHT + tiles[0]!.height, tiles };
  }
  const hero = wide(HERO_HEIGHT);
  const tiles: Tile[] = [hero];
  const rest = count - 1;
  const rows = Math.ceil(rest / MAX_COLUMNS);
  const columns = Math.ceil(rest / rows);
  const side = Math.floor((COLLAGE_WIDTH - GAP * (columns - 1)) / columns);
  const rowHeight = side + CAPTION_HEIGHT.narrow;
  for (let i = 0; i < rest; i++) {
    const row = Math.floor(i / columns);
    const inRow = Math.min(columns, rest - row * columns);
    // A shorter last row is centred.
    const rowWidth = inRow * side + (inRow - 1) * GAP;
    const left = Math.floor((COLLAGE_WIDTH - rowWidth) / 2) + (i % columns) * (side + GAP);
    tiles.push(narrow(left, hero.top + hero.height + GAP + row * (rowHeight + GAP), side));
  }
  return { width: COLLAGE_WIDTH, height: hero.top + hero.height + rows * (rowHeight + GAP), tiles };
}

/**
 * A {@link CollageRenderer} on sharp: PNG when it fits in {@link COLLAGE_MAX_BYTES}, JPEG otherwise. An image that
 * cannot be decoded is drawn as a plain tile (and logged) so one damaged file does not cost the community its digest.
 */
export function createCollageRenderer(options: { logger?: Logger } = {}): CollageRenderer {
  const onUnreadable = (index: number, error: unknown) => options.logger?.warn({ err: error, index }, "collage image could not be decoded");
  return {
    async render(input) {
      if (input.tiles.length === 0) throw new AppError("collage_empty", "A collage needs at least one image.");
      const sharp = await loadSharp();
      const shown = input.tiles.slice(0, COLLAGE_MAX_IMAGES);
      let singleHeight: number | undefined;
      if (shown.length === 1) {
        try {
          const { width, height } = await sharp(shown[0]!.image.bytes).metadata();
          singleHeight = Math.round((COLLAGE_WIDTH * height) / width);
        } catch (error) {
          throw new AppError("collage_unreadable", "The collage's only image could not be decoded.", { cause: error });
        }
      }
      const layout = collageLayout(shown.length, singleHeight);
      const images = await Promise.all(shown.map((tile, i) => renderTile(sharp, tile.image, layout.tiles[i]!, (error) => onUnreadable(i, error))));
      if (images.every((image) => image.placeholder)) {
        throw new AppError("collage_unreadable", `None of the collage's ${shown.length} images could be decoded.`);
      }
      const layers = collageTextLayers({ title: input.title, tiles: shown }, layout.tiles, layout.width, shippedFont());
      const texts = await Promise.all(layers.map((layer) => drawTextLayer(sharp, layer)));
      const overlays: { input: Buffer; left: number; top: number; raw?: { width: number; height: number; channels: 4 } }[] = [];
      const raw = (text: DrawnText) => ({ width: text.width, height: text.height, channels: 4 as const });
      texts.forEach((text, i) => {
        const layer = layers[i]!;
        if (!text) return;
        if (layer.role === "rank") {
          const badge = badgeSvg(text, shown[layer.tile!]!.rank, layout.tiles[layer.tile!]!.caption);
          overlays.push({ input: badge.svg, left: badge.left, top: badge.top }, { input: text.bytes, raw: raw(text), left: badge.textLeft, top: badge.textTop });
        } else {
          overlays.push({ input: text.bytes, raw: raw(text), left: text.left, top: text.top });
        }
      });
      const canvas = sharp({ create: { width: layout.width, height: layout.height, channels: 4, background: BACKGROUND } }).composite([
        ...images.map((image, i) => ({ input: image.bytes, left: layout.tiles[i]!.left, top: layout.tiles[i]!.top })),
        ...overlays,
      ]);
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
      .resize({ width: tile.width, height: tile.imageHeight, fit: "cover", position: sharp.strategy.attention })
      .png({ compressionLevel: 0 })
      .toBuffer();
    return { bytes, placeholder: false };
  } catch (error) {
    onUnreadable(error);
    const bytes = await sharp({ create: { width: tile.width, height: tile.imageHeight, channels: 4, background: PLACEHOLDER } }).png().toBuffer();
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
