import { APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ProviderError } from "../src/core/errors.js";
import type { Logger } from "../src/core/ports.js";
import type { ImageSize, Quality } from "../src/core/types.js";
import {
  checkImageModel,
  classifyOpenAIError,
  createOpenAIClient,
  createOpenAIImageProvider,
  describeFlaggedCategories,
  MODERATION_CATEGORY_WORDS,
  parseRetryAfterMs,
  type OpenAILogger,
} from "../src/openai/index.js";
import { FakeOpenAI, type ImageStep } from "./support/openai/fake-openai.js";
import { MODERATION_CATEGORIES } from "./support/openai/fake-openai-moderation.js";

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

const request = (overrides: Partial<{ prompt: string; model: string; size: ImageSize; quality: Quality; user: string; signal: AbortSignal }> = {}) => ({
  prompt: "a lighthouse at dusk, oil painting",
  model: "gpt-image-2",
  size: "1024x1024" as ImageSize,
  quality: "low" as Quality,
  user: "u_3f9a1c0d2b7e",
  ...overrides,
});

function provider(options: { timeoutMs?: number; apiKey?: string; logger?: OpenAILogger } = {}) {
  return createOpenAIImageProvider({ apiKey: options.apiKey ?? fake.apiKey, baseURL: fake.baseURL, timeoutMs: options.timeoutMs, logger: options.logger });
}

/** True when neither the error nor anything it carries (message, stack, cause, body) holds the key. */
function keepsKeySecret(key: string) {
  return (error: unknown): boolean => {
    const cause = (error as { cause?: unknown }).cause as { message?: string; stack?: string; error?: unknown } | undefined;
    const texts = [
      String((error as Error).message),
      String((error as Error).stack),
      String(cause?.message),
      String(cause?.stack),
      JSON.stringify(cause?.error ?? null),
      JSON.stringify(error),
    ];
    return error instanceof ProviderError && texts.every((text) => !text.includes(key));
  };
}

function recordingLogger() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, logger: { debug: at("debug"), warn: at("warn"), error: at("error") } satisfies OpenAILogger };
}

describe("generating images through the openai SDK", () => {
  it.each(["1024x1024", "1024x1536", "1536x1024"] as const)("returns a PNG that decodes to the requested size %s", async (size) => {
    const image = await provider().generate(request({ size }));

    expect(image.mimeType).toBe("image/png");
    const metadata = await sharp(image.bytes).metadata();
    expect(metadata).toMatchObject({ format: "png", width: Number(size.split("x")[0]), height: Number(size.split("x")[1]) });
  });

  it("sends exactly the gpt-image parameters, the hashed user and the key as a bearer token", async () => {
    await provider().generate(request({ quality: "high", size: "1536x1024" }));

    expect(fake.imageRequests).toHaveLength(1);
    const [sent] = fake.imageRequests;
    expect(sent!.body).toEqual({
      model: "gpt-image-2",
      prompt: "a lighthouse at dusk, oil painting",
      size: "1536x1024",
      quality: "high",
      n: 1,
      user: "u_3f9a1c0d2b7e",
      output_format: "png",
    });
    expect(sent!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it("makes exactly one attempt: a server error is not retried by the SDK", async () => {
    fake.scriptImages({ status: 500 });

    await expect(provider().generate(request())).rejects.toMatchObject({ kind: "transient" });
    expect(fake.imageRequests).toHaveLength(1);
  });

  it("waits for a slow answer within the timeout", async () => {
    fake.scriptImages({ delayMs: 150 });

    const image = await provider({ timeoutMs: 5000 }).generate(request());

    expect(image.bytes.length).toBeGreaterThan(0);
  });

  it("logs a successful generation at debug level with the request id and usage", async () => {
    const { lines, logger } = recordingLogger();

    await provider({ logger }).generate(request());

    expect(lines).toEqual([
      expect.objectContaining({ level: "debug", message: "OpenAI image generated", fields: expect.objectContaining({ requestId: expect.stringMatching(/^req_/), usage: expect.objectContaining({ output_tokens: 272 }) }) }),
    ]);
  });
});

describe("moderating prompts", () => {
  it("flags a prompt containing a flagged word and names its categories in words", async () => {
    fake.flagWords({ gore: ["violence", "violence/graphic"] });

    await expect(provider().moderate("A battlefield covered in GORE")).resolves.toEqual({
      flagged: true,
      categories: ["violence", "graphic violence"],
    });
    expect(fake.moderationRequests.at(-1)!.body).toEqual({ model: "omni-moderation-latest", input: "A battlefield covered in GORE" });
  });

  it("passes a prompt without flagged words", async () => {
    fake.flagWords({ gore: ["violence"] });

    await expect(provider().moderate("a gorgeous sunrise over the sea")).resolves.toEqual({ flagged: false, categories: [] });
  });

  it("names every moderation category of the spec in words", () => {
    expect(Object.keys(MODERATION_CATEGORY_WORDS).sort()).toEqual([...MODERATION_CATEGORIES].sort());
    expect(MODERATION_CATEGORY_WORDS).toMatchObject({
      "violence/graphic": "graphic violence",
      "self-harm/intent": "self-harm intent",
      "sexual/minors": "sexual content involving minors",
      "harassment/threatening": "threatening harassment",
      hate: "hate",
      "illicit/violent": "violent illicit activity",
    });
    for (const words of Object.values(MODERATION_CATEGORY_WORDS)) expect(words).not.toContain("/");
  });

  it("describes a category the table does not know yet by its spaced-out name", () => {
    expect(describeFlaggedCategories({ "weapons/instructions": true, hate: true, sexual: false, illicit: null })).toEqual([
      "hate",
      "weapons instructions",
    ]);
  });

  it("classifies a failed moderation call like a failed generation", async () => {
    fake.scriptModerations({ status: 429, retryAfterSeconds: 2 });

    await expect(provider().moderate("a cat")).rejects.toMatchObject({ kind: "rate_limited", details: { retryAfterMs: 2000 } });
  });
});

describe("classifying what OpenAI answers", () => {
  const cases: [string, ImageStep, object][] = [
    ["a moderation_blocked refusal is a safety failure", { status: 400, code: "moderation_blocked" }, { kind: "safety", details: { status: 400, providerCode: "moderation_blocked" } }],
    ["a content_policy_violation refusal is a safety failure", { status: 400, code: "content_policy_violation" }, { kind: "safety", details: { status: 400, providerCode: "content_policy_violation" } }],
    ["an exhausted quota (429 insufficient_quota) is unavailable, not a rate limit", { status: 429, code: "insufficient_quota" }, { kind: "unavailable", details: { status: 429, providerCode: "insufficient_quota" } }],
    ["a rate limit waits the retry-after seconds", { status: 429, retryAfterSeconds: 7 }, { kind: "rate_limited", details: { status: 429, retryAfterMs: 7000 } }],
    ["a rate limit without retry-after waits one second", { status: 429 }, { kind: "rate_limited", details: { retryAfterMs: 1000 } }],
    ["a rate limit prefers retry-after-ms", { status: 429, retryAfterSeconds: 9, headers: { "retry-after-ms": "1250" } }, { kind: "rate_limited", details: { retryAfterMs: 1250 } }],
    ["a 500 is transient", { status: 500 }, { kind: "transient", details: { status: 500 } }],
    ["a 502 HTML page from a gateway is transient", { status: 502 }, { kind: "transient", details: { status: 502 } }],
    ["a 503 is transient", { status: 503 }, { kind: "transient", details: { status: 503 } }],
    ["a 403 (organisation not verified) is unavailable", { status: 403 }, { kind: "unavailable", details: { status: 403 } }],
    ["another 400 is rejected", { status: 400, error: { message: "Invalid value: 'huge'.", param: "size", code: "invalid_value" } }, { kind: "rejected", details: { status: 400, providerCode: "invalid_value" } }],
    ["a 400 about the model is unavailable", { status: 400, error: { message: "Invalid value: 'gpt-image-9'.", param: "model", code: "invalid_value" } }, { kind: "unavailable" }],
    ["a billing hard limit is unavailable", { status: 400, error: { message: "Billing hard limit has been reached", type: "invalid_request_error", code: "billing_hard_limit_reached" } }, { kind: "unavailable" }],
  ];

  it.each(cases)("%s", async (_name, step, expected) => {
    fake.scriptImages(step);

    await expect(provider().generate(request())).rejects.toMatchObject(expected);
  });

  it("reads a retry-after HTTP date as the time left until it", async () => {
    fake.scriptImages({ status: 429, headers: { "retry-after": new Date(Date.now() + 5000).toUTCString() } });

    await expect(provider().generate(request())).rejects.toSatisfy(
      (error: ProviderError) => error.kind === "rate_limited" && error.details.retryAfterMs! > 3000 && error.details.retryAfterMs! <= 5000,
    );
  });

  it("reports a model this organisation does not have (404) as unavailable", async () => {
    await expect(provider().generate(request({ model: "gpt-image-9" }))).rejects.toMatchObject({
      kind: "unavailable",
      details: { status: 404, providerCode: "model_not_found" },
    });
  });

  it("reports a wrong API key (401) as unavailable", async () => {
    await expect(provider({ apiKey: "sk-wrong-0123456789abcdef0123" }).generate(request())).rejects.toMatchObject({
      kind: "unavailable",
      details: { status: 401, providerCode: "invalid_api_key" },
    });
  });

  it("gives up on a request that never answers after timeoutMs, as a transient failure", async () => {
    fake.scriptImages({ hang: true });
    const started = Date.now();

    await expect(provider({ timeoutMs: 200 }).generate(request())).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/in time/) });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("gives up on an answer whose body stops half-way after timeoutMs, as a transient failure", async () => {
    fake.scriptImages({ stall: true });

    await expect(provider({ timeoutMs: 200 }).generate(request())).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/in time/) });
  });

  it("stops at once when the caller aborts, as a transient failure", async () => {
    fake.scriptImages({ delayMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    await expect(provider().generate(request({ signal: controller.signal }))).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/cancelled/) });
  });

  it("reports an unreachable server as transient", async () => {
    const gone = await FakeOpenAI.start();
    await gone.close();
    const unreachable = createOpenAIImageProvider({ apiKey: gone.apiKey, baseURL: gone.baseURL });

    await expect(unreachable.generate(request())).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it("never puts the API key in a thrown error, its stack or its cause", async () => {
    const secretKeeper = keepsKeySecret(fake.apiKey);
    const steps: ImageStep[] = [
      { status: 400, code: "moderation_blocked" },
      { status: 429, code: "insufficient_quota" },
      { status: 429, retryAfterSeconds: 1 },
      { status: 403 },
      { status: 502 },
      // A proxy that echoes the key back must not leak it either.
      { status: 400, error: { message: `Bad request sent with key ${fake.apiKey}` } },
      { status: 401, error: { message: `Authorization: Bearer ${fake.apiKey} is not valid` } },
      { hang: true },
    ];
    fake.scriptImages(...steps);
    const subject = provider({ timeoutMs: 200 });

    for (const _step of steps) await expect(subject.generate(request())).rejects.toSatisfy(secretKeeper);
    await expect(subject.generate(request({ model: "gpt-image-9" }))).rejects.toSatisfy(secretKeeper);
  });

  it("redacts a key the server echoed and keeps the rest of its message", async () => {
    fake.scriptImages({ status: 400, error: { message: `Bad request sent with key ${fake.apiKey}` } });

    await expect(provider().generate(request())).rejects.toMatchObject({ kind: "rejected", message: expect.stringContaining("Bad request sent with key [redacted]") });
  });

  it("warns the operator's log when OpenAI is unavailable, without the key", async () => {
    const { lines, logger } = recordingLogger();
    fake.scriptImages({ status: 429, code: "insufficient_quota" });

    await expect(provider({ logger }).generate(request())).rejects.toMatchObject({ kind: "unavailable" });
    expect(lines).toEqual([expect.objectContaining({ level: "warn", fields: expect.objectContaining({ kind: "unavailable", requestId: expect.stringMatching(/^req_/) }) })]);
    expect(JSON.stringify(lines)).not.toContain(fake.apiKey);
  });
});

describe("classifyOpenAIError", () => {
  const apiError = (status: number, error: object, headers: Record<string, string> = {}) =>
    APIError.generate(status, { error: { message: "x", type: "invalid_request_error", param: null, code: null, ...error } }, undefined, new Headers(headers));
  const now = Date.parse("2026-11-25T10:00:00Z");

  it.each([
    ["retry-after-ms", { "retry-after-ms": "1500" }, 1500],
    ["retry-after in seconds", { "retry-after": "3" }, 3000],
    ["retry-after in fractional seconds", { "retry-after": "0.5" }, 500],
    ["retry-after as an HTTP date", { "retry-after": "Wed, 25 Nov 2026 10:00:12 GMT" }, 12_000],
    ["retry-after as a date already past", { "retry-after": "Wed, 25 Nov 2026 09:59:00 GMT" }, 0],
    ["OpenAI's reset duration when retry-after is missing", { "x-ratelimit-reset-requests": "6m0s" }, 360_000],
    ["the default when the header is unreadable", { "retry-after": "soon" }, 1000],
    ["the default when no header says anything", {}, 1000],
  ])("takes the wait of a 429 from %s", (_name, headers, expected) => {
    const error = classifyOpenAIError(apiError(429, { code: "rate_limit_exceeded" }, headers), { now: () => now });

    expect(error).toMatchObject({ kind: "rate_limited", details: { retryAfterMs: expected } });
  });

  it.each([
    ["a fetch aborted by a timeout", new DOMException("no answer within 200 ms", "TimeoutError"), "transient"],
    ["a fetch aborted", new DOMException("This operation was aborted", "AbortError"), "transient"],
    ["the SDK's connection timeout", new APIConnectionTimeoutError(), "transient"],
    ["the SDK's user abort", new APIUserAbortError(), "transient"],
    ["a 408 request timeout", apiError(408, {}), "transient"],
    ["a 422", apiError(422, {}), "rejected"],
    ["a 413 payload too large", apiError(413, {}), "rejected"],
    ["a 404 model_not_found", apiError(404, { code: "model_not_found" }), "unavailable"],
    ["a 401", apiError(401, { code: "invalid_api_key" }), "unavailable"],
    ["a 429 whose type is insufficient_quota", apiError(429, { type: "insufficient_quota" }), "unavailable"],
    ["a 504", apiError(504, {}), "transient"],
    ["an unexpected error", new TypeError("Cannot read properties of undefined"), "transient"],
  ])("classifies %s", (_name, error, kind) => {
    expect(classifyOpenAIError(error)).toMatchObject({ kind });
  });

  it("returns a ProviderError unchanged", () => {
    const original = new ProviderError("safety", "already classified");

    expect(classifyOpenAIError(original)).toBe(original);
  });

  it("redacts the given secrets and key-shaped text from the message, the stack and the cause", () => {
    const key = "sk-proj-abcdefghijklmnopqrstuvwxyz012345";
    const error = classifyOpenAIError(apiError(400, { message: `Your key ${key} and sk-other-zyxwvutsrqponmlkjihg leaked` }), { secrets: [key] });

    expect(error.message).toContain("Your key [redacted] and sk-[redacted] leaked");
    expect(keepsKeySecret(key)(error)).toBe(true);
    expect(error.stack).not.toContain("sk-other-zyxwvutsrqponmlkjihg");
  });

  it("keeps the SDK error as the cause when it holds no secret", () => {
    const original = apiError(500, { message: "The server had an error" });

    expect(classifyOpenAIError(original, { secrets: ["sk-secret-key"] }).cause).toBe(original);
  });
});

describe("parseRetryAfterMs", () => {
  it("reads Go-style durations and plain headers objects", () => {
    expect(parseRetryAfterMs({ "X-RateLimit-Reset-Tokens": "1m2.5s" })).toBe(62_500);
    expect(parseRetryAfterMs({ "x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "2s" })).toBe(2000);
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
  });
});

describe("checking the configured image model", () => {
  it("accepts a model the organisation can use", async () => {
    await expect(provider().checkModel("gpt-image-2")).resolves.toEqual({ ok: true });
  });

  it("explains a model that does not exist or needs a verified organisation", async () => {
    await expect(checkImageModel(provider(), "gpt-image-9")).resolves.toEqual({
      ok: false,
      reason:
        "model gpt-image-9 does not exist or your organisation cannot use it (gpt-image models need a verified organisation); set IMAGE_MODEL to one this key can use: gpt-image-1, gpt-image-2",
    });
  });

  it("works on a bare client too", async () => {
    const client = createOpenAIClient({ apiKey: fake.apiKey, baseURL: fake.baseURL });

    await expect(checkImageModel(client, "gpt-image-1")).resolves.toEqual({ ok: true });
  });

  it("refuses a model that is not a GPT image model", async () => {
    await expect(provider().checkModel("dall-e-3")).resolves.toMatchObject({ ok: false, reason: expect.stringContaining("not a GPT image model") });
  });

  it("says when the key is wrong, without the key", async () => {
    const wrongKey = "sk-wrong-0123456789abcdef0123";
    const check = await provider({ apiKey: wrongKey }).checkModel("gpt-image-2");

    expect(check).toEqual({ ok: false, reason: "OpenAI rejected the API key (401): check OPENAI_API_KEY" });
  });

  it("says when OpenAI cannot be reached", async () => {
    const gone = await FakeOpenAI.start();
    await gone.close();

    await expect(createOpenAIImageProvider({ apiKey: gone.apiKey, baseURL: gone.baseURL }).checkModel("gpt-image-2")).resolves.toMatchObject({
      ok: false,
      reason: expect.stringContaining(`could not reach OpenAI at ${gone.baseURL}`),
    });
  });
});

describe("configuration", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("refuses an empty API key with a fix-it message", () => {
    expect(() => createOpenAIImageProvider({ apiKey: "" })).toThrow("set OPENAI_API_KEY");
  });

  it("turns the SDK's retries off and never reads the base URL or organisation from the environment", () => {
    vi.stubEnv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1");
    vi.stubEnv("OPENAI_ORG_ID", "org-from-env");

    const client = createOpenAIClient({ apiKey: "sk-test" });

    expect(client.maxRetries).toBe(0);
    expect(client.baseURL).toBe("https://api.openai.com/v1");
    expect(client.organization).toBeNull();
  });

  it("accepts the core's logger", () => {
    const coreLogger = {} as Logger;
    const logger: OpenAILogger = coreLogger;

    expect(logger).toBe(coreLogger);
  });
});
