import { toFile } from "openai";
import type { ImageEditParamsNonStreaming, ImageGenerateParamsNonStreaming } from "openai/resources/images";
import { ProviderError } from "../core/errors.js";
import type { GeneratedImage, ImageProvider, ModerationResult } from "../core/ports.js";
import { checkImageModel, type ModelCheck, type ModelChecker } from "./check-image-model.js";
import { classifyOpenAIError } from "./classify-openai-error.js";
import { createOpenAIClient, DEFAULT_IMAGE_TIMEOUT_MS } from "./create-openai-client.js";
import { startDeadline } from "./deadline.js";
import { decodeImage } from "./decode-image.js";
import { describeFlaggedCategories } from "./moderation-categories.js";
import type { OpenAILogger } from "./openai-logger.js";

export const MODERATION_MODEL = "omni-moderation-latest";
export const DEFAULT_MODERATION_TIMEOUT_MS = 30_000;

export interface OpenAIImageProviderOptions {
  apiKey: string;
  /** `OPENAI_BASE_URL`, e.g. a loopback fake; OpenAI's own API when absent. */
  baseURL?: string;
  /** Deadline of one image generation, response body included (default 180 s). */
  timeoutMs?: number;
  /** Deadline of one moderation call (default 30 s). */
  moderationTimeoutMs?: number;
  logger?: OpenAILogger;
}

/** The OpenAI image provider, which can also check at start-up that the configured model is usable. */
export interface OpenAIImageProvider extends ImageProvider, ModelChecker {}

/**
 * An {@link ImageProvider} on the `openai` SDK. Each call makes exactly one attempt (the SDK's retries are off) and
 * failures are thrown as {@link ProviderError}s classified by {@link classifyOpenAIError}; a caller's abort is a
 * `transient` failure too. The API key never reaches an error message or a log line.
 */
export function createOpenAIImageProvider(options: OpenAIImageProviderOptions): OpenAIImageProvider {
  // The SDK refuses a timeout that is not a positive integer.
  const timeoutMs = positiveInteger(options.timeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS);
  const moderationTimeoutMs = positiveInteger(options.moderationTimeoutMs ?? Math.min(timeoutMs, DEFAULT_MODERATION_TIMEOUT_MS));
  const client = createOpenAIClient({ apiKey: options.apiKey, baseURL: options.baseURL, timeoutMs, logger: options.logger });
  const secrets = [options.apiKey];
  const { logger } = options;

  /** Runs one SDK call under a deadline and turns whatever it throws into a ProviderError. */
  async function attempt<T>(operation: string, ms: number, signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = startDeadline(ms, signal);
    const started = Date.now();
    try {
      return await call(deadline.signal);
    } catch (error) {
      // The one translation point from SDK errors to the port's ProviderError.
      const failure = classifyOpenAIError(deadline.timedOut() ? deadline.signal.reason : error, { secrets });
      const requestId = (error as { requestID?: unknown }).requestID ?? undefined;
      const fields = { operation, kind: failure.kind, ...failure.details, requestId, durationMs: Date.now() - started };
      if (failure.kind === "unavailable") logger?.warn(fields, `OpenAI ${operation} unavailable, the operator must act: ${failure.message}`);
      else logger?.debug(fields, `OpenAI ${operation} failed: ${failure.message}`);
      throw failure;
    } finally {
      deadline.dispose();
    }
  }

  return {
    async generate(request): Promise<GeneratedImage> {
      const params: ImageGenerateParamsNonStreaming = {
        model: request.model,
        prompt: request.prompt,
        size: request.size,
        quality: request.quality,
        n: 1,
        user: request.user,
        // GPT image models always answer base64; `response_format` is DALL·E-only and they refuse it.
        output_format: "png",
      };
      const started = Date.now();
      const { data, request_id } = await attempt("generate", timeoutMs, request.signal, (signal) =>
        client.images.generate(params, { signal, timeout: timeoutMs }).withResponse(),
      );
      const image = decodeImage(data.data?.[0]?.b64_json);
      logger?.debug(
        { operation: "generate", model: request.model, size: data.size ?? request.size, quality: data.quality ?? request.quality, usage: data.usage, requestId: request_id, bytes: image.bytes.length, durationMs: Date.now() - started },
        "OpenAI image generated",
      );
      return image;
    },

    async edit(request): Promise<GeneratedImage> {
      // Multipart: the parent's image as the `image` file, the rest as form fields (POST /v1/images/edits).
      const params: ImageEditParamsNonStreaming = {
        image: await toFile(request.image.bytes, request.image.mimeType === "image/jpeg" ? "parent.jpg" : "parent.png", { type: request.image.mimeType }),
        model: request.model,
        prompt: request.prompt,
        size: request.size,
        quality: request.quality,
        n: 1,
        user: request.user,
        output_format: "png",
      };
      const started = Date.now();
      const { data, request_id } = await attempt("edit", timeoutMs, request.signal, (signal) => client.images.edit(params, { signal, timeout: timeoutMs }).withResponse());
      const image = decodeImage(data.data?.[0]?.b64_json);
      logger?.debug(
        { operation: "edit", model: request.model, size: data.size ?? request.size, quality: data.quality ?? request.quality, usage: data.usage, requestId: request_id, bytes: image.bytes.length, durationMs: Date.now() - started },
        "OpenAI image edited",
      );
      return image;
    },

    async moderate(prompt, signal): Promise<ModerationResult> {
      const response = await attempt("moderate", moderationTimeoutMs, signal, (combined) =>
        client.moderations.create({ model: MODERATION_MODEL, input: prompt }, { signal: combined, timeout: moderationTimeoutMs }),
      );
      if (response.results.length === 0) throw new ProviderError("transient", "OpenAI moderation answered without a result");
      const flagged = response.results.some((result) => result.flagged);
      const categories = response.results.flatMap((result) => describeFlaggedCategories({ ...result.categories }));
      return { flagged, categories: [...new Set(categories)] };
    },

    checkModel(model, signal): Promise<ModelCheck> {
      return checkImageModel(client, model, signal);
    },
  };
}

function positiveInteger(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}
