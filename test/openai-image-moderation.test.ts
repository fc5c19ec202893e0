/**
 * `ImageProvider.moderateImage` on the `openai` SDK against the loopback OpenAI: the request as OpenAI's spec shapes a
 * multi-modal moderation input (a text part and an `image_url` part holding a base64 data URL), the answer read into
 * categories in words, and the loopback's own checks of image inputs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { GeneratedImage } from "../src/core/ports.js";
import { createOpenAIImageProvider } from "../src/openai/index.js";
import { FakeOpenAI } from "./support/openai/fake-openai.js";

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await FakeOpenAI.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

const provider = () => createOpenAIImageProvider({ apiKey: fake.apiKey, baseURL: fake.baseURL });
const request = { prompt: "a lighthouse at dusk", model: "gpt-image-2", size: "1024x1024" as const, quality: "low" as const, user: "u_1" };

/** The JSON body of an answer (a test reads whichever fields it checks). */
async function json(answer: Promise<Response> | Response): Promise<any> {
  return (await answer).json();
}

function post(body: unknown): Promise<Response> {
  return fetch(`${fake.baseURL}/moderations`, {
    method: "POST",
    headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("moderating a finished image", () => {
  it("sends the prompt as a text part and the image as a base64 data URL part, to omni-moderation-latest", async () => {
    const image = await provider().generate(request);

    await expect(provider().moderateImage({ prompt: request.prompt, image })).resolves.toEqual({ flagged: false, categories: [] });

    expect(fake.moderationRequests.at(-1)!.body).toEqual({
      model: "omni-moderation-latest",
      input: [
        { type: "text", text: "a lighthouse at dusk" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${image.bytes.toString("base64")}` } },
      ],
    });
    expect(fake.imageModerations).toHaveLength(1);
    expect(fake.imageModerations[0]!.bytes!.equals(image.bytes)).toBe(true);
  });

  it("names the categories an image was flagged for in words, while its prompt alone passes", async () => {
    fake.flagImages({ ketchup: ["violence", "violence/graphic"] });
    const image = await provider().generate({ ...request, prompt: "a picnic drowned in ketchup" });

    await expect(provider().moderate("a picnic drowned in ketchup")).resolves.toEqual({ flagged: false, categories: [] });
    await expect(provider().moderateImage({ prompt: "a picnic drowned in ketchup", image })).resolves.toEqual({
      flagged: true,
      categories: ["violence", "graphic violence"],
    });
  });

  it("does not flag an image the fake did not draw from a flagged prompt", async () => {
    fake.flagImages({ ketchup: ["violence"] });
    const image = await provider().generate(request);

    // The prompt sent along says ketchup, but the image was drawn from another one.
    await expect(provider().moderateImage({ prompt: "ketchup", image })).resolves.toEqual({ flagged: false, categories: [] });
  });

  it("classifies a failed image check like any OpenAI failure", async () => {
    const image = await provider().generate(request);
    fake.scriptModerations({ status: 503 });
    await expect(provider().moderateImage({ prompt: request.prompt, image })).rejects.toMatchObject({ kind: "transient" });
    fake.scriptModerations({ status: 429, retryAfterSeconds: 2 });
    await expect(provider().moderateImage({ prompt: request.prompt, image })).rejects.toMatchObject({ kind: "rate_limited", details: { retryAfterMs: 2000 } });
  });
});

describe("the loopback's image moderation", () => {
  const png = (image: GeneratedImage) => `data:image/png;base64,${image.bytes.toString("base64")}`;

  it("answers which input types each category applied to: the image ones only when an image was sent", async () => {
    const image = await provider().generate(request);
    const withImage = await json(post({ model: "omni-moderation-latest", input: [{ type: "text", text: "a" }, { type: "image_url", image_url: { url: png(image) } }] }));
    const textOnly = await json(post({ model: "omni-moderation-latest", input: "a" }));

    expect(withImage.results).toHaveLength(1);
    expect(withImage.results[0].category_applied_input_types).toMatchObject({ violence: ["text", "image"], "self-harm/intent": ["text", "image"], hate: ["text"], illicit: ["text"] });
    expect(textOnly.results[0].category_applied_input_types).toMatchObject({ violence: ["text"], hate: ["text"] });
  });

  it("refuses image inputs the real endpoint refuses", async () => {
    const image = await provider().generate(request);
    const part = (url: string) => ({ type: "image_url", image_url: { url } });
    const cases: Array<[string, unknown[], string, string]> = [
      ["two images", [part(png(image)), part(png(image))], "too_many_images", "input"],
      ["a URL that is neither http(s) nor data:", [part("file:///tmp/a.png")], "invalid_value", "input[0].image_url.url"],
      ["a data URL that is not base64", [part("data:image/png;base64,not base64!")], "invalid_value", "input[0].image_url.url"],
      ["a data URL of a type that is not an image", [part(`data:text/plain;base64,${Buffer.from("hi").toString("base64")}`)], "invalid_value", "input[0].image_url.url"],
      ["bytes that are not an image", [{ type: "text", text: "a" }, part(`data:image/png;base64,${Buffer.from("not a png").toString("base64")}`)], "invalid_image_format", "input[1].image_url.url"],
    ];
    for (const [what, input, code, param] of cases) {
      const answer = await post({ model: "omni-moderation-latest", input });
      expect(answer.status, what).toBe(400);
      expect((await json(answer)).error, what).toMatchObject({ type: "invalid_request_error", code, param });
    }
    expect(fake.imageModerations).toHaveLength(0);
  });

  it("refuses to flag an image for a category omni-moderation only scores from text", () => {
    expect(() => fake.flagImages({ slur: ["hate"] })).toThrow("does not score images for hate");
  });
});
