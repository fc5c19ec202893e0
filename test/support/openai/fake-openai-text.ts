/**
 * The fake's text endpoint, `POST /v1/responses` (OpenAI's Responses API, non-streaming), as Salon's text model uses
 * it. Requests are checked against the `CreateResponse` schema of OpenAI's published spec (openai/openai-openapi
 * @ f85dbe2): unknown parameters, a missing model, an input that is neither a string nor a list of items, a
 * `text.format` that is not `text`, `json_object` or a well-formed `json_schema` (strict schemas need every property
 * required and `additionalProperties: false`, as the API insists) and a `max_output_tokens` under 16 are refused
 * with OpenAI's error shapes. Answers are `Response` objects with an `output` message and `usage`.
 *
 * What it writes: with a `json_schema` format whose properties are `title` and `alt_text` (a caption), a title and
 * alt text drawn from the prompt; otherwise (a polish) the prompt itself, every word kept, followed by detail in the
 * prompt's own language (English, French, Spanish, German or Japanese, guessed from its words and script).
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { errorAnswer, invalidJSON, invalidValue, missingParameter, modelNotFound, unknownParameter, type ErrorAnswer } from "./fake-openai-errors.js";
import { playStep, type ImageStep } from "./fake-openai.js";

/** The text models the fake lists and answers with, beside the image and moderation models. */
export const TEXT_MODELS = ["gpt-5.6-luna", "gpt-5.4-nano", "gpt-5.4-mini", "gpt-4.1-mini"];

/** Every property of the spec's `CreateResponse` (CreateModelResponseProperties, ResponseProperties and its own). */
const RESPONSE_PARAMETERS = new Set([
  "background", "context_management", "conversation", "include", "input", "instructions", "max_output_tokens",
  "max_tool_calls", "metadata", "model", "moderation", "parallel_tool_calls", "previous_response_id", "prompt",
  "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier",
  "store", "stream", "stream_options", "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p",
  "truncation", "user",
]);
const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"];
const SCHEMA_NAME = /^[A-Za-z0-9_-]{1,64}$/;

type Answer = ErrorAnswer | { status: 200; body: unknown };

export interface TextContext {
  step: ImageStep | undefined;
  res: ServerResponse;
  body: any;
  models: readonly string[];
  /** Waits unless the client goes away first; true when the answer should still be written. */
  sleep: (ms: number) => Promise<boolean>;
}

/** What `POST /v1/responses` answers: a scripted step, a validation error, or a response. `null` means hang. */
export async function answerText({ step, res, body, models, sleep }: TextContext): Promise<Answer | null> {
  const model = typeof body?.model === "string" ? body.model : "gpt-5.6-luna";
  const scripted = await playStep(step, res, model, sleep);
  if (scripted !== "answer") return scripted;
  const invalid = validateResponseRequest(body, models);
  if (invalid) return invalid;
  const input = inputText(body.input) ?? "";
  const format = body.text?.format;
  const caption = format?.type === "json_schema" && isCaptionSchema(format.schema);
  const text = caption ? JSON.stringify(captionOf(input)) : polishOf(input);
  return { status: 200, body: responseObject(body, model, text, `${body.instructions ?? ""}${input}`) };
}

function validateResponseRequest(body: any, models: readonly string[]): ErrorAnswer | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return invalidJSON();
  for (const name of Object.keys(body)) if (!RESPONSE_PARAMETERS.has(name)) return unknownParameter(name);
  if (body.model === undefined) return missingParameter("model");
  if (typeof body.model !== "string" || !models.includes(body.model)) return modelNotFound(String(body.model));
  if (body.stream === true) return invalidValue("stream", true);
  if (body.input === undefined && body.prompt === undefined && body.previous_response_id === undefined) return missingParameter("input");
  if (inputText(body.input) === null) return invalidValue("input", JSON.stringify(body.input).slice(0, 80));
  if (body.instructions != null && typeof body.instructions !== "string") return invalidType("instructions", "a string");
  for (const name of ["store", "background", "parallel_tool_calls"]) if (body[name] != null && typeof body[name] !== "boolean") return invalidType(name, "a boolean");
  for (const name of ["safety_identifier", "user", "prompt_cache_key"]) if (body[name] != null && typeof body[name] !== "string") return invalidType(name, "a string");
  if (typeof body.safety_identifier === "string" && body.safety_identifier.length > 64) return stringTooLong("safety_identifier", 64, body.safety_identifier.length);
  if (body.max_output_tokens != null) {
    if (!Number.isInteger(body.max_output_tokens)) return invalidType("max_output_tokens", "an integer");
    if (body.max_output_tokens < 16) {
      return errorAnswer(400, { message: `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${body.max_output_tokens} instead.`, param: "max_output_tokens", code: "integer_below_min_value" });
    }
  }
  if (body.reasoning != null) {
    if (typeof body.reasoning !== "object") return invalidType("reasoning", "an object");
    if (body.reasoning.effort != null && !REASONING_EFFORTS.includes(body.reasoning.effort)) return invalidValue("reasoning.effort", body.reasoning.effort, REASONING_EFFORTS);
    if (!/^(gpt-5|o\d)/.test(body.model)) {
      return errorAnswer(400, { message: `Unsupported parameter: 'reasoning.effort' is not supported with this model.`, param: "reasoning.effort", code: "unsupported_parameter" });
    }
  }
  if (body.temperature != null && /^(gpt-5|o\d)/.test(body.model)) {
    return errorAnswer(400, { message: "Unsupported parameter: 'temperature' is not supported with this model.", param: "temperature", code: "unsupported_parameter" });
  }
  return body.text == null ? null : validateTextParam(body.text);
}

function validateTextParam(text: any): ErrorAnswer | null {
  if (typeof text !== "object") return invalidType("text", "an object");
  for (const name of Object.keys(text)) if (name !== "format" && name !== "verbosity") return unknownParameter(`text.${name}`);
  if (text.verbosity != null && !["low", "medium", "high"].includes(text.verbosity)) return invalidValue("text.verbosity", text.verbosity, ["low", "medium", "high"]);
  const format = text.format;
  if (format == null) return null;
  if (!["text", "json_object", "json_schema"].includes(format.type)) return invalidValue("text.format.type", format.type, ["text", "json_object", "json_schema"]);
  if (format.type !== "json_schema") return null;
  for (const name of Object.keys(format)) if (!["type", "name", "schema", "strict", "description"].includes(name)) return unknownParameter(`text.format.${name}`);
  if (format.name === undefined) return missingParameter("text.format.name");
  if (typeof format.name !== "string" || !SCHEMA_NAME.test(format.name)) return invalidValue("text.format.name", format.name);
  if (format.schema === undefined) return missingParameter("text.format.schema");
  if (typeof format.schema !== "object" || format.schema === null) return invalidType("text.format.schema", "an object");
  if (format.strict === true) return strictSchemaProblem(format.schema, "text.format.schema");
  return null;
}

/** Structured Outputs' strict mode: objects list every property as required and allow no others. */
function strictSchemaProblem(schema: any, where: string): ErrorAnswer | null {
  if (schema?.type !== "object") return null;
  const properties = Object.keys(schema.properties ?? {});
  const required: unknown[] = Array.isArray(schema.required) ? schema.required : [];
  const problem = (message: string) => errorAnswer(400, { message: `Invalid schema for response_format 'caption': In context=(), ${message}`, param: where, code: "invalid_json_schema" });
  if (schema.additionalProperties !== false) return problem("'additionalProperties' is required to be supplied and to be false.");
  const missing = properties.find((name) => !required.includes(name));
  if (missing) return problem(`'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`);
  for (const name of properties) {
    const nested = strictSchemaProblem(schema.properties[name], `${where}.${name}`);
    if (nested) return nested;
  }
  return null;
}

/** The text of an input: a string, or the text parts of a list of message items; null when it is neither. */
function inputText(input: unknown): string | null {
  if (input === undefined) return "";
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return null;
  const texts: string[] = [];
  for (const item of input) {
    const content = item?.content;
    if (typeof content === "string") texts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) if (part?.type === "input_text" && typeof part.text === "string") texts.push(part.text);
    } else return null;
  }
  return texts.join("\n");
}

function isCaptionSchema(schema: any): boolean {
  const properties = Object.keys(schema?.properties ?? {});
  return properties.includes("title") && properties.includes("alt_text");
}

type Language = "en" | "fr" | "es" | "de" | "ja";

const LANGUAGE_WORDS: Record<Exclude<Language, "ja" | "en">, RegExp> = {
  fr: /\b(le|la|les|un|une|des|du|au|aux|et|sur|dans|avec|sous)\b/i,
  es: /\b(el|los|las|una|unos|y|con|en|sobre|del)\b/i,
  de: /\b(der|die|das|ein|eine|und|mit|im|auf|unter)\b/i,
};

/** A guess that is good enough for a fake: the script first, then the commonest little words. */
export function languageOf(text: string): Language {
  if (/[\u3040-\u30ff\u4e00-\u9faf]/.test(text)) return "ja";
  const scores = Object.entries(LANGUAGE_WORDS).map(([lang, words]) => [lang, (text.match(new RegExp(words.source, "gi")) ?? []).length] as const);
  const [best, score] = scores.sort((a, b) => b[1] - a[1])[0]!;
  return score > 0 ? (best as Language) : "en";
}

const POLISH_DETAIL: Record<Language, string> = {
  en: ", in soft golden-hour light, rich colours and fine detail, a balanced composition with depth, painterly texture",
  fr: ", dans une douce lumière dorée, des couleurs riches et des détails fins, une composition équilibrée et profonde",
  es: ", con una suave luz dorada, colores ricos y detalles finos, una composición equilibrada y con profundidad",
  de: ", in weichem goldenem Licht, mit satten Farben und feinen Details, ausgewogene Komposition mit Tiefe",
  ja: "、柔らかな黄金色の光、豊かな色彩と繊細なディテール、奥行きのあるバランスの取れた構図",
};

/** The member's prompt, every word kept, with detail added in its own language. */
export function polishOf(prompt: string): string {
  return `${prompt.trim().replace(/[.!。]+$/u, "")}${POLISH_DETAIL[languageOf(prompt)]}`;
}

const ALT_LEAD: Record<Language, string> = {
  en: "A picture of",
  fr: "Une image de",
  es: "Una imagen de",
  de: "Ein Bild von",
  ja: "画像：",
};

/** A title from the prompt's first words, and alt text that says what the prompt asked for. */
export function captionOf(prompt: string): { title: string; alt_text: string } {
  const words = prompt.trim().replace(/\s+/g, " ").split(" ");
  let title = "";
  for (const word of words) {
    const next = title ? `${title} ${word}` : word;
    if ([...next].length > 40) break;
    title = next;
  }
  // A title does not end on a dangling little word ("…, in"), nor on punctuation.
  while (/\s(?:a|an|the|in|on|at|of|with|and|by|to|for|from)$/iu.test(title)) title = title.replace(/\s\S+$/u, "");
  title = (title || [...prompt.trim()].slice(0, 40).join("")).replace(/[,.;:!?]+$/u, "");
  const lead = ALT_LEAD[languageOf(prompt)];
  const alt = `${lead} ${prompt.trim()}`;
  return { title, alt_text: [...alt].length > 300 ? `${[...alt].slice(0, 299).join("")}…` : alt };
}

/** OpenAI's `Response` object for a completed, non-streamed answer. */
function responseObject(body: any, model: string, text: string, read: string) {
  const inputTokens = Math.max(1, Math.ceil(read.length / 4));
  const outputTokens = Math.max(1, Math.ceil(text.length / 4));
  const now = Math.floor(Date.now() / 1000);
  return {
    id: `resp_${randomBytes(24).toString("hex")}`,
    object: "response",
    created_at: now,
    completed_at: now,
    status: "completed",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: model === "gpt-5.6-luna" ? "gpt-5.6-luna-2026-07-08" : model,
    output: [
      {
        id: `msg_${randomBytes(24).toString("hex")}`,
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
      },
    ],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: "default",
    store: body.store ?? true,
    temperature: 1,
    text: { format: body.text?.format ?? { type: "text" }, verbosity: body.text?.verbosity ?? "medium" },
    tool_choice: "auto",
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: "disabled",
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
    metadata: {},
  };
}

function invalidType(param: string, expected: string): ErrorAnswer {
  return errorAnswer(400, { message: `Invalid type for '${param}': expected ${expected}.`, param, code: "invalid_type" });
}

function stringTooLong(param: string, max: number, length: number): ErrorAnswer {
  return errorAnswer(400, {
    message: `Invalid '${param}': string too long. Expected a string with maximum length ${max}, but got a string with length ${length} instead.`,
    param,
    code: "string_above_max_length",
  });
}
