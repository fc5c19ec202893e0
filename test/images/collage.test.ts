import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { GeneratedImage, Logger } from "../../src/core/ports.js";
import { COLLAGE_MAX_BYTES, COLLAGE_MAX_IMAGES, collageLayout, createCollageRenderer } from "../../src/images/collage.js";
import { CAPTION_HEIGHT, HEADER_HEIGHT } from "../../src/images/collage-text.js";

/** The renderer's input for these images: ranked in order, with a title and a like count each. */
function day(images: GeneratedImage[]) {
  return { title: "25 November 2026", tiles: images.map((image, i) => ({ image, rank: i + 1, title: `creation ${i + 1}`, likeCount: 20 - i })) };
}

/** A flat-coloured PNG, like a simple generated image. */
async function flat(width: number, height: number, hue: number): Promise<GeneratedImage> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: hue, g: 255 - hue, b: 128 } } }).png().toBuffer();
  return { bytes, mimeType: "image/png" };
}

/** A noisy image, the worst case for PNG size. */
async function noisy(width: number, height: number): Promise<GeneratedImage> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).jpeg().toBuffer();
  return { bytes, mimeType: "image/jpeg" };
}

async function decode(image: GeneratedImage) {
  const meta = await sharp(image.bytes).metadata();
  return { format: meta.format, width: meta.width, height: meta.height };
}

const silentLogger = (): Logger & { warnings: string[] } => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (_: object, msg?: string) => void warnings.push(msg ?? ""), child: () => logger, warnings };
  return logger;
};

describe("createCollageRenderer", () => {
  it("scales a single image to 1024 pixels wide, keeping its aspect ratio", async () => {
    const collage = await createCollageRenderer().render(day([await flat(512, 768, 10)]));
    const layout = collageLayout(1, 1536);
    expect(layout.tiles[0]).toMatchObject({ width: 1024, imageHeight: 1536 });
    expect(await decode(collage)).toEqual({ format: "png", width: 1024, height: layout.height });
    expect(collage.mimeType).toBe("image/png");
  });

  it("arranges three images of different shapes into one 1024-wide grid", async () => {
    const images = [await flat(1024, 1024, 0), await flat(1024, 1536, 90), await flat(1536, 1024, 180)];
    const collage = await createCollageRenderer().render(day(images));
    const layout = collageLayout(3);
    expect(await decode(collage)).toEqual({ format: "png", width: 1024, height: layout.height });
    expect(collage.bytes.length).toBeLessThanOrEqual(COLLAGE_MAX_BYTES);
  });

  it("puts the first image, the day's top creation, in the large tile", async () => {
    const images = [await flat(1024, 1536, 250), await flat(1536, 1024, 0), await flat(1024, 1024, 0)];
    const collage = await createCollageRenderer().render(day(images));
    const hero = collageLayout(3).tiles[0]!;
    const { data } = await sharp(collage.bytes)
      .extract({ left: hero.left + hero.width / 2, top: hero.top + hero.imageHeight / 2, width: 1, height: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([250, 5, 128]);
  });

  it("arranges five images into a grid of one large and four small tiles", async () => {
    const images = await Promise.all([flat(1024, 1024, 0), flat(1024, 1536, 60), flat(1536, 1024, 120), flat(300, 900, 180), flat(2000, 500, 240)]);
    const collage = await createCollageRenderer().render(day(images));
    const layout = collageLayout(5);
    expect(layout.tiles.slice(1).every((t) => t.width === t.imageHeight && t.top === layout.tiles[1]!.top)).toBe(true);
    expect(await decode(collage)).toEqual({ format: "png", width: 1024, height: layout.height });
  });

  it("switches to JPEG to stay under 2 MB when the images would make a large PNG", async () => {
    const images = await Promise.all([noisy(1024, 1024), noisy(1024, 1536), noisy(1536, 1024), noisy(1024, 1024), noisy(1024, 1024)]);
    const collage = await createCollageRenderer().render(day(images));
    expect(collage.mimeType).toBe("image/jpeg");
    expect(await decode(collage)).toEqual({ format: "jpeg", width: 1024, height: collageLayout(5).height });
    expect(collage.bytes.length).toBeLessThanOrEqual(COLLAGE_MAX_BYTES);
  });

  it("draws a plain tile for an image it cannot decode, keeps the others, and logs it", async () => {
    const logger = silentLogger();
    const broken: GeneratedImage = { bytes: Buffer.from("not an image"), mimeType: "image/png" };
    const collage = await createCollageRenderer({ logger }).render(day([await flat(1024, 1024, 0), broken, await flat(1024, 1024, 200)]));
    expect(await decode(collage)).toMatchObject({ width: 1024, height: collageLayout(3).height });
    expect(logger.warnings).toEqual(["collage image could not be decoded"]);
  });

  it("fails when no image can be decoded, or when there is none", async () => {
    const broken: GeneratedImage = { bytes: Buffer.from("not an image"), mimeType: "image/png" };
    const renderer = createCollageRenderer();
    await expect(renderer.render(day([broken]))).rejects.toMatchObject({ code: "collage_unreadable" });
    await expect(renderer.render(day([broken, broken]))).rejects.toMatchObject({ code: "collage_unreadable" });
    await expect(renderer.render(day([]))).rejects.toMatchObject({ code: "collage_empty" });
  });

  it("leaves out images beyond the thirteenth", async () => {
    const images = await Promise.all(Array.from({ length: COLLAGE_MAX_IMAGES + 3 }, (_, i) => flat(256, 256, i * 10)));
    const collage = await createCollageRenderer().render(day(images));
    expect((await decode(collage)).height).toBe(collageLayout(COLLAGE_MAX_IMAGES).height);
  });
});

describe("collageLayout", () => {
  it("keeps every tile inside the canvas, below the date and apart from the others, for 1 to 13 images", () => {
    for (let count = 1; count <= COLLAGE_MAX_IMAGES; count++) {
      const { width, height, tiles } = collageLayout(count);
      expect(tiles).toHaveLength(count);
      for (const [i, a] of tiles.entries()) {
        expect(a.left >= 0 && a.top >= HEADER_HEIGHT && a.left + a.width <= width && a.top + a.height <= height, `tile ${i} of ${count}`).toBe(true);
        expect(a.height - a.imageHeight, `tile ${i} of ${count}'s caption`).toBe(CAPTION_HEIGHT[a.caption]);
        for (const b of tiles.slice(i + 1)) {
          const apart = a.left + a.width <= b.left || b.left + b.width <= a.left || a.top + a.height <= b.top || b.top + b.height <= a.top;
          expect(apart, `tiles of ${count} overlap`).toBe(true);
        }
      }
      expect(Math.max(...tiles.map((t) => t.top + t.height))).toBe(height);
    }
  });
});
