/**
 * What the fake's image endpoint draws for a prompt: a small landscape that looks like something, so that a demo's
 * gallery and digest collage look like a real day's. Everything comes from the prompt, deterministically: the sky's
 * hue from its hash (or from a colour it names), day or night, hills, one motif per word that matters (a tree, a
 * mountain, a house, a tower, a flower, a creature), and the prompt itself written along the bottom in the font Salon
 * ships. Shapes are flat fills (an SVG drawn by librsvg, with no text in it: SVG text would use the host's fonts), so
 * the PNG stays small and quick to encode.
 */
import { createHash } from "node:crypto";
import sharp, { type Sharp } from "sharp";
import { pangoText, shippedFont } from "../../../src/images/collage-font.js";

export interface SceneSize {
  width: number;
  height: number;
}

const STOP_WORDS = new Set(
  "a an and the of in on at with by to for from into under over above near its his her their our your my is are very some".split(" "),
);

const COLOUR_HUES: Record<string, number> = {
  red: 0, crimson: 350, pink: 330, orange: 28, amber: 40, gold: 45, golden: 45, yellow: 55, lime: 85, green: 120,
  emerald: 140, teal: 175, cyan: 185, turquoise: 175, blue: 215, azure: 205, navy: 225, indigo: 245, purple: 275,
  violet: 270, magenta: 300, lavender: 260,
};

/** Words that pick their motif (0 tree, 1 mountain, 2 house, 3 tower, 4 flower, 5 creature); others pick one by hash. */
const MOTIFS: Record<string, number> = Object.fromEntries(
  [
    ["tree trees forest wood woods oak pine willow", 0],
    ["mountain mountains peak peaks hill hills volcano alps", 1],
    ["house houses cottage village city town cabin home street", 2],
    ["tower lighthouse castle cathedral skyscraper rocket spire", 3],
    ["flower flowers garden rose roses tulip blossom bloom", 4],
    ["fox cat dog bird owl bear wolf rabbit horse dragon whale fish deer robot", 5],
  ].flatMap(([words, motif]) => (words as string).split(" ").map((word) => [word, motif as number])),
);

/** Words that colour the ground. */
const GROUNDS: Record<string, { hue: number; saturation: number; light: number }> = {
  snow: { hue: 210, saturation: 25, light: 88 }, winter: { hue: 210, saturation: 25, light: 85 }, ice: { hue: 195, saturation: 45, light: 80 },
  sea: { hue: 205, saturation: 60, light: 42 }, ocean: { hue: 210, saturation: 60, light: 38 }, lake: { hue: 200, saturation: 55, light: 45 },
  water: { hue: 200, saturation: 55, light: 45 }, desert: { hue: 38, saturation: 60, light: 62 }, sand: { hue: 42, saturation: 55, light: 68 },
};

const NIGHT_WORDS = new Set(["night", "moon", "midnight", "stars", "starry", "dark", "nocturne", "neon"]);

/** Bytes of a SHA-256, read as numbers in [0, 1). */
function randoms(seed: string): () => number {
  let digest = createHash("sha256").update(seed).digest();
  let at = 0;
  return () => {
    if (at + 2 > digest.length) {
      digest = createHash("sha256").update(digest).digest();
      at = 0;
    }
    const value = digest.readUInt16BE(at) / 65536;
    at += 2;
    return value;
  };
}

const hsl = (h: number, s: number, l: number) => `hsl(${Math.round(((h % 360) + 360) % 360)},${Math.round(s)}%,${Math.round(l)}%)`;

/** The words of a prompt that get a motif: letters or digits, not stop words, at most six. */
export function sceneWords(prompt: string): string[] {
  const words = prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((word) => word.length >= 3 && !STOP_WORDS.has(word)).slice(0, 6);
}

/** The scene as SVG (shapes only), `size` pixels. */
export function sceneSvg(prompt: string, index: number, size: SceneSize): string {
  const { width: w, height: h } = size;
  const random = randoms(`${index}:${prompt}`);
  const words = sceneWords(prompt);
  const named = words.map((word) => COLOUR_HUES[word]).find((hue) => hue !== undefined);
  const hue = named ?? random() * 360;
  const night = words.some((word) => NIGHT_WORDS.has(word)) || random() < 0.3;
  const horizon = h * (0.55 + random() * 0.12);
  const shapes: string[] = [];

  const skyTop = night ? hsl(hue + 200, 45, 10) : hsl(hue, 55, 38);
  const skyBottom = night ? hsl(hue + 230, 40, 28) : hsl(hue + 25, 70, 78);
  shapes.push(
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${skyTop}"/><stop offset="1" stop-color="${skyBottom}"/></linearGradient></defs>`,
    `<rect width="${w}" height="${h}" fill="url(#sky)"/>`,
  );
  if (night) {
    for (let i = 0; i < 24; i++) shapes.push(`<circle cx="${(random() * w).toFixed(1)}" cy="${(random() * horizon * 0.8).toFixed(1)}" r="${(1 + random() * 2.5).toFixed(1)}" fill="#fff" opacity="${(0.5 + random() * 0.5).toFixed(2)}"/>`);
  }
  const sunR = w * (0.06 + random() * 0.05);
  shapes.push(`<circle cx="${(w * (0.15 + random() * 0.7)).toFixed(1)}" cy="${(horizon * (0.25 + random() * 0.35)).toFixed(1)}" r="${sunR.toFixed(1)}" fill="${night ? "#f3f0dc" : hsl(hue + 50, 95, 88)}"/>`);

  // Two ranges of hills, the far one paler; snow, sea or sand when the prompt names them.
  const ground = words.map((word) => GROUNDS[word]).find((g) => g !== undefined);
  const hillColour = (layer: number, light: number) =>
    ground ? hsl(ground.hue + layer * 8, ground.saturation, ground.light * (night ? 0.45 : 1) - layer * 8) : hsl(hue + 90 + layer * 20, 35, light);
  for (const [layer, lift, light] of [[0, 0.08, night ? 18 : 52], [1, -0.02, night ? 12 : 36]] as const) {
    const base = horizon - h * lift;
    const points = Array.from({ length: 5 }, (_, i) => [(w * i) / 4, base - random() * h * 0.09] as const);
    let d = `M0 ${h} L0 ${points[0]![1].toFixed(1)}`;
    for (let i = 1; i < points.length; i++) {
      const [x0, y0] = points[i - 1]!;
      const [x1, y1] = points[i]!;
      d += ` C${(x0 + w / 8).toFixed(1)} ${y0.toFixed(1)} ${(x1 - w / 8).toFixed(1)} ${y1.toFixed(1)} ${x1.toFixed(1)} ${y1.toFixed(1)}`;
    }
    shapes.push(`<path d="${d} L${w} ${h} Z" fill="${hillColour(layer, light)}"/>`);
  }

  // One motif per word, spread along the ground, nearer (larger) towards the bottom.
  words.forEach((word, i) => {
    const r = randoms(word);
    const x = (w * (i + 0.5 + (r() - 0.5) * 0.6)) / Math.max(words.length, 1);
    const base = horizon + (h - horizon) * (0.15 + r() * 0.35);
    const scale = (w / 1024) * (0.7 + r() * 0.6) * (base / h) * 1.4;
    const colour = hsl(COLOUR_HUES[word] ?? r() * 360, 60, night ? 45 : 55);
    shapes.push(motif(MOTIFS[word] ?? Math.floor(r() * 6), x, base, scale, colour, night));
  });

  // A band for the prompt's words, written over it by drawScene.
  shapes.push(`<rect x="0" y="${(h - bandHeight(size)).toFixed(1)}" width="${w}" height="${bandHeight(size).toFixed(1)}" fill="#000" opacity="0.45"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${shapes.join("")}</svg>`;
}

function motif(kind: number, x: number, ground: number, s: number, colour: string, night: boolean): string {
  const dark = night ? "#1b1d24" : "#3b2f2a";
  const f = (n: number) => n.toFixed(1);
  switch (kind) {
    case 0: // a tree
      return `<rect x="${f(x - 8 * s)}" y="${f(ground - 70 * s)}" width="${f(16 * s)}" height="${f(70 * s)}" fill="${dark}"/><circle cx="${f(x)}" cy="${f(ground - 110 * s)}" r="${f(55 * s)}" fill="${colour}"/>`;
    case 1: // a mountain
      return `<path d="M${f(x - 130 * s)} ${f(ground)} L${f(x)} ${f(ground - 210 * s)} L${f(x + 130 * s)} ${f(ground)} Z" fill="${colour}"/><path d="M${f(x - 40 * s)} ${f(ground - 145 * s)} L${f(x)} ${f(ground - 210 * s)} L${f(x + 40 * s)} ${f(ground - 145 * s)} Z" fill="#f4f4f6"/>`;
    case 2: // a house
      return `<rect x="${f(x - 60 * s)}" y="${f(ground - 80 * s)}" width="${f(120 * s)}" height="${f(80 * s)}" fill="${colour}"/><path d="M${f(x - 75 * s)} ${f(ground - 80 * s)} L${f(x)} ${f(ground - 140 * s)} L${f(x + 75 * s)} ${f(ground - 80 * s)} Z" fill="${dark}"/><rect x="${f(x - 14 * s)}" y="${f(ground - 45 * s)}" width="${f(28 * s)}" height="${f(45 * s)}" fill="${night ? "#f6d77a" : dark}"/>`;
    case 3: // a tower
      return `<rect x="${f(x - 28 * s)}" y="${f(ground - 230 * s)}" width="${f(56 * s)}" height="${f(230 * s)}" fill="${colour}"/><path d="M${f(x - 40 * s)} ${f(ground - 230 * s)} L${f(x)} ${f(ground - 290 * s)} L${f(x + 40 * s)} ${f(ground - 230 * s)} Z" fill="${dark}"/>`;
    case 4: // a flower
      return `<rect x="${f(x - 4 * s)}" y="${f(ground - 90 * s)}" width="${f(8 * s)}" height="${f(90 * s)}" fill="${dark}"/>${[0, 72, 144, 216, 288]
        .map((a) => `<circle cx="${f(x + Math.cos((a * Math.PI) / 180) * 24 * s)}" cy="${f(ground - 110 * s + Math.sin((a * Math.PI) / 180) * 24 * s)}" r="${f(18 * s)}" fill="${colour}"/>`)
        .join("")}<circle cx="${f(x)}" cy="${f(ground - 110 * s)}" r="${f(14 * s)}" fill="#f6d77a"/>`;
    default: // a creature
      return `<ellipse cx="${f(x)}" cy="${f(ground - 45 * s)}" rx="${f(70 * s)}" ry="${f(45 * s)}" fill="${colour}"/><circle cx="${f(x + 62 * s)}" cy="${f(ground - 95 * s)}" r="${f(32 * s)}" fill="${colour}"/><circle cx="${f(x + 72 * s)}" cy="${f(ground - 102 * s)}" r="${f(6 * s)}" fill="#111"/><path d="M${f(x + 44 * s)} ${f(ground - 118 * s)} L${f(x + 52 * s)} ${f(ground - 150 * s)} L${f(x + 66 * s)} ${f(ground - 124 * s)} Z" fill="${colour}"/>`;
  }
}

function bandHeight(size: SceneSize): number {
  return Math.round(Math.min(size.width, size.height) / 9);
}

/** The scene with the prompt written on it, as an unencoded sharp pipeline at exactly `size`. */
export async function drawScene(prompt: string, index: number, size: SceneSize): Promise<Sharp> {
  const font = shippedFont();
  const band = bandHeight(size);
  // Two lines of 48 characters at most fit the band.
  const fontSize = Math.round(band * 0.34);
  const words = prompt.replace(/\s+/g, " ").trim();
  const margin = Math.round(band * 0.35);
  const text = words
    ? await sharp({
        text: {
          text: `<span foreground="#f4f4f6">${pangoText(Array.from(words).length > 48 ? `${Array.from(words).slice(0, 47).join("")}…` : words)}</span>`,
          font: `${font.family} Bold ${fontSize}`,
          fontfile: font.bold,
          width: size.width - 2 * margin,
          wrap: "word-char",
          rgba: true,
          dpi: 72,
        },
      })
        .png()
        .toBuffer({ resolveWithObject: true })
    : null;
  const scene = await sharp(Buffer.from(sceneSvg(prompt, index, size)))
    .composite(text ? [{ input: text.data, left: margin, top: Math.max(0, size.height - band + Math.round((band - text.info.height) / 2)) }] : [])
    .removeAlpha()
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp(scene);
}
