import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Images, type S3Images } from "../../../src/images/s3-images.js";
import { startLoopbackS3, type LoopbackS3 } from "../../support/s3/loopback-s3.js";
import { imageStoreContract } from "./image-store.contract.js";

let s3: LoopbackS3;
beforeAll(async () => {
  s3 = await startLoopbackS3();
  // The SDK's default credential chain reads these, as it does in production.
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
});
afterAll(() => s3.close());

let run = 0;
imageStoreContract("an S3 bucket (SigV4 checked)", async () => {
  const prefix = `run-${++run}/images`; // each test under a prefix of its own
  const opened: S3Images[] = [];
  const open = () => {
    const images = createS3Images({ bucket: s3.bucket, prefix, region: s3.region, endpoint: s3.endpoint, forcePathStyle: true });
    opened.push(images);
    return images;
  };
  return { images: open(), another: async () => open(), cleanup: async () => opened.forEach((images) => images.close()) };
});

describe("the loopback S3 and the bucket check", () => {
  it("refuses what S3 refuses: a wrong secret, another region, tampered bytes; and names the problem at start", async () => {
    const open = (region: string) => createS3Images({ bucket: s3.bucket, prefix: "checks", region, endpoint: s3.endpoint, forcePathStyle: true });
    expect(await open(s3.region).check()).toBeNull();
    expect(await open("us-east-1").check()).toMatch(/region 'us-east-1' is wrong; expecting 'eu-west-3'/);
    expect(await createS3Images({ bucket: "no-such-bucket", prefix: "", region: s3.region, endpoint: s3.endpoint, forcePathStyle: true }).check()).toBe("the bucket no-such-bucket does not exist");
    process.env.AWS_SECRET_ACCESS_KEY = "not-the-secret";
    try {
      const wrongSecret = open(s3.region);
      expect(await wrongSecret.check()).toMatch(/signature we calculated does not match/);
      // A HEAD answer has no body: the SDK sees a bare 403.
      await expect(wrongSecret.put(Buffer.from("x"), "image/png")).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      await expect(wrongSecret.get("0".repeat(64))).rejects.toThrow(/signature we calculated does not match/);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
    }
    const tampered = await fetch(`${s3.endpoint}/${s3.bucket}/checks/x`, {
      method: "PUT",
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKeyId}/20261202/${s3.region}/s3/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`, "x-amz-content-sha256": "0".repeat(64) },
      body: "tampered",
    });
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain("XAmzContentSHA256Mismatch");
  });
});
