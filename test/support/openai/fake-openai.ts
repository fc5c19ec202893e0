/**
 * A loopback OpenAI for tests: a node:http server speaking the wire protocol of the endpoints Salon uses
 * (POST /v1/images/generations, POST /v1/moderations (text and images), POST /v1/responses, GET /v1/models, GET /v1/models/{model}), so that the real
 * `openai` SDK can be exercised end to end. Answers follow OpenAI's OpenAPI spec; failures can be scripted.
 *
 * ```ts
 * const openai = await FakeOpenAI.start();
 * const client = new OpenAI({ apiKey: openai.apiKey, baseURL: openai.baseURL, maxRetries: 0 });
 * openai.scriptImages({ status: 429, retryAfterSeconds: 2 }, { hang: true });
 * ```
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  errorAnswer,
  incorrectKey,
  insufficientQuota,
  invalidJSON,
  invalidURL,
  invalidValue,
  missingKey,
  missingParameter,
  modelNotFound,
  organisationNotVerified,
  rateLimited,
  safetyRefusal,
  serverError,
  unknownParameter,
  type ErrorAnswer,
  type OpenAIErrorBody,
} from "./fake-openai-errors.js";
import { colourOf, parseSize, renderImage, usageOf, type OutputFormat } from "./fake-openai-images.js";
import { ImageFlags, imagesOf, type ModeratedImage } from "./fake-openai-image-moderation.js";
import { MODERATION_MODELS, moderationResponse, textsOf } from "./fake-openai-moderation.js";
import { streamImage, type StreamStep } from "./fake-openai-stream.js";
import { answerText, TEXT_MODELS } from "./fake-openai-text.js";
import { answerEdit, parseEditRequest, readRawBody, type RecordedEdit } from "./fake-openai-edits.js";

/** One scripted answer to an image (or moderation) request. */
export type ImageStep =
  /** Rate limited; `retryAfterSeconds` becomes a `retry-after` header, `headers` are added as they are. */
  | { status: 429; retryAfterSeconds?: number; code?: string; headers?: Record<string, string> }
  | { status: 429; code: "insufficient_quota" }
  | { status: 500 | 502 | 503 }
  /** The provider's safety system refused the prompt. */
  | { status: 400; code: "moderation_blocked" | "content_policy_violation" }
  /** The organisation is not verified for the model. */
  | { status: 403 }
  /** Any other error answer, as written. */
  | { status: number; error: Partial<OpenAIErrorBody> & { message: string }; headers?: Record<string, string> }
  /** Success, after a delay. */
  | { delayMs: number }
  /** Success once the promise resolves (a test decides when the image comes back). */
  | { until: Promise<unknown> }
  /** Never answers (until the client gives up or the fake closes), for timeouts. */
  | { hang: true }
  /** Sends the success headers and the start of the body, then nothing more: a timeout while reading the body. */
  | { stall: true };

export interface RecordedRequest {
  body: any;
  /** `Date.now()` when the request arrived. */
  at: number;
  headers: Record<string, string>;
}

export interface FakeOpenAIOptions {
  /** The only key accepted as `Authorization: Bearer <key>`; a random `sk-fake-…` key by default. */
  apiKey?: string;
  /**
   * Models this organisation can use, listed by GET /v1/models and accepted by the image endpoint.
   * Moderation models are always accepted, as they are for every real organisation.
   */
  models?: string[];
  /** Announced shutdown dates (`YYYY-MM-DD`) by model id, answered as the model object's `shutdown_date`. */
  shutdownDates?: Record<string, string>;
}

const DEFAULT_MODELS = ["gpt-image-2", "gpt-image-1", "omni-moderation-latest", ...TEXT_MODELS];

const IMAGE_PARAMETERS = new Set([
  "prompt", "model", "n", "quality", "response_format", "output_format", "output_compression", "stream",
  "partial_images", "size", "moderation", "background", "style", "user",
]);
/** Parameters the API only takes for DALL·E models: GPT image models refuse them. */
const DALL_E_ONLY = new Set(["response_format", "style"]);
const QUALITIES = ["low", "medium", "high", "auto"];
const OUTPUT_FORMATS = ["png", "jpeg", "webp"];
const BACKGROUNDS = ["transparent", "opaque", "auto"];
const MODERATION_LEVELS = ["low", "auto"];

/**
 * Plays a scripted step before an answer: null when no answer is to be sent (a hang, or the connection closed while it
 * waited), a scripted error, or "answer" once a delay or a promise is over (and when there is no step).
 */
export async function playStep(step: ImageStep | undefined, res: ServerResponse, model: string, sleep: (ms: number) => Promise<boolean>): Promise<Answer | null | "answer"> {
  if (!step) return "answer";
  if ("hang" in step) return null;
  if ("stall" in step) return stall(res);
  if ("delayMs" in step) return (await sleep(step.delayMs)) ? "answer" : null;
  if ("until" in step) {
    await step.until;
    return res.destroyed ? null : "answer";
  }
  return scriptedError(step, model);
}

export class FakeOpenAI {
  readonly baseURL: string;
  readonly apiKey: string;
  readonly imageRequests: RecordedRequest[] = [];
  readonly moderationRequests: { body: any; at: number }[] = [];
  /** The moderation requests of prompts: those without an image part (the checks of finished images left out). */
  get promptModerations(): { body: any; at: number }[] {
    return this.moderationRequests.filter((r) => !(Array.isArray(r.body?.input) && r.body.input.some((part: any) => part?.type === "image_url")));
  }
  /** The images /v1/moderations was asked to check (decoded bytes), with the texts sent along, in order. */
  readonly imageModerations: Array<ModeratedImage & { texts: string[]; at: number }> = [];
  /** Requests to the text endpoint (POST /v1/responses: polish and captions). */
  readonly textRequests: RecordedRequest[] = [];
  /** POST /v1/images/edits (remixes), with the uploaded images' bytes (fake-openai-edits.ts). */
  readonly editRequests: RecordedEdit[] = [];
  readonly #editSteps: ImageStep[] = [];

  readonly #server: Server;
  readonly #models: string[];
  readonly #shutdownDates: Record<string, string>;
  readonly #flagWords = new Map<string, string[]>();
  readonly #imageFlags = new ImageFlags();
  readonly #imageSteps: ImageStep[] = [];
  readonly #moderationSteps: ImageStep[] = [];
  readonly #streamSteps: StreamStep[] = [];
  readonly #textSteps: ImageStep[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #imageDelayMs = 0;

  private constructor(server: Server, options: FakeOpenAIOptions) {
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.baseURL = `http://127.0.0.1:${port}/v1`;
    this.apiKey = options.apiKey ?? `sk-fake-${randomBytes(18).toString("hex")}`;
    this.#models = [...(options.models ?? DEFAULT_MODELS)];
    this.#shutdownDates = { ...options.shutdownDates };
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, errorAnswer(500, { message: `fake-openai: ${String(error)}`, type: "server_error" }));
      });
    });
  }

  static async start(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return new FakeOpenAI(server, options);
  }

  /** Prompts containing any of these words are flagged by /v1/moderations with these categories (e.g. { "gore": ["violence", "violence/graphic"] }). */
  flagWords(map: Record<string, string[]>): void {
    for (const [word, categories] of Object.entries(map)) this.#flagWords.set(word, categories);
  }

  /**
   * Images this fake drew from prompts containing any of these words are flagged by /v1/moderations with these
   * categories (only those omni-moderation scores from images, e.g. { "ketchup": ["violence/graphic"] }); the prompt
   * text itself is not flagged by them.
   */
  flagImages(map: Record<string, string[]>): void {
    this.#imageFlags.flag(map);
  }

  /** Queues scripted answers for the next image requests, consumed in order; afterwards normal success. */
  scriptImages(...steps: ImageStep[]): void {
    this.#imageSteps.push(...steps);
  }

  /** Queues how the next streamed image answers (`stream: true`) go, consumed in order after any `scriptImages` step. */
  scriptStreams(...steps: StreamStep[]): void {
    this.#streamSteps.push(...steps);
  }

  /** Queues scripted answers for the next moderation requests, consumed in order; afterwards normal answers. */
  scriptModerations(...steps: ImageStep[]): void {
    this.#moderationSteps.push(...steps);
  }

  /** Queues scripted answers for the next text requests (POST /v1/responses), consumed in order; afterwards normal answers. */
  scriptText(...steps: ImageStep[]): void {
    this.#textSteps.push(...steps);
  }

  /** Queues scripted answers for the next image edit requests, consumed in order; afterwards normal success. */
  scriptEdits(...steps: ImageStep[]): void {
    this.#editSteps.push(...steps);
  }

  /** Fixed delay for every successful image answer (benchmarks), added to a scripted `delayMs`. */
  setImageDelay(ms: number): void {
    this.#imageDelayMs = ms;
  }

  /** Forgets recorded requests, scripts, flagged words and the image delay. */
  reset(): void {
    this.imageRequests.length = 0;
    this.moderationRequests.length = 0;
    this.imageModerations.length = 0;
    this.#imageFlags.clear();
    this.editRequests.length = 0;
    this.#editSteps.length = 0;
    this.#imageSteps.length = 0;
    this.#moderationSteps.length = 0;
    this.#streamSteps.length = 0;
    this.textRequests.length = 0;
    this.#textSteps.length = 0;
    this.#flagWords.clear();
    this.#imageDelayMs = 0;
  }

  /** Stops listening and ends every open connection, hanging requests included. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake").pathname.replace(/\/+$/, "");
    if (method === "POST" && path === "/v1/images/edits") return this.#answer(res, await this.#edit(req, res));
    const raw = await readBody(req);

    if (method === "POST" && path === "/v1/images/generations") {
      const body = parseJSON(raw);
      this.imageRequests.push({ body: body.ok ? body.value : raw, at: Date.now(), headers: flatHeaders(req) });
      return this.#answer(res, this.#authorise(req) ?? (body.ok ? await this.#generate(res, body.value) : invalidJSON()));
    }
    if (method === "POST" && path === "/v1/moderations") {
      const body = parseJSON(raw);
      this.moderationRequests.push({ body: body.ok ? body.value : raw, at: Date.now() });
      return this.#answer(res, this.#authorise(req) ?? (body.ok ? await this.#moderate(res, body.value) : invalidJSON()));
    }
    if (method === "POST" && path === "/v1/responses") {
      const body = parseJSON(raw);
      this.textRequests.push({ body: body.ok ? body.value : raw, at: Date.now(), headers: flatHeaders(req) });
      const text = () => answerText({ step: this.#textSteps.shift(), res, body: body.ok ? body.value : null, models: this.#models, sleep: (ms) => this.#sleep(ms, res) });
      return this.#answer(res, this.#authorise(req) ?? (body.ok ? await text() : invalidJSON()));
    }
    if (method === "GET" && path === "/v1/models") {
      return this.#answer(res, this.#authorise(req) ?? { status: 200, body: { object: "list", data: this.#models.map((id) => modelObject(id, this.#shutdownDates[id])) } });
    }
    if (method === "GET" && path.startsWith("/v1/models/")) {
      const model = decodeURIComponent(path.slice("/v1/models/".length));
      const known = this.#models.includes(model) || MODERATION_MODELS.includes(model);
      return this.#answer(res, this.#authorise(req) ?? (known ? { status: 200, body: modelObject(model, this.#shutdownDates[model]) } : modelNotFound(model)));
    }
    return this.#answer(res, this.#authorise(req) ?? invalidURL(method, path));
  }

  #authorise(req: IncomingMessage): ErrorAnswer | null {
    const header = req.headers.authorization;
    if (!header) return missingKey();
    const key = /^Bearer (.+)$/i.exec(header)?.[1]?.trim() ?? "";
    return key === this.apiKey ? null : incorrectKey(key);
  }

  /** What the image endpoint answers: a scripted step, a validation error, or images. `null` means hang. */
  async #generate(res: ServerResponse, body: any): Promise<Answer | null> {
    const step = this.#imageSteps.shift();
    const model = typeof body?.model === "string" ? body.model : "dall-e-2";
    let delayMs = this.#imageDelayMs;
    if (step) {
      if ("hang" in step) return null;
      if ("stall" in step) return stall(res);
      if ("delayMs" in step) delayMs += step.delayMs;
      else if ("until" in step) await step.until;
      else return scriptedError(step, model);
      if (res.destroyed) return null;
    }

    const invalid = this.#validateImageRequest(body, model);
    if (invalid) return invalid;

    const quality: string = body.quality == null || body.quality === "auto" ? "medium" : body.quality;
    const requestedSize: string = body.size ?? "auto";
    const size = requestedSize === "auto" ? "1024x1024" : requestedSize;
    const format: OutputFormat = body.output_format ?? "png";
    const n: number = body.n ?? 1;
    const dimensions = parseSize(size, model)!;
    if (body.stream === true) {
      const request = { prompt: body.prompt, partialImages: body.partial_images ?? 0, size, quality, format, background: body.background ?? "auto", dimensions };
      await streamImage(res, request, this.#streamSteps.shift(), (ms) => this.#sleep(ms, res), delayMs);
      return null;
    }
    const images = await Promise.all(
      Array.from({ length: n }, (_, index) => renderImage(dimensions, colourOf(body.prompt, index), format, { prompt: body.prompt, index })),
    );
    for (const image of images) this.#imageFlags.drawn(image, body.prompt);
    if (delayMs > 0 && !(await this.#sleep(delayMs, res))) return null;
    return {
      status: 200,
      body: {
        created: Math.floor(Date.now() / 1000),
        data: images.map((image) => ({ b64_json: image.toString("base64") })),
        background: body.background === "transparent" ? "transparent" : "opaque",
        output_format: format,
        size,
        quality,
        usage: usageOf(body.prompt, quality, size, n),
      },
    };
  }

  #validateImageRequest(body: any, model: string): ErrorAnswer | null {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return invalidJSON();
    for (const name of Object.keys(body)) {
      if (!IMAGE_PARAMETERS.has(name)) return unknownParameter(name);
      if (DALL_E_ONLY.has(name) && body[name] != null) return unknownParameter(name);
    }
    if (typeof body.prompt !== "string" || body.prompt.length === 0) return missingParameter("prompt");
    if (body.prompt.length > 32000) {
      return errorAnswer(400, {
        message: `Invalid 'prompt': string too long. Expected a string with maximum length 32000, but got a string with length ${body.prompt.length} instead.`,
        param: "prompt",
        code: "string_above_max_length",
      });
    }
    if (!this.#models.includes(model)) return modelNotFound(model);
    if (!/^(gpt-image|chatgpt-image)/.test(model)) return invalidValue("model", model, this.#models.filter((m) => m.startsWith("gpt-image")));
    if (body.n != null && !(Number.isInteger(body.n) && body.n >= 1 && body.n <= 10)) return invalidValue("n", body.n);
    if (body.quality != null && !QUALITIES.includes(body.quality)) return invalidValue("quality", body.quality, QUALITIES);
    if (body.output_format != null && !OUTPUT_FORMATS.includes(body.output_format)) return invalidValue("output_format", body.output_format, OUTPUT_FORMATS);
    if (body.background != null && !BACKGROUNDS.includes(body.background)) return invalidValue("background", body.background, BACKGROUNDS);
    if (body.moderation != null && !MODERATION_LEVELS.includes(body.moderation)) return invalidValue("moderation", body.moderation, MODERATION_LEVELS);
    if (body.size != null && (typeof body.size !== "string" || !parseSize(body.size, model))) return invalidValue("size", body.size, ["1024x1024", "1024x1536", "1536x1024", "auto"]);
    if (body.stream != null && typeof body.stream !== "boolean") return invalidValue("stream", body.stream);
    if (body.partial_images != null && !(Number.isInteger(body.partial_images) && body.partial_images >= 0 && body.partial_images <= 3)) return invalidValue("partial_images", body.partial_images);
    if (body.user != null && typeof body.user !== "string") {
      return errorAnswer(400, { message: "Invalid type for 'user': expected a string.", param: "user", code: "invalid_type" });
    }
    return null;
  }

  async #moderate(res: ServerResponse, body: any): Promise<Answer | null> {
    const scripted = await playStep(this.#moderationSteps.shift(), res, "omni-moderation-latest", (ms) => this.#sleep(ms, res));
    if (scripted !== "answer") return scripted;
    if (typeof body !== "object" || body === null) return invalidJSON();
    for (const name of Object.keys(body)) if (name !== "input" && name !== "model") return unknownParameter(name);
    const model: string = body.model ?? "omni-moderation-latest";
    if (typeof model !== "string" || !(MODERATION_MODELS.includes(model) || this.#models.includes(model))) return modelNotFound(String(model));
    if (body.input === undefined) return missingParameter("input");
    const inputs = textsOf(body.input);
    if (!inputs) return invalidValue("input", JSON.stringify(body.input).slice(0, 80));
    const images = imagesOf(body.input);
    if (!Array.isArray(images)) return images;
    this.imageModerations.push(...images.map((image) => ({ ...image, texts: inputs[0]!, at: Date.now() })));
    const image = images[0] && { flagged: this.#imageFlags.categoriesOf(images[0]) };
    return { status: 200, body: moderationResponse(model, inputs, this.#flagWords, image) };
  }

  /** An image edit (multipart): recorded with its images, then a scripted step or the answer of fake-openai-edits.ts. */
  async #edit(req: IncomingMessage, res: ServerResponse): Promise<Answer | null> {
    const parsed = await parseEditRequest(req, await readRawBody(req), flatHeaders(req));
    if ("fields" in parsed) this.editRequests.push(parsed);
    const denied = this.#authorise(req);
    if (denied) return denied;
    if (!("fields" in parsed)) return parsed;
    const scripted = await playStep(this.#editSteps.shift(), res, parsed.fields.model ?? "gpt-image-1.5", (ms) => this.#sleep(ms, res));
    if (scripted !== "answer") return scripted;
    return answerEdit(parsed, this.#models);
  }

  /** Waits, unless the client goes away first; true when the answer should still be written. */
  #sleep(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        res.off("close", onClose);
        resolve(!res.destroyed);
      }, ms);
      const onClose = () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        resolve(false);
      };
      this.#timers.add(timer);
      res.once("close", onClose);
    });
  }

  #answer(res: ServerResponse, answer: Answer | null): void {
    if (answer === null || res.destroyed) return; // hang: the connection stays open until the client or close() ends it
    send(res, answer);
  }
}

type Answer = ErrorAnswer | { status: 200; body: unknown; headers?: Record<string, string> };

/** Starts a 200 answer and never finishes it; the caller then answers nothing more (hang). */
export function stall(res: ServerResponse): null {
  res.writeHead(200, { "content-type": "application/json", "x-request-id": `req_${randomBytes(16).toString("hex")}` });
  res.write('{"created":1764000000,"data":[{"b64_json":"iVBORw0KGgo');
  return null;
}

export function scriptedError(step: Exclude<ImageStep, { hang: true } | { stall: true } | { delayMs: number } | { until: Promise<unknown> }>, model: string): ErrorAnswer {
  if ("error" in step) return errorAnswer(step.status, step.error, step.headers);
  switch (step.status) {
    case 429:
      if (step.code === "insufficient_quota") return insufficientQuota();
      return rateLimited(model, "retryAfterSeconds" in step ? step.retryAfterSeconds : undefined, step.code ?? "rate_limit_exceeded", "headers" in step ? step.headers : {});
    case 400:
      return safetyRefusal(step.code);
    case 403:
      return organisationNotVerified(model);
    default:
      return serverError(step.status);
  }
}

function send(res: ServerResponse, answer: Answer): void {
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": typeof answer.body === "string" ? "text/html; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": `req_${randomBytes(16).toString("hex")}`,
    "openai-processing-ms": "1",
    ...answer.headers,
  });
  res.end(text);
}

/** OpenAI's Model object; `shutdown_date` is null until a shutdown is announced. */
function modelObject(id: string, shutdownDate?: string) {
  return { id, object: "model", created: 1_745_000_000, owned_by: id.startsWith("gpt-image") ? "system" : "openai", shutdown_date: shutdownDate ?? null };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJSON(text: string): { ok: true; value: any } | { ok: false } {
  if (text.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // An unparsable body is answered with OpenAI's own "could not parse the JSON body" error.
    return { ok: false };
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}
