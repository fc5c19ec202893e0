import OpenAI from "openai";
import { AppError } from "../core/errors.js";
import { toSdkLogger, type OpenAILogger } from "./openai-logger.js";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
/** gpt-image at high quality can take well over a minute; past three minutes the answer is not coming. */
export const DEFAULT_IMAGE_TIMEOUT_MS = 180_000;

export interface OpenAIClientOptions {
  apiKey: string;
  /** e.g. a loopback fake or a proxy; OpenAI's own API when absent. */
  baseURL?: string;
  /** Default per-request timeout, in milliseconds. */
  timeoutMs?: number;
  logger?: OpenAILogger;
}

/**
 * An `openai` client configured for Salon: no SDK retries (retries belong to Salon's queue, which must never retry
 * `insufficient_quota` and schedules `retry-after` itself) and nothing read from `process.env` — the SDK would
 * otherwise pick up `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`, `OPENAI_ADMIN_KEY` and `OPENAI_LOG`
 * behind the config module's back.
 */
export function createOpenAIClient(options: OpenAIClientOptions): OpenAI {
  if (!options.apiKey) {
    throw new AppError("openai_missing_key", "No OpenAI API key was given: set OPENAI_API_KEY.");
  }
  const { logger } = options;
  return new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL || OPENAI_DEFAULT_BASE_URL,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: 0,
    // The SDK insists on a positive integer here.
    timeout: Math.max(1, Math.ceil(options.timeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS)),
    // Without a logger the SDK would print to the console, which breaks the JSON log stream.
    logLevel: logger ? "warn" : "off",
    ...(logger ? { logger: toSdkLogger(logger) } : {}),
  });
}
