/** The loopback OpenAI speaks the wire protocol the way the real API does, as seen by a plain HTTP client. */
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeOpenAI } from "./support/openai/fake-openai.js";

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await FakeOpenAI.start({ apiKey: "sk-fake-0123456789abcdefghij" });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

/** The answer of a call, its JSON read loosely as tests do. */
type Answer = Omit<Response, "json"> & { json(): Promise<any> };

function call(path: string, body?: unknown, key: string | null = fake.apiKey): Promise<Answer> {
  return fetch(`${fake.baseURL}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

const generate = (body: object) => call("/images/generations", { model: "gpt-image-1", prompt: "a red fox", ...body });

describe("FakeOpenAI", () => {
  it("listens on loopback under /v1", () => {
    expect(fake.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it("refuses a request without a key in OpenAI's error shape", async () => {
    const response = await call("/models", undefined, null);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { message: expect.stringContaining("You didn't provide an API key"), type: "invalid_request_error", param: null, code: null },
    });
  });

  it("refuses a wrong key and shows only a masked form of it", async () => {
    const wrong = "sk-wrong-key-abcdefghijklmnop";
    const response = await call("/models", undefined, wrong);
    const body = await response.json();

    expect(response.status).toBe(401);
    expect(body.error).toMatchObject({ code: "invalid_api_key", message: expect.stringContaining("sk-**") });
    expect(JSON.stringify(body)).not.toContain(wrong);
  });

  it("lists its models and retrieves one, and answers 404 model_not_found for others", async () => {
    const list = await (await call("/models")).json();
    expect(list).toMatchObject({ object: "list", data: [{ id: "gpt-image-2", object: "model" }, { id: "gpt-image-1" }, { id: "omni-moderation-latest" }, { id: "gpt-5.6-luna" }, { id: "gpt-5.4-nano" }, { id: "gpt-5.4-mini" }, { id: "gpt-4.1-mini" }] });

    expect(await (await call("/models/gpt-image-2")).json()).toMatchObject({ id: "gpt-image-2", object: "model", owned_by: "system" });
    const missing = await call("/models/gpt-image-9");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatchObject({ code: "model_not_found", param: "model" });
  });

  it("answers an image request with a decodable image, usage and the settings used", async () => {
    const response = await generate({ size: "1024x1536", quality: "medium", output_format: "png" });
    const body = await response.json();

    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(body).toMatchObject({
      created: expect.any(Number),
      data: [{ b64_json: expect.any(String) }],
      output_format: "png",
      size: "1024x1536",
      quality: "medium",
      usage: { output_tokens: 1584, input_tokens: expect.any(Number), total_tokens: expect.any(Number), input_tokens_details: { text_tokens: expect.any(Number), image_tokens: 0 } },
    });
    const metadata = await sharp(Buffer.from(body.data[0].b64_json, "base64")).metadata();
    expect(metadata).toMatchObject({ format: "png", width: 1024, height: 1536 });
  });

  it("paints the same prompt the same colour and different prompts differently", async () => {
    const b64 = async (prompt: string) => (await (await generate({ prompt, size: "1024x1024" })).json()).data[0].b64_json;
    const fox = await b64("a red fox");

    expect(await b64("a red fox")).toBe(fox);
    expect(await b64("a blue whale")).not.toBe(fox);
  });

  it("draws n images, in another output format when asked", async () => {
    const body = await (await generate({ n: 2, output_format: "jpeg" })).json();

    expect(body.data).toHaveLength(2);
    expect((await sharp(Buffer.from(body.data[1].b64_json, "base64")).metadata()).format).toBe("jpeg");
  });

  it.each([
    ["response_format, which GPT image models refuse", { response_format: "b64_json" }, "unknown_parameter", "response_format"],
    ["an unknown parameter", { colour: "red" }, "unknown_parameter", "colour"],
    ["a DALL·E quality", { quality: "hd" }, "invalid_value", "quality"],
    ["an unsupported size", { size: "1000x1000" }, "invalid_value", "size"],
    ["an empty prompt", { prompt: "" }, "missing_required_parameter", "prompt"],
    ["a model that does not draw", { model: "omni-moderation-latest" }, "invalid_value", "model"],
  ])("rejects %s with a 400 naming the parameter", async (_name, body, code, param) => {
    const response = await generate(body);

    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ type: "invalid_request_error", code, param });
  });

  it("accepts any multiple-of-16 size for gpt-image-2 only", async () => {
    expect((await generate({ model: "gpt-image-2", size: "1536x864" })).status).toBe(200);
    expect((await generate({ model: "gpt-image-1", size: "1536x864" })).status).toBe(400);
  });

  it("answers unparsable JSON with OpenAI's parse error", async () => {
    const response = await call("/images/generations", "{not json");

    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toContain("could not parse the JSON body");
  });

  it("answers an unknown path with OpenAI's Invalid URL error", async () => {
    const response = await call("/images/variations", {});

    expect(response.status).toBe(404);
    expect((await response.json()).error.message).toBe("Invalid URL (POST /v1/images/variations)");
  });

  it("plays scripted answers in order, then succeeds", async () => {
    fake.scriptImages({ status: 429, retryAfterSeconds: 3 }, { status: 400, code: "moderation_blocked" }, { status: 502 });

    const limited = await generate({});
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await limited.json()).error).toMatchObject({ code: "rate_limit_exceeded", type: "requests" });

    const blocked = await generate({});
    expect(blocked.status).toBe(400);
    expect((await blocked.json()).error).toMatchObject({ code: "moderation_blocked", type: "image_generation_user_error" });

    const gateway = await generate({});
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get("content-type")).toContain("text/html");

    expect((await generate({})).status).toBe(200);
    expect(fake.imageRequests).toHaveLength(4);
  });

  it("scripts an exhausted quota as OpenAI words it", async () => {
    fake.scriptImages({ status: 429, code: "insufficient_quota" });
    const response = await generate({});

    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBeNull();
    expect((await response.json()).error).toMatchObject({ code: "insufficient_quota", type: "insufficient_quota" });
  });

  it("delays every successful image answer by the configured delay", async () => {
    fake.setImageDelay(120);
    const started = Date.now();

    await generate({});

    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it("ends a hanging request when it closes", async () => {
    const other = await FakeOpenAI.start();
    other.scriptImages({ hang: true });
    const pending = fetch(`${other.baseURL}/images/generations`, {
      method: "POST",
      headers: { authorization: `Bearer ${other.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-image-1", prompt: "never" }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    await other.close();

    await expect(pending).rejects.toThrow("fetch failed");
  });

  it("moderates each string of an array input with every category of the spec", async () => {
    fake.flagWords({ knife: ["violence", "illicit/violent"] });
    const body = await (await call("/moderations", { model: "omni-moderation-latest", input: ["a knife fight", "a picnic"] })).json();

    expect(body.id).toMatch(/^modr-/);
    expect(body.results).toHaveLength(2);
    expect(body.results[0]).toMatchObject({ flagged: true, categories: { violence: true, "illicit/violent": true, hate: false } });
    expect(Object.keys(body.results[1].categories)).toHaveLength(13);
    expect(body.results[1].flagged).toBe(false);
    expect(fake.moderationRequests).toHaveLength(1);
  });
});
