/**
 * Chooses where the images live: a bucket when IMAGE_STORE_URL names one; otherwise the database on PostgreSQL (every
 * process on every host reads it), and files under DATA_DIR on SQLite (one host, as before). A store reached over the
 * network is wrapped in {@link resilientImages}, and the image provider waits on it before paying for an image.
 */
import type { Config } from "../config/config.js";
import { StoreUnavailableError } from "../core/errors.js";
import type { Clock, ImageFiles, ImageProvider, Logger } from "../core/ports.js";
import { isPostgresUrl } from "../store/database.js";
import type { PrismaClient } from "../store/generated/client.js";
import { createDatabaseImages } from "../store/prisma/images.js";
import { withStoreErrors } from "../store/store-errors.js";
import { gatedProvider } from "./gated-provider.js";
import { createImageFiles } from "./image-files.js";
import { resilientImages } from "./resilient-images.js";

export interface ImageStore {
  kind: "bucket" | "database" | "files";
  images: ImageFiles;
  /** The provider, made to wait for the store before each new image when the store can be down. */
  gate<P extends ImageProvider>(provider: P): P;
  /** What is wrong with the store, for the operator's log at start; null when it answers. */
  check(): Promise<string | null>;
  close(): void;
}

export async function openImageStore(config: Pick<Config, "imageStore" | "dataDir" | "database">, prisma: PrismaClient, clock: Clock, logger: Logger): Promise<ImageStore> {
  const log = logger.child({ component: "images" });
  if (config.imageStore) {
    // The AWS SDK (several MiB resident) is loaded only when a bucket is configured.
    const { createS3Images, isS3Unavailable } = await import("./s3-images.js");
    const bucket = createS3Images(config.imageStore);
    const images = resilientImages(bucket, { isUnavailable: isS3Unavailable, clock, logger: log });
    return { kind: "bucket", images, gate: (provider) => gatedProvider(provider, images), check: () => bucket.check(), close: () => bucket.close() };
  }
  if (isPostgresUrl(config.database.url)) {
    const images = resilientImages(withStoreErrors(createDatabaseImages(prisma)), { isUnavailable: (e) => e instanceof StoreUnavailableError, clock, logger: log });
    return { kind: "database", images, gate: (provider) => gatedProvider(provider, images), check: async () => null, close: () => {} };
  }
  return { kind: "files", images: createImageFiles(config.dataDir), gate: (provider) => provider, check: async () => null, close: () => {} };
}
