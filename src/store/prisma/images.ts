/**
 * Images in the database (table `StoredImage`), by content address: the image store of a PostgreSQL deployment, so
 * that every process on every host reads the images any of them made. Storing bytes that are there already writes
 * nothing; a row goes when `delete` is asked (the callers ask once no creation refers to the image any more).
 */
import type { ImageFiles } from "../../core/ports.js";
import { checkImageHash, contentAddress, storedMimeType } from "../../images/content-address.js";
import type { PrismaClient } from "../generated/client.js";
import { isUniqueViolation } from "./retry.js";

export function createDatabaseImages(prisma: PrismaClient): ImageFiles {
  return {
    async put(bytes, mimeType) {
      const hash = contentAddress(bytes);
      // Looked up first, so the same bytes again cost a key lookup, not their upload.
      if (await prisma.storedImage.findUnique({ where: { hash }, select: { hash: true } })) return hash;
      try {
        await prisma.storedImage.create({ data: { hash, mimeType, bytes: new Uint8Array(bytes) }, select: { hash: true } });
      } catch (error) {
        // Another writer stored the same bytes meanwhile: they are there, which is all `put` promises.
        if (!isUniqueViolation(error)) throw error;
      }
      return hash;
    },

    async get(hash) {
      const row = await prisma.storedImage.findUnique({ where: { hash: checkImageHash(hash) }, select: { bytes: true, mimeType: true } });
      return row ? { bytes: Buffer.from(row.bytes), mimeType: storedMimeType(row.mimeType, hash) } : null;
    },

    async delete(hash) {
      await prisma.storedImage.deleteMany({ where: { hash: checkImageHash(hash) } });
    },
  };
}
