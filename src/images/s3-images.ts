/**
 * Images in an S3-compatible bucket (`IMAGE_STORE_URL=s3://bucket/prefix`), one object per image at
 * `<prefix>/<sha256>` with its Content-Type, through the AWS SDK. Credentials come from the SDK's default chain
 * (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, a container or instance role); the region and, for an
 * S3-compatible store, the endpoint and path-style addressing from the configuration.
 *
 * What the bucket must allow: s3:GetObject, s3:PutObject and s3:DeleteObject under the prefix, and s3:ListBucket on the
 * bucket, without which S3 answers a missing image with 403 instead of NoSuchKey (and Salon reads that as an error).
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { ImageFiles } from "../core/ports.js";
import { checkImageHash, contentAddress, storedMimeType } from "./content-address.js";

/** Where the bucket is and how to reach it (see `Config.imageStore`). */
export interface S3ImagesOptions {
  bucket: string;
  /** Key prefix without slashes at either end; "" for the bucket's root. */
  prefix: string;
  region?: string;
  /** An S3-compatible store's URL (MinIO, Ceph, R2…); absent means AWS (or the SDK's AWS_ENDPOINT_URL_S3). */
  endpoint?: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. */
  forcePathStyle: boolean;
  /** Per-request timeout: an unreachable bucket fails the call instead of hanging it. */
  requestTimeoutMs?: number;
}

export interface S3Images extends ImageFiles {
  /** Whether the bucket answers as Salon needs: null when it does, otherwise what is wrong, for the operator. */
  check(): Promise<string | null>;
  close(): void;
}

export function createS3Images(options: S3ImagesOptions): S3Images {
  const client = new S3Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    // The generation queue and the digest decide when to try again (see resilient-images.ts); one SDK retry covers a
    // dropped connection without holding a caller for long.
    maxAttempts: 2,
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000, connectionTimeout: 5_000 },
  });
  const { bucket } = options;
  const keyOf = (hash: string) => (options.prefix ? `${options.prefix}/${checkImageHash(hash)}` : checkImageHash(hash));

  return {
    async put(bytes, mimeType) {
      const hash = contentAddress(bytes);
      const Key = keyOf(hash);
      // The same bytes again (a retried write, db:copy run twice) are not uploaded again.
      if (await exists(client, bucket, Key)) return hash;
      // S3 checks the bytes against their SHA-256 (BadDigest otherwise): what is stored is what the key says.
      await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: bytes, ContentType: mimeType, ChecksumSHA256: Buffer.from(hash, "hex").toString("base64") }));
      return hash;
    },

    async get(hash) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(hash) }));
        const bytes = Buffer.from(await object.Body!.transformToByteArray());
        return { bytes, mimeType: storedMimeType(object.ContentType, hash) };
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        throw error;
      }
    },

    async delete(hash) {
      // S3 answers 204 whether or not the object was there.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(hash) }));
    },

    async check() {
      const probe = keyOf(contentAddress(Buffer.alloc(0)));
      try {
        await client.send(new GetObjectCommand({ Bucket: bucket, Key: probe }));
        return null;
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        const code = error instanceof S3ServiceException ? error.name : "";
        if (code === "NoSuchBucket") return `the bucket ${bucket} does not exist`;
        if (code === "AccessDenied") return `access to ${bucket} was denied: grant s3:GetObject, s3:PutObject, s3:DeleteObject under the prefix and s3:ListBucket on the bucket`;
        return `the bucket ${bucket} could not be read: ${(error as Error).message}`;
      }
    },

    close: () => client.destroy(),
  };
}

async function exists(client: S3Client, Bucket: string, Key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket, Key }));
    return true;
  } catch (error) {
    if (error instanceof NotFound || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return false;
    throw error;
  }
}

/**
 * Whether an S3 call failed because the bucket can't be reached or is overloaded right now (no answer, a 5xx, 429,
 * SlowDown), rather than because of the request (a wrong key, a denied access), which trying again does not fix.
 */
export function isS3Unavailable(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    const status = error.$metadata.httpStatusCode;
    return status === undefined || status >= 500 || status === 429 || ["SlowDown", "RequestTimeout", "ServiceUnavailable"].includes(error.name);
  }
  // No answer at all: a refused or reset connection, a DNS failure, a timeout.
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && (typeof code === "string" || ["TimeoutError", "AbortError"].includes(error.name) || /socket|ECONN|EPIPE|ETIMEDOUT|EAI_AGAIN/.test(error.message));
}
