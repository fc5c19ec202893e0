/**
 * The images part of `npm run db:copy`: a SQLite deployment keeps its images as files under DATA_DIR; PostgreSQL's
 * image store is the `StoredImage` table (src/store/prisma/images.ts). Every image a creation refers to is read from the
 * folder, checked against its name, and inserted in the copy's transaction; the ones that are not there (or whose
 * bytes are not what their name says) are listed, not invented.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";
import { contentAddress } from "../images/content-address.js";
import { createImageFiles } from "../images/image-files.js";

export interface ImagesCopied {
  copied: number;
  /** Images creations refer to that the folder does not hold (or holds damaged): their posts stay, their bytes are gone. */
  missing: string[];
}

/** Whether `dataDir` looks like a Salon DATA_DIR that holds images: refuses a mistyped folder before anything is written. */
export async function hasImagesFolder(dataDir: string): Promise<boolean> {
  return stat(path.join(dataDir, "images")).then((s) => s.isDirectory(), () => false);
}

export async function copyImageFiles(source: BetterSqlite3.Database, target: pg.ClientBase, dataDir: string): Promise<ImagesCopied> {
  const files = createImageFiles(dataDir);
  const hashes = (source.prepare(`SELECT DISTINCT "imageHash" AS hash FROM "Creation" WHERE "imageHash" IS NOT NULL ORDER BY 1`).all() as Array<{ hash: string }>).map((r) => r.hash);
  const result: ImagesCopied = { copied: 0, missing: [] };
  for (const hash of hashes) {
    const image = /^[0-9a-f]{64}$/.test(hash) ? await files.get(hash) : null;
    if (!image || contentAddress(image.bytes) !== hash) {
      result.missing.push(hash);
      continue;
    }
    await target.query(`INSERT INTO "StoredImage" ("hash", "mimeType", "bytes") VALUES ($1, $2, $3) ON CONFLICT ("hash") DO NOTHING`, [hash, image.mimeType, image.bytes]);
    result.copied++;
  }
  return result;
}
