import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createImageFiles } from "../../src/images/image-files.js";

let dataDir: string;
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("a lighthouse at dusk")]);
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from("a fox in the snow")]);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "salon-files-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Every file under the data directory, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe("createImageFiles, beyond the contract (test/images/contract)", () => {
  it("stores bytes under images/<first two hex digits>/<sha256>.png and returns the digest", async () => {
    const files = createImageFiles(dataDir);
    const hash = await files.put(png, "image/png");
    expect(hash).toBe(sha256(png));
    expect(await filesUnder(dataDir)).toEqual([path.join("images", hash.slice(0, 2), `${hash}.png`)]);
    expect(await readFile(path.join(dataDir, "images", hash.slice(0, 2), `${hash}.png`))).toEqual(png);
  });

  it("names JPEG files .jpg and gives each image back with its type", async () => {
    const files = createImageFiles(dataDir);
    const pngHash = await files.put(png, "image/png");
    const jpegHash = await files.put(jpeg, "image/jpeg");
    expect(await filesUnder(dataDir)).toContain(path.join("images", jpegHash.slice(0, 2), `${jpegHash}.jpg`));
    expect(await files.get(pngHash)).toEqual({ bytes: png, mimeType: "image/png" });
    expect(await files.get(jpegHash)).toEqual({ bytes: jpeg, mimeType: "image/jpeg" });
  });

  it("does nothing when the same bytes are stored again", async () => {
    const files = createImageFiles(dataDir);
    const hash = await files.put(png, "image/png");
    const file = path.join(dataDir, "images", hash.slice(0, 2), `${hash}.png`);
    const before = await stat(file);
    expect(await files.put(Buffer.from(png), "image/png")).toBe(hash);
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
    expect(await filesUnder(dataDir)).toHaveLength(1);
  });

  it("stores the same bytes from concurrent writers once, leaving no temporary file behind", async () => {
    const files = createImageFiles(dataDir);
    const hashes = await Promise.all(Array.from({ length: 8 }, () => files.put(png, "image/png")));
    expect(new Set(hashes)).toEqual(new Set([sha256(png)]));
    expect(await filesUnder(dataDir)).toEqual([path.join("images", sha256(png).slice(0, 2), `${sha256(png)}.png`)]);
  });
});
