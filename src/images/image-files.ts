/**
 * Content-addressed image files: `<dataDir>/images/<first two hex digits>/<sha256>.png|.jpg`. Names come only from
 * the digest of the bytes, never from user input.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { GeneratedImage, ImageFiles } from "../core/ports.js";
import { checkImageHash, contentAddress, IMAGE_MIME_TYPES } from "./content-address.js";

const EXTENSION: Record<GeneratedImage["mimeType"], string> = { "image/png": ".png", "image/jpeg": ".jpg" };

/** Image files under `dataDir`; the folders are created on the first write. */
export function createImageFiles(dataDir: string): ImageFiles {
  const root = path.resolve(dataDir, "images");

  const fileOf = (hash: string, mimeType: GeneratedImage["mimeType"]) => path.join(root, checkImageHash(hash).slice(0, 2), `${hash}${EXTENSION[mimeType]}`);

  return {
    async put(bytes, mimeType) {
      const hash = contentAddress(bytes);
      const file = fileOf(hash, mimeType);
      if (await exists(file)) return hash;
      await mkdir(path.dirname(file), { recursive: true });
      // Write beside the target and rename: readers never see half a file, and a crash leaves only a temp file.
      const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        const handle = await open(temp, "wx");
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return hash;
    },

    async get(hash) {
      for (const mimeType of IMAGE_MIME_TYPES) {
        try {
          return { bytes: await readFile(fileOf(hash, mimeType)), mimeType };
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return null;
    },

    async delete(hash) {
      for (const mimeType of IMAGE_MIME_TYPES) await rm(fileOf(hash, mimeType), { force: true });
    },
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}
