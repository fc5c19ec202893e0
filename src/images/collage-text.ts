/**
 * The words on the digest's collage: the date across the top, and on each tile the entry's rank (a badge on the
 * image), title and like count (in a caption beneath it). Sized for a phone that shows the 1024-pixel collage about
 * 400 pixels wide: the smallest text, 28 px, is 11 px there.
 *
 * {@link collageTextLayers} says what goes where (pure, so a test can read it); {@link drawTextLayer} draws one layer
 * with sharp in the shipped font, shortening a title on a word boundary until it fits its lines.
 */
import type { Sharp } from "sharp";
import { excerpt, likes } from "../core/format.js";
import { pangoText, type ShippedFont } from "./collage-font.js";

type SharpFactory = (typeof import("sharp"))["default"];

/** A cell of the collage: the image, then its caption strip below. */
export interface CellBox {
  left: number;
  top: number;
  width: number;
  imageHeight: number;
  caption: CaptionStyle;
}

export type CaptionStyle = "wide" | "narrow";

export interface TextLayer {
  role: "date" | "heading" | "rank" | "title" | "likes";
  /** The tile's index, for a tile's layers. */
  tile?: number;
  /** Plain text (not markup). */
  text: string;
  /** sharp's `font`: family, weight and size in pixels (points at 72 dpi). */
  font: string;
  fontfile: string;
  colour: string;
  left: number;
  top: number;
  /** The width the text may take; a right-aligned layer ends at `left + maxWidth`. */
  maxWidth: number;
  maxLines: number;
  align: "left" | "right";
}

export const HEADER_HEIGHT = 96;
/** Caption strips: one row (title, likes at the right) under a wide image; title on two lines and likes under a tile. */
export const CAPTION_HEIGHT: Record<CaptionStyle, number> = { wide: 76, narrow: 136 };

const PAD = 12;
const HEADER_PAD = 24;
const TEXT = "#f4f4f6";
const MUTED = "#a9a9b3";
const SIZES = {
  date: 44,
  heading: 30,
  wide: { title: 38, likes: 32, rank: 40 },
  narrow: { title: 30, likes: 28, rank: 30 },
} as const;
/** Room kept at the right of a wide caption for "12,345 likes". */
const WIDE_LIKES_WIDTH = 230;
/** Inter's line height is 1.21 em (room kept for two lines of a title). */
const LINE = 1.21;

/** Badge colours by rank: gold, silver, bronze, then dark. */
const BADGES = [
  { fill: "#f2c14e", text: "#1b1b1f" },
  { fill: "#cfd3da", text: "#1b1b1f" },
  { fill: "#d38b51", text: "#1b1b1f" },
] as const;
const BADGE_OTHER = { fill: "rgba(17,17,20,0.82)", text: TEXT };

export function badgeColours(rank: number): { fill: string; text: string } {
  return BADGES[rank - 1] ?? BADGE_OTHER;
}

/** Every text layer of a collage whose cells are `cells` (one per tile, in order) and whose width is `width`. */
export function collageTextLayers(
  input: { title: string; tiles: { rank: number; title: string; likeCount: number }[] },
  cells: CellBox[],
  width: number,
  font: ShippedFont,
): TextLayer[] {
  const px = (weight: "regular" | "bold", size: number) => ({
    font: `${font.family}${weight === "bold" ? " Bold" : ""} ${size}`,
    fontfile: weight === "bold" ? font.bold : font.regular,
  });
  const middle = (boxTop: number, boxHeight: number, size: number) => boxTop + Math.round((boxHeight - size * LINE) / 2);
  const layers: TextLayer[] = [
    { role: "date", text: input.title, ...px("bold", SIZES.date), colour: TEXT, left: HEADER_PAD, top: middle(0, HEADER_HEIGHT, SIZES.date), maxWidth: width * 0.62, maxLines: 1, align: "left" },
    { role: "heading", text: "Top creations", ...px("regular", SIZES.heading), colour: MUTED, left: width * 0.62, top: middle(0, HEADER_HEIGHT, SIZES.heading) + 4, maxWidth: width * 0.38 - HEADER_PAD, maxLines: 1, align: "right" },
  ];
  input.tiles.forEach((tile, i) => {
    const cell = cells[i];
    if (!cell) return;
    const sizes = SIZES[cell.caption];
    const captionTop = cell.top + cell.imageHeight;
    const inner = cell.width - 2 * PAD;
    layers.push({ role: "rank", tile: i, text: `#${tile.rank}`, ...px("bold", sizes.rank), colour: badgeColours(tile.rank).text, left: cell.left + PAD, top: cell.top + PAD, maxWidth: inner, maxLines: 1, align: "left" });
    const likesText = likes(tile.likeCount);
    if (cell.caption === "wide") {
      const rowTop = (size: number) => middle(captionTop, CAPTION_HEIGHT.wide, size);
      if (tile.title) layers.push({ role: "title", tile: i, text: tile.title, ...px("bold", sizes.title), colour: TEXT, left: cell.left + PAD, top: rowTop(sizes.title), maxWidth: inner - WIDE_LIKES_WIDTH - PAD, maxLines: 1, align: "left" });
      layers.push({ role: "likes", tile: i, text: likesText, ...px("regular", sizes.likes), colour: MUTED, left: cell.left + cell.width - PAD - WIDE_LIKES_WIDTH, top: rowTop(sizes.likes), maxWidth: WIDE_LIKES_WIDTH, maxLines: 1, align: "right" });
    } else {
      const titleTop = captionTop + 10;
      const likesTop = titleTop + Math.ceil(2 * sizes.title * LINE) + 4;
      if (tile.title) layers.push({ role: "title", tile: i, text: tile.title, ...px("bold", sizes.title), colour: TEXT, left: cell.left + PAD, top: titleTop, maxWidth: inner, maxLines: 2, align: "left" });
      layers.push({ role: "likes", tile: i, text: likesText, ...px("regular", sizes.likes), colour: MUTED, left: cell.left + PAD, top: likesTop, maxWidth: inner, maxLines: 1, align: "left" });
    }
  });
  return layers;
}

export interface DrawnText {
  /** Raw RGBA pixels, `width` × `height`. */
  bytes: Buffer;
  left: number;
  top: number;
  width: number;
  height: number;
  /** The text drawn: the layer's, or an excerpt of it that fits. */
  text: string;
}

/** Per font: the height of an image of one line, and what each further line adds (its images are cropped to ink). */
const lineMetrics = new Map<string, Promise<{ first: number; advance: number }>>();

/** Draws a layer (null when it has no text), shortened with an ellipsis on a word boundary until it fits its lines. */
export async function drawTextLayer(sharp: SharpFactory, layer: TextLayer): Promise<DrawnText | null> {
  const flat = layer.text.replace(/\s+/g, " ").trim();
  if (!flat) return null;
  const { first, advance } = await lineMetricsOf(sharp, layer);
  const attempt = async (text: string) => {
    const { data, info } = await textImage(sharp, layer, pangoText(text)).raw().toBuffer({ resolveWithObject: true });
    const lines = 1 + Math.max(0, Math.round((info.height - first) / advance));
    const fits = lines <= layer.maxLines && info.width <= layer.maxWidth;
    const left = layer.align === "right" ? layer.left + layer.maxWidth - info.width : layer.left;
    return { fits, drawn: { bytes: data, left: Math.round(left), top: layer.top, width: info.width, height: info.height, text } };
  };
  const whole = await attempt(flat);
  if (whole.fits) return whole.drawn;
  // The longest excerpt that fits, by bisection on its length (a title of 60 characters takes about six tries).
  let best = (await attempt(shorten(flat, 2))).drawn;
  let fits = 2;
  let fails = Array.from(flat).length;
  while (fails - fits > 1) {
    const middle = Math.floor((fits + fails) / 2);
    const tried = await attempt(shorten(flat, middle));
    if (tried.fits) [fits, best] = [middle, tried.drawn];
    else fails = middle;
  }
  return best;
}

/** An excerpt of `max` characters at most, without a comma or dash left dangling before its ellipsis. */
function shorten(text: string, max: number): string {
  return excerpt(text, max).replace(/[\s,;:.\-–—]+…$/u, "…");
}

function textImage(sharp: SharpFactory, layer: TextLayer, markup: string): Sharp {
  return sharp({
    text: {
      text: `<span foreground="${layer.colour}">${markup}</span>`,
      font: layer.font,
      fontfile: layer.fontfile,
      width: Math.floor(layer.maxWidth),
      wrap: "word-char",
      rgba: true,
      dpi: 72,
    },
  });
}

function lineMetricsOf(sharp: SharpFactory, layer: TextLayer): Promise<{ first: number; advance: number }> {
  let metrics = lineMetrics.get(layer.font);
  if (!metrics) {
    const height = async (markup: string) => (await textImage(sharp, { ...layer, maxWidth: 4000 }, markup).metadata()).height;
    metrics = Promise.all([height("Ág"), height("Ág\nÁg")]).then(([one, two]) => ({ first: one, advance: Math.max(1, two - one) }));
    lineMetrics.set(layer.font, metrics);
  }
  return metrics;
}

/** A rounded badge behind a rank drawn as `text` (shapes only: SVG text would use the host's fonts). */
export function badgeSvg(text: DrawnText, rank: number, caption: CaptionStyle): { svg: Buffer; left: number; top: number; width: number; height: number; textLeft: number; textTop: number } {
  const padX = caption === "wide" ? 16 : 12;
  const padY = caption === "wide" ? 6 : 4;
  const width = text.width + 2 * padX;
  const height = text.height + 2 * padY;
  const { fill } = badgeColours(rank);
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" rx="${Math.round(height / 2)}" fill="${fill}"/></svg>`);
  return { svg, left: text.left, top: text.top, width, height, textLeft: text.left + padX, textTop: text.top + padY };
}
