import type OpenAI from "openai";
import { toFile } from "openai";
import type { ImageEditParamsNonStreaming, ImageGenerateParamsNonStreaming, ImageGenerateParamsStreaming, ImagesResponse } from "openai/resources/images";
import type { ModerationCreateResponse, ModerationMultiModalInput } from "openai/resources/moderations";
import { ProviderError } from "../core/errors.js";
import type { GeneratedImage, ImageProvider, ModerationResult } from "../core/ports.js";
import { checkImageModel, type ModelCheck, type ModelChecker } from "./check-image-model.js";
import { createOpenAIClient, DEFAULT_IMAGE_TIMEOUT_MS } from "./create-openai-client.js";
import { decodeImage } from "./decode-image.js";
import { describeFlaggedCategories } from "./moderation-categories.js";
import { openAIAttempt } from "./openai-attempt.js";
import type { OpenAILogger } from "./openai-logger.js";
import { readImageStream } from "./stream-image.js";

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
  function attempt<T>(operation: string, ms: number, signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return openAIAttempt({ operation, ms, signal, secrets, logger }, call);
  }

  /** The image of a non-streamed answer (generation or edit), logged with what OpenAI says it made. */
  function imageOf(operation: "generate" | "edit", request: ImageRequest, answer: { data: ImagesResponse; request_id: string | null }, started: number): GeneratedImage {
    const { data, request_id } = answer;
    const image = decodeImage(data.data?.[0]?.b64_json);
    logger?.debug(
      { operation, model: request.model, size: data.size ?? request.size, quality: data.quality ?? request.quality, usage: data.usage, requestId: request_id, bytes: image.bytes.length, durationMs: Date.now() - started },
      operation === "edit" ? "OpenAI image edited" : "OpenAI image generated",
    );
    return image;
  }

  return {
    async generate(request): Promise<GeneratedImage> {
      const params: ImageGenerateParamsNonStreaming = imageParams(request);
      const started = Date.now();
      if (request.partialImages) {
        // Streamed: partial images as they come, then the completed one; the deadline covers the whole stream.
        const of = request.partialImages;
        const streaming: ImageGenerateParamsStreaming = { ...params, stream: true, partial_images: of };
        const streamed = await attempt("generate", timeoutMs, request.signal, async (signal) => {
          const stream = await client.images.generate(streaming, { signal, timeout: timeoutMs });
          const result = await readImageStream(stream, of, request.onPartialImage, (error) =>
            logger?.debug({ operation: "generate", err: error }, "a partial image could not be read; skipped"),
          );
          return result;
        });
        logger?.debug(
          { operation: "generate", model: request.model, size: streamed.size ?? request.size, quality: streamed.quality ?? request.quality, usage: streamed.usage, partials: streamed.partials, bytes: streamed.image.bytes.length, durationMs: Date.now() - started },
          "OpenAI image generated (streamed)",
        );
        return streamed.image;
      }
      const answer = await attempt("generate", timeoutMs, request.signal, (signal) => client.images.generate(params, { signal, timeout: timeoutMs }).withResponse());
      return imageOf("generate", request, answer, started);
    },

    async edit(request): Promise<GeneratedImage> {
      // Multipart: the parent's image as the `image` file, the rest as form fields (POST /v1/images/edits).
      const params: ImageEditParamsNonStreaming = {
        ...imageParams(request),
        image: await toFile(request.image.bytes, request.image.mimeType === "image/jpeg" ? "parent.jpg" : "parent.png", { type: request.image.mimeType }),
      };
      const started = Date.now();
      const answer = await attempt("edit", timeoutMs, request.signal, (signal) => client.images.edit(params, { signal, timeout: timeoutMs }).withResponse());
      return imageOf("edit", request, answer, started);
    },

    async moderate(prompt, signal): Promise<ModerationResult> {
      const response = await attempt("moderate", moderationTimeoutMs, signal, (combined) =>
        client.moderations.create({ model: MODERATION_MODEL, input: prompt }, { signal: combined, timeout: moderationTimeoutMs }),
      );
      return moderationResult(response);
    },

    async moderateImage({ prompt, image, signal }): Promise<ModerationResult> {
      // The image and its prompt, classified together (one result); the image goes inline as a base64 data URL.
      const input: ModerationMultiModalInput[] = [
        { type: "text", text: prompt },
        { type: "image_url", image_url: { url: `data:${image.mimeType};base64,${image.bytes.toString("base64")}` } },
      ];
      const response = await attempt("moderate image", moderationTimeoutMs, signal, (combined) =>
        client.moderations.create({ model: MODERATION_MODEL, input }, { signal: combined, timeout: moderationTimeoutMs }),
      );
      return moderationResult(response);
    },

    checkModel(model, signal): Promise<ModelCheck> {
      return checkImageModel(client, model, signal);
    },
  };
}

type ImageRequest = Pick<Parameters<ImageProvider["generate"]>[0], "model" | "prompt" | "size" | "quality" | "user">;

/** What a generation and an edit both send. */
function imageParams(request: ImageRequest) {
  return {
    model: request.model,
    prompt: request.prompt,
    size: request.size,
    quality: request.quality,
    n: 1,
    user: request.user,
    // GPT image models always answer base64; `response_format` is DALL·E-only and they refuse it.
    output_format: "png",
  } as const;
}

/** Flagged when any result is; the flagged categories of every result in words, each once. */
function moderationResult(response: ModerationCreateResponse): ModerationResult {
  if (response.results.length === 0) throw new ProviderError("transient", "OpenAI moderation answered without a result");
  const flagged = response.results.some((result) => result.flagged);
  const categories = response.results.flatMap((result) => describeFlaggedCategories({ ...result.categories }));
  return { flagged, categories: [...new Set(categories)] };
}

function positiveInteger(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}
