/**
 * `ImageProvider.edit` (remixes) through the real `openai` SDK against the loopback OpenAI's POST /v1/images/edits:
 * a multipart form as OpenAI's spec describes it (CreateImageEditRequest), whose `image` file is the parent's bytes.
 */
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../src/core/errors.js";
import type { GeneratedImage } from "../src/core/ports.js";
import { createOpenAIImageProvider } from "../src/openai/index.js";
import { FakeOpenAI } from "./support/openai/fake-openai.js";

let fake: FakeOpenAI;
let parent: GeneratedImage;

beforeAll(async () => {
  fake = await FakeOpenAI.start();
  parent = { bytes: await sharp({ create: { width: 1024, height: 1536, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer(), mimeType: "image/png" };
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const provider = () => createOpenAIImageProvider({ apiKey: fake.apiKey, baseURL: fake.baseURL });
const request = { prompt: "the same lighthouse, at night, in snow", model: "gpt-image-2", size: "1024x1536" as const, quality: "low" as const, user: "u_3f9a1c0d2b7e" };

describe("the OpenAI image edit (remix)", () => {
  it("uploads the parent's bytes as the multipart image with prompt, model, size, quality, n, output format and user, and decodes the image", async () => {
    const image = await provider().edit({ ...request, image: parent });
    expect(fake.editRequests).toHaveLength(1);
    const sent = fake.editRequests[0]!;
    expect(sent.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent.images).toHaveLength(1);
    expect(sent.images[0]!.bytes.equals(parent.bytes)).toBe(true);
    expect(sent.images[0]!.type).toBe("image/png");
    expect(sent.fields).toEqual({ prompt: request.prompt, model: "gpt-image-2", size: "1024x1536", quality: "low", n: "1", user: request.user, output_format: "png" });
    expect(image.mimeType).toBe("image/png");
    const meta = await sharp(image.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 1536]);
    expect(image.bytes.equals(parent.bytes)).toBe(false);
  });

  it("classifies the edit endpoint's failures like the generation's: 429 with retry-after, safety refusals, 5xx", async () => {
    fake.scriptEdits({ status: 429, retryAfterSeconds: 3 }, { status: 400, code: "moderation_blocked" }, { status: 503 });
    const kinds: Array<[string, number | undefined]> = [];
    for (let i = 0; i < 3; i++) {
      const error = await provider().edit({ ...request, image: parent }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      kinds.push([(error as ProviderError).kind, (error as ProviderError).details.retryAfterMs]);
    }
    expect(kinds).toEqual([["rate_limited", 3000], ["safety", undefined], ["transient", undefined]]);
  });

  it("is refused by the fake, as by OpenAI, when the upload is not an image", async () => {
    const error = await provider().edit({ ...request, image: { bytes: Buffer.from("not an image"), mimeType: "image/png" } }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("rejected");
  });
});
