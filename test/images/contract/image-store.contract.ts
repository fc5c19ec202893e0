/**
 * The contract of the {@link ImageFiles} port, which every image store passes: files under DATA_DIR, the database on
 * SQLite and PostgreSQL, an S3 bucket. `another()` opens the same store as another process (or host) would.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../../src/core/errors.js";
import type { ImageFiles } from "../../../src/core/ports.js";

export interface ImageStoreUnderTest {
  images: ImageFiles;
  another(): Promise<ImageFiles>;
  cleanup(): Promise<void>;
}

const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("a lighthouse at dusk")]);
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from("a fox in the snow")]);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export function imageStoreContract(name: string, factory: () => Promise<ImageStoreUnderTest>): void {
  describe(`ImageFiles: ${name}`, () => {
    let store: ImageStoreUnderTest;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.cleanup();
    });

    it("returns the SHA-256 of the bytes and gives each image back exactly, with its type", async () => {
      const large = Buffer.concat([png, randomBytes(1_500_000)]); // the size of a real high-quality image
      const hashes = [await store.images.put(png, "image/png"), await store.images.put(jpeg, "image/jpeg"), await store.images.put(large, "image/png")];
      expect(hashes).toEqual([sha256(png), sha256(jpeg), sha256(large)]);
      expect(await store.images.get(hashes[0]!)).toEqual({ bytes: png, mimeType: "image/png" });
      expect(await store.images.get(hashes[1]!)).toEqual({ bytes: jpeg, mimeType: "image/jpeg" });
      expect((await store.images.get(hashes[2]!))?.bytes.equals(large)).toBe(true);
    });

    it("reads from another process what one stored, and stores the same bytes from both at once as one image", async () => {
      const other = await store.another();
      const hash = await store.images.put(png, "image/png");
      expect(await other.get(hash)).toEqual({ bytes: png, mimeType: "image/png" });
      const both = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store.images).put(Buffer.from(jpeg), "image/jpeg")));
      expect(new Set(both)).toEqual(new Set([sha256(jpeg)]));
      expect(await store.images.get(sha256(jpeg))).toEqual({ bytes: jpeg, mimeType: "image/jpeg" });
    });

    it("returns null for an image it does not have", async () => {
      expect(await store.images.get(sha256(Buffer.from("never stored")))).toBeNull();
    });

    it("deletes an image for every process, and deleting one that is absent is not an error", async () => {
      const other = await store.another();
      const hash = await store.images.put(png, "image/png");
      const kept = await store.images.put(jpeg, "image/jpeg");
      await other.delete(hash);
      expect(await store.images.get(hash)).toBeNull();
      expect(await store.images.get(kept)).not.toBeNull();
      await expect(store.images.delete(hash)).resolves.toBeUndefined();
      // Stored again after a delete, it is there again.
      expect(await store.images.put(png, "image/png")).toBe(hash);
      expect(await other.get(hash)).toEqual({ bytes: png, mimeType: "image/png" });
    });

    it("refuses anything but a SHA-256 digest as a name, so nothing outside the store is read or deleted", async () => {
      for (const hash of ["../../etc/passwd", "", sha256(png).toUpperCase(), `${sha256(png)}/..`]) {
        await expect(store.images.get(hash)).rejects.toThrow(AppError);
        await expect(store.images.delete(hash)).rejects.toThrow(AppError);
      }
    });
  });
}
