/**
 * The words on the digest's collage: the date, and each tile's rank, title and like count, legible on a phone, in
 * the font shipped through npm (never a system font), drawn the same twice and on a machine with no font at all.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shippedFont } from "../../src/images/collage-font.js";
import { badgeColours, badgeSvg, collageTextLayers, drawTextLayer, HEADER_HEIGHT, type TextLayer } from "../../src/images/collage-text.js";
import { collageLayout, COLLAGE_WIDTH, createCollageRenderer } from "../../src/images/collage.js";
import { FIXTURE_TITLES, fixtureInput } from "./collage-fixture.js";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The brightest channel value in a region: the caption text is near white on a near black strip. */
async function brightest(image: Buffer, region: { left: number; top: number; width: number; height: number }): Promise<number> {
  // Read the pixels: sharp's stats() would describe the whole input image, not the extracted region.
  const { data, info } = await sharp(image).extract(region).raw().toBuffer({ resolveWithObject: true });
  let max = 0;
  for (let i = 0; i < data.length; i += info.channels) max = Math.max(max, data[i]!, data[i + 1]!, data[i + 2]!);
  return max;
}

async function pixel(image: Buffer, left: number, top: number): Promise<number[]> {
  const { data } = await sharp(image).extract({ left, top, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
  return [...data.subarray(0, 3)];
}

describe("the collage's words", () => {
  let input: Awaited<ReturnType<typeof fixtureInput>>;
  let layers: TextLayer[];
  const layout = collageLayout(5);
  beforeAll(async () => {
    input = await fixtureInput();
    layers = collageTextLayers(input, layout.tiles, COLLAGE_WIDTH, shippedFont());
  });

  it("are the digest's date and each tile's rank, title and like count", () => {
    expect(layers.filter((l) => l.role === "date").map((l) => l.text)).toEqual(["25 November 2026"]);
    for (const [i, title] of FIXTURE_TITLES.entries()) {
      const own = Object.fromEntries(layers.filter((l) => l.tile === i).map((l) => [l.role, l.text]));
      expect(own).toEqual({ rank: `#${i + 1}`, title, likes: ["41 likes", "17 likes", "9 likes", "1 like", "0 likes"][i] });
    }
  });

  it("are written in Inter from its npm package, found by require.resolve, not from a system font directory", async () => {
    const require = createRequire(import.meta.url);
    const font = shippedFont();
    expect(font.regular).toBe(require.resolve("@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf"));
    expect(font.bold).toBe(require.resolve("@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf"));
    for (const file of [font.regular, font.bold]) {
      expect(file).toContain(`${path.sep}node_modules${path.sep}@expo-google-fonts${path.sep}inter${path.sep}`);
      // A TrueType file (sfnt version 1.0), not a woff2 that librsvg and Pango cannot read.
      expect((await readFile(file)).readUInt32BE(0)).toBe(0x00010000);
    }
    expect(new Set(layers.map((l) => l.fontfile))).toEqual(new Set([font.regular, font.bold]));
    expect(layers.every((l) => l.font.startsWith(`${font.family} `))).toBe(true);
  });

  it("are at least 28 px on the 1024-pixel collage: 11 px on a phone that shows it 400 pixels wide", () => {
    const sizes = layers.map((l) => Number(l.font.split(" ").pop()));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(28);
    expect(Math.min(...sizes) * (400 / COLLAGE_WIDTH)).toBeGreaterThanOrEqual(10.9);
  });

  it("leave out the title of a former member's entry, keeping its rank and likes", () => {
    const forgotten = { ...input, tiles: input.tiles.map((t, i) => (i === 1 ? { ...t, title: "" } : t)) };
    const roles = collageTextLayers(forgotten, layout.tiles, COLLAGE_WIDTH, shippedFont()).filter((l) => l.tile === 1).map((l) => l.role);
    expect(roles).toEqual(["rank", "likes"]);
  });

  it("shorten a title too long for its two lines on a word boundary with an ellipsis, and keep the others whole", async () => {
    const drawn = await Promise.all(layers.filter((l) => l.role === "title").map((l) => drawTextLayer(sharp, l)));
    const texts = drawn.map((d) => d!.text);
    expect(texts[2]).toMatch(/^A cathedral of glass.*…$/);
    expect(FIXTURE_TITLES[2]!.startsWith(texts[2]!.slice(0, -1).trimEnd())).toBe(true);
    expect(texts[2]!.length).toBeGreaterThan(15);
    // The markup characters are text, not Pango tags; the accents are drawn.
    expect([texts[0], texts[1], texts[3], texts[4]]).toEqual([FIXTURE_TITLES[0], FIXTURE_TITLES[1], FIXTURE_TITLES[3], FIXTURE_TITLES[4]]);
    const title = layers.find((l) => l.role === "title" && l.tile === 2)!;
    const lineImage = async (text: string) => (await sharp({ text: { text, font: title.font, fontfile: title.fontfile, dpi: 72 } }).metadata()).height;
    const [one, two] = [await lineImage("Ág"), await lineImage("Ág\nÁg")];
    expect(drawn[2]!.height).toBeLessThanOrEqual(two);
    expect(drawn[2]!.height).toBeGreaterThan(one);
    expect(drawn[2]!.width).toBeLessThanOrEqual(title.maxWidth);
  });

  it("are drawn on the collage: the date in the header, a caption under every image, the first rank on a gold badge", async () => {
    const collage = (await createCollageRenderer().render(input)).bytes;
    expect(await brightest(collage, { left: 0, top: 0, width: COLLAGE_WIDTH, height: HEADER_HEIGHT })).toBeGreaterThan(200);
    for (const tile of layout.tiles) {
      const caption = { left: tile.left, top: tile.top + tile.imageHeight, width: tile.width, height: tile.height - tile.imageHeight };
      expect(await brightest(collage, caption)).toBeGreaterThan(200);
    }
    // Without the words, the same places are the plain background.
    const bare = (await createCollageRenderer().render({ title: " ", tiles: input.tiles.map((t) => ({ ...t, title: "" })) })).bytes;
    expect(await brightest(bare, { left: 0, top: 0, width: 600, height: HEADER_HEIGHT })).toBeLessThan(40);
    const narrow = layout.tiles[1]!;
    expect(await brightest(bare, { left: narrow.left, top: narrow.top + narrow.imageHeight, width: narrow.width, height: 70 })).toBeLessThan(40);
    const rank = layers.find((l) => l.role === "rank" && l.tile === 0)!;
    const badge = badgeSvg((await drawTextLayer(sharp, rank))!, 1, "wide");
    // Left of the "#1", halfway down the badge.
    const gold = await pixel(collage, badge.left + 8, badge.top + Math.floor(badge.height / 2));
    const expected = badgeColours(1).fill.match(/[0-9a-f]{2}/g)!.map((h) => parseInt(h, 16));
    gold.forEach((channel, i) => expect(Math.abs(channel - expected[i]!)).toBeLessThanOrEqual(3));
  });

  it("render to the same bytes twice", async () => {
    const renderer = createCollageRenderer();
    const [a, b] = [await renderer.render(input), await renderer.render(await fixtureInput())];
    expect(sha(a.bytes)).toBe(sha(b.bytes));
  });

  describe("on a machine with no font installed", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "salon-no-fonts-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("render exactly as here, whatever this host's fonts and rendering settings (fontconfig sees no font there)", async () => {
      // A fontconfig configuration with no font directory at all: only the font Salon hands over exists there.
      const noFonts = path.join(dir, "fonts.conf");
      await writeFile(noFonts, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig></fontconfig>\n`);
      const out = path.join(dir, "collage.png");
      const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), fileURLToPath(new URL("./collage-fixture-render.ts", import.meta.url)), out], {
        env: { ...process.env, FONTCONFIG_FILE: noFonts },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code, stderr).toBe(0);
      const there = await readFile(out);
      const here = (await createCollageRenderer().render(input)).bytes;
      expect(await brightest(there, { left: 0, top: 0, width: COLLAGE_WIDTH, height: HEADER_HEIGHT })).toBeGreaterThan(200);
      expect(sha(there)).toBe(sha(here));
    });
  });
});
