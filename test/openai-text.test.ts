/**
 * The text model (TEXT_MODEL) on the real `openai` SDK against the loopback OpenAI: polish and caption requests as
 * the Responses API takes them, their answers and costs, failures classified like the image calls', and the
 * start-up check of the model.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BUILT_IN_TEXT_PRICES, textCostMicroUsd } from "../src/config/text-prices.js";
import { ProviderError } from "../src/core/errors.js";
import { ALT_TEXT_MAX_LENGTH, CAPTION_SCHEMA, createOpenAITextModel, TITLE_MAX_LENGTH } from "../src/openai/index.js";
import { clip, POLISH_INSTRUCTIONS } from "../src/openai/create-openai-text-model.js";
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

const USER = "u_3f9a1c0d2b7e";

function textModel(options: { model?: string; timeoutMs?: number; apiKey?: string } = {}) {
  return createOpenAITextModel({ apiKey: options.apiKey ?? fake.apiKey, baseURL: fake.baseURL, model: options.model ?? "gpt-5.6-luna", ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
}

/** What the fake's answer to the last text request cost at the built-in prices. */
function costOfLastAnswer(usage: { input_tokens: number; output_tokens: number }, model = "gpt-5.6-luna"): number {
  return textCostMicroUsd(BUILT_IN_TEXT_PRICES, model, { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens });
}

/** The usage the fake reported, read back by calling it again with the same body. */
async function usageOf(body: unknown): Promise<{ input_tokens: number; output_tokens: number }> {
  const answer = await fetch(`${fake.baseURL}/responses`, { method: "POST", headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  return ((await answer.json()) as { usage: { input_tokens: number; output_tokens: number } }).usage;
}

describe("polishing a prompt through the Responses API", () => {
  it("sends the prompt as input beside the instructions, unstored, with the hashed member and no reasoning", async () => {
    await textModel().polish({ prompt: "a fox in the snow", user: USER });

    expect(fake.textRequests).toHaveLength(1);
    const [sent] = fake.textRequests;
    expect(sent!.body).toEqual({
      model: "gpt-5.6-luna",
      instructions: POLISH_INSTRUCTIONS,
      input: "a fox in the snow",
      store: false,
      safety_identifier: USER,
      reasoning: { effort: "none" },
      max_output_tokens: 1000,
    });
    expect(sent!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it("returns a richer prompt in the member's language that keeps their words, and what it cost", async () => {
    const polished = await textModel().polish({ prompt: "un renard dans la neige", user: USER });

    expect(polished.text.startsWith("un renard dans la neige, ")).toBe(true);
    expect(polished.text).toContain("lumière");
    expect(polished.costMicroUsd).toBe(costOfLastAnswer(await usageOf(fake.textRequests[0]!.body)));
    expect(polished.costMicroUsd).toBeGreaterThan(0);
  });

  it("sends no reasoning parameter to a model that takes none", async () => {
    const polished = await textModel({ model: "gpt-4.1-mini" }).polish({ prompt: "a fox", user: USER });

    expect(fake.textRequests[0]!.body).not.toHaveProperty("reasoning");
    expect(polished.text).toMatch(/^a fox, /);
  });
});

describe("captioning an image's prompt", () => {
  it("asks for strict JSON with a title and alt text", async () => {
    await textModel().caption({ prompt: "a lighthouse at dusk, oil painting", user: USER });

    const body = fake.textRequests[0]!.body;
    expect(body).toMatchObject({ model: "gpt-5.6-luna", input: "a lighthouse at dusk, oil painting", store: false, safety_identifier: USER, max_output_tokens: 400 });
    expect(body.text).toEqual({ format: { type: "json_schema", name: "caption", strict: true, schema: CAPTION_SCHEMA } });
  });

  it("returns a title and alt text drawn from the prompt, within their limits, and what it cost", async () => {
    const prompt = "a lighthouse at dusk on a cliff above a stormy sea, oil painting with thick brush strokes and a lonely keeper";
    const caption = await textModel().caption({ prompt, user: USER });

    expect(caption.title).toBe("a lighthouse at dusk on a cliff above");
    expect(caption.altText).toBe(`A picture of ${prompt}`);
    expect([...caption.title].length).toBeLessThanOrEqual(TITLE_MAX_LENGTH);
    expect([...caption.altText].length).toBeLessThanOrEqual(ALT_TEXT_MAX_LENGTH);
    expect(caption.costMicroUsd).toBe(costOfLastAnswer(await usageOf(fake.textRequests[0]!.body)));
  });

  it("cuts a title or alt text that runs long at a word, with an ellipsis", () => {
    const long = "The quiet keeper of the lighthouse watches the storm roll in over the black water";

    expect(clip(long, TITLE_MAX_LENGTH)).toBe("The quiet keeper of the lighthouse watches the storm roll…");
    expect([...clip(long, TITLE_MAX_LENGTH)].length).toBeLessThanOrEqual(TITLE_MAX_LENGTH);
    expect(clip("short", TITLE_MAX_LENGTH)).toBe("short");
    expect([...clip("🦊".repeat(400), ALT_TEXT_MAX_LENGTH)].length).toBe(ALT_TEXT_MAX_LENGTH);
  });
});

describe("text model failures", () => {
  it.each([
    ["a rate limit", { status: 429 as const, retryAfterSeconds: 3 }, "rate_limited"],
    ["a server error", { status: 500 as const }, "transient"],
    ["an exhausted quota", { status: 429 as const, code: "insufficient_quota" as const }, "unavailable"],
  ])("classifies %s like an image call's, after exactly one attempt", async (_name, step, kind) => {
    fake.scriptText(step);

    await expect(textModel().caption({ prompt: "a fox", user: USER })).rejects.toMatchObject({ kind });
    expect(fake.textRequests).toHaveLength(1);
  });

  it("gives up on an answer that never comes after its timeout, as a transient failure", async () => {
    fake.scriptText({ hang: true });

    await expect(textModel({ timeoutMs: 200 }).polish({ prompt: "a fox", user: USER })).rejects.toMatchObject({ kind: "transient" });
  });

  it("stops at once when the caller aborts", async () => {
    fake.scriptText({ hang: true });
    const controller = new AbortController();
    const call = textModel().caption({ prompt: "a fox", user: USER, signal: controller.signal });
    controller.abort();

    await expect(call).rejects.toMatchObject({ kind: "transient" });
  });

  it("reports a model the key cannot use as unavailable, and a wrong key without the key", async () => {
    await expect(textModel({ model: "gpt-9-nano" }).caption({ prompt: "a fox", user: USER })).rejects.toMatchObject({ kind: "unavailable" });
    const wrong = "sk-wrong-0123456789abcdef0123456789";
    const error = await textModel({ apiKey: wrong }).polish({ prompt: "a fox", user: USER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe("unavailable");
    expect(String((error as Error).message) + String((error as Error).stack)).not.toContain(wrong);
  });
});

describe("checking the configured text model", () => {
  it("accepts a model the key can use", async () => {
    await expect(textModel().checkModel("gpt-5.6-luna")).resolves.toEqual({ ok: true });
  });

  it("names the text models the key can use, not its image models, when TEXT_MODEL does not exist", async () => {
    const check = await textModel().checkModel("gpt-9-nano");

    expect(check).toEqual({
      ok: false,
      reason: "model gpt-9-nano does not exist or your organisation cannot use it; set TEXT_MODEL to one this key can use, e.g. gpt-4.1-mini, gpt-5.4-mini, gpt-5.4-nano, gpt-5.6-luna, or TEXT_MODEL=off to go without polish, titles and alt text",
    });
  });
});

describe("text prices", () => {
  it("charges USD per 1M tokens as micro-USD per token, rounded up, and an unknown model at the highest prices", () => {
    expect(textCostMicroUsd(BUILT_IN_TEXT_PRICES, "gpt-5.6-luna", { inputTokens: 150, outputTokens: 80 })).toBe(126);
    expect(textCostMicroUsd(BUILT_IN_TEXT_PRICES, "gpt-5.6-luna", { inputTokens: 1, outputTokens: 0 })).toBe(1);
    expect(textCostMicroUsd(BUILT_IN_TEXT_PRICES, "gpt-unknown", { inputTokens: 100, outputTokens: 100 })).toBe(525);
  });
});
