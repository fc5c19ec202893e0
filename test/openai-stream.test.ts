/**
 * Streamed image generation through the real `openai` SDK against the loopback OpenAI: partial images reach the
 * caller as they come and the completed image is the answer; a stream cut, ended early or past its deadline is a
 * transient failure.
 */
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GeneratedImage } from "../src/core/ports.js";
import type { ImageSize, Quality } from "../src/core/types.js";
import { createOpenAIImageProvider } from "../src/openai/index.js";
import { FakeOpenAI } from "./support/openai/fake-openai.js";
import { colourOf } from "./support/openai/fake-openai-images.js";
import { partialColour } from "./support/openai/fake-openai-stream.js";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await FakeOpenAI.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const PROMPT = "a lighthouse at dusk, oil painting";

function provider(timeoutMs?: number) {
  return createOpenAIImageProvider({ apiKey: fake.apiKey, baseURL: fake.baseURL, ...(timeoutMs ? { timeoutMs } : {}) });
}

function request(partialImages: 0 | 1 | 2, previews: Array<{ index: number; of: number; image: GeneratedImage }>, signal?: AbortSignal) {
  return {
    prompt: PROMPT,
    model: "gpt-image-2",
    size: "1024x1024" as ImageSize,
    quality: "low" as Quality,
    user: "u_3f9a1c0d2b7e",
    partialImages,
    onPartialImage: (preview: { index: number; of: number; image: GeneratedImage }) => void previews.push(preview),
    ...(signal ? { signal } : {}),
  };
}

async function colourOfImage(image: GeneratedImage) {
  const { data } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
  return { r: data[0], g: data[1], b: data[2] };
}

describe("streamed image generation", () => {
  it("asks for a stream with the partial images, hands each partial over in order and returns the completed image", async () => {
    const previews: Array<{ index: number; of: number; image: GeneratedImage }> = [];
    const image = await provider().generate(request(2, previews));

    expect(fake.imageRequests[0]!.body).toMatchObject({ stream: true, partial_images: 2, n: 1, output_format: "png" });
    expect(previews.map((p) => `${p.index} of ${p.of}`)).toEqual(["1 of 2", "2 of 2"]);
    expect(await colourOfImage(previews[0]!.image)).toEqual(partialColour(PROMPT, 0, 2));
    expect(await colourOfImage(previews[1]!.image)).toEqual(partialColour(PROMPT, 1, 2));
    expect(image.mimeType).toBe("image/png");
    expect(await colourOfImage(image)).toEqual(colourOf(PROMPT));
  });

  it("makes today's plain request, without stream or partial_images, when previews are off", async () => {
    const previews: Array<{ index: number; of: number; image: GeneratedImage }> = [];
    await provider().generate(request(0, previews));

    expect(fake.imageRequests[0]!.body).not.toHaveProperty("stream");
    expect(fake.imageRequests[0]!.body).not.toHaveProperty("partial_images");
    expect(previews).toEqual([]);
  });

  it("returns the completed image when OpenAI sends fewer partials than asked (the image came quickly)", async () => {
    fake.scriptStreams({ partials: 0 });
    const previews: Array<{ index: number; of: number; image: GeneratedImage }> = [];
    const image = await provider().generate(request(2, previews));

    expect(previews).toEqual([]);
    expect(await colourOfImage(image)).toEqual(colourOf(PROMPT));
  });

  it("fails transiently when the stream dies after the first partial", async () => {
    fake.scriptStreams({ dieAfter: 1 });
    const previews: Array<{ index: number; of: number; image: GeneratedImage }> = [];

    await expect(provider().generate(request(2, previews))).rejects.toMatchObject({ name: "ProviderError", kind: "transient" });
    expect(previews.map((p) => p.index)).toEqual([1]);
  });

  it("fails transiently when the stream ends without the completed image", async () => {
    fake.scriptStreams({ noCompleted: true });
    const previews: Array<{ index: number; of: number; image: GeneratedImage }> = [];

    await expect(provider().generate(request(2, previews))).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/without the completed image/) });
    expect(previews).toHaveLength(2);
  });

  it("fails transiently when the whole stream takes longer than the deadline, partials notwithstanding", async () => {
    fake.scriptStreams({ holdAfter: { partials: 1, until: new Promise(() => {}) } });
    const previews: Array<{ index: number; of: number; image: GeneratedImage }> = [];

    await expect(provider(1_000).generate(request(2, previews))).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/in time/) });
    expect(previews.map((p) => p.index)).toEqual([1]);
  });

  it("fails transiently when the caller aborts mid-stream", async () => {
    let release!: () => void;
    fake.scriptStreams({ holdAfter: { partials: 1, until: new Promise<void>((resolve) => (release = resolve)) } });
    const controller = new AbortController();
    const previews: Array<{ index: number; of: number; image: GeneratedImage }> = [];
    const made = provider().generate({ ...request(2, previews, controller.signal), onPartialImage: (p) => (previews.push(p), controller.abort(new Error("shutting down"))) });

    await expect(made).rejects.toMatchObject({ kind: "transient" });
    release();
    expect(previews).toHaveLength(1);
  });

  it("classifies an error answered before the stream starts as it does without streaming", async () => {
    fake.scriptImages({ status: 429, retryAfterSeconds: 3 });
    await expect(provider().generate(request(1, []))).rejects.toMatchObject({ kind: "rate_limited", details: { retryAfterMs: 3000 } });
  });
});

describe("the loopback OpenAI's image stream", () => {
  it("sends the events OpenAI's spec describes, with every required field", async () => {
    const response = await fetch(`${fake.baseURL}/images/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: PROMPT, size: "1024x1024", quality: "low", stream: true, partial_images: 1 }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const blocks = (await response.text()).trim().split("\n\n");
    const events = blocks.map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      return { event: eventLine!.replace(/^event: /, ""), data: JSON.parse(dataLine!.replace(/^data: /, "")) };
    });

    expect(events.map((e) => e.event)).toEqual(["image_generation.partial_image", "image_generation.completed"]);
    // The required fields of ImageGenPartialImageEvent and ImageGenCompletedEvent in OpenAI's OpenAPI spec.
    const common = ["type", "b64_json", "created_at", "size", "quality", "background", "output_format"];
    expect(Object.keys(events[0]!.data)).toEqual(expect.arrayContaining([...common, "partial_image_index"]));
    expect(Object.keys(events[1]!.data)).toEqual(expect.arrayContaining([...common, "usage"]));
    expect(events.map((e) => e.data.type)).toEqual(events.map((e) => e.event));
    expect(events[0]!.data.partial_image_index).toBe(0);
  });

  it("refuses partial_images out of the spec's 0 to 3", async () => {
    const response = await fetch(`${fake.baseURL}/images/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-image-2", prompt: PROMPT, stream: true, partial_images: 4 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe("partial_images");
  });
});
