/**
 * The image bucket's configuration (`IMAGE_STORE_URL=s3://bucket/prefix` and its companions): the variables, the rule
 * between them, and the {@link ImageStoreConfig} they give.
 */
import { z } from "zod";
import { httpUrl } from "./value-schemas.js";

/**
 * An S3-compatible bucket for the images (`IMAGE_STORE_URL=s3://bucket/prefix`). Credentials are the AWS SDK's
 * default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, a role), read by the SDK itself.
 */
export interface ImageStoreConfig {
  bucket: string;
  /** Key prefix without slashes at either end; "" for the bucket's root. */
  prefix: string;
  /** `AWS_REGION`; with an endpoint and no region, `us-east-1` (what S3-compatible stores expect). */
  region?: string;
  /** An S3-compatible store's URL (`IMAGE_STORE_ENDPOINT`); absent: AWS S3 (or the SDK's AWS_ENDPOINT_URL_S3). */
  endpoint?: string;
  /** Path-style addressing (`IMAGE_STORE_PATH_STYLE`; default on with an endpoint, off for AWS). */
  forcePathStyle: boolean;
}

/** `s3://bucket/some/prefix/` → the bucket and `some/prefix`; null when it is not such a URL. */
export function parseBucketUrl(url: string): { bucket: string; prefix: string } | null {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/([^?#]*))?$/.exec(url);
  if (!match || match[1]!.includes("..")) return null;
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix.split("/").some((part) => part === "." || part === "..") || /\/\//.test(prefix)) return null;
  return { bucket: match[1]!, prefix };
}

export function imageStoreConfig(v: ImageStoreVariables & { IMAGE_STORE_URL: string }): ImageStoreConfig {
  const { bucket, prefix } = parseBucketUrl(v.IMAGE_STORE_URL)!;
  const region = v.AWS_REGION ?? (v.IMAGE_STORE_ENDPOINT ? "us-east-1" : undefined);
  return {
    bucket,
    prefix,
    ...(region ? { region } : {}),
    ...(v.IMAGE_STORE_ENDPOINT ? { endpoint: v.IMAGE_STORE_ENDPOINT } : {}),
    forcePathStyle: v.IMAGE_STORE_PATH_STYLE ? v.IMAGE_STORE_PATH_STYLE === "true" : v.IMAGE_STORE_ENDPOINT !== undefined,
  };
}

/** The bucket's variables, spread into the config schema. */
export const imageStoreVariables = {
  IMAGE_STORE_URL: z.string()
    .refine((url) => parseBucketUrl(url) !== null, "IMAGE_STORE_URL must be s3://bucket/prefix (e.g. s3://salon-images/prod): a bucket name of 3 to 63 lowercase letters, digits, dots and hyphens, then an optional key prefix, with no query or credentials; unset it to keep the images in the database (PostgreSQL) or in DATA_DIR (SQLite)")
    .optional(),
  IMAGE_STORE_ENDPOINT: httpUrl("IMAGE_STORE_ENDPOINT", "http://minio.internal:9000").optional(),
  IMAGE_STORE_PATH_STYLE: z.enum(["true", "false"], { error: "IMAGE_STORE_PATH_STYLE must be true or false (default true with IMAGE_STORE_ENDPOINT, false for AWS S3)" }).optional(),
  AWS_REGION: z.string().regex(/^[a-z0-9-]+$/, "AWS_REGION must be a region name such as eu-west-3 (the bucket's region)").optional(),
};

type ImageStoreVariables = { [K in keyof typeof imageStoreVariables]?: z.output<(typeof imageStoreVariables)[K]> };

/** The bucket's companions are refused without the bucket. */
export function checkImageStore(v: ImageStoreVariables, problem: (message: string) => void): void {
  if (v.IMAGE_STORE_URL !== undefined) return;
  for (const name of ["IMAGE_STORE_ENDPOINT", "IMAGE_STORE_PATH_STYLE"] as const) {
    if (v[name] !== undefined) problem(`${name} is set but IMAGE_STORE_URL is not: set IMAGE_STORE_URL=s3://bucket/prefix to keep the images in that bucket, or unset ${name}`);
  }
}
