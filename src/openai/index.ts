/** The OpenAI adapter: an {@link ImageProvider} on the `openai` SDK, and the pieces it is made of. */
export { createOpenAIImageProvider, MODERATION_MODEL, type OpenAIImageProvider, type OpenAIImageProviderOptions } from "./create-openai-image-provider.js";
export {
  ALT_TEXT_MAX_LENGTH,
  CAPTION_SCHEMA,
  createOpenAITextModel,
  DEFAULT_TEXT_TIMEOUT_MS,
  TITLE_MAX_LENGTH,
  type OpenAITextModel,
  type OpenAITextModelOptions,
} from "./create-openai-text-model.js";
export { checkTextModel } from "./check-text-model.js";
export { createOpenAIClient, DEFAULT_IMAGE_TIMEOUT_MS, OPENAI_DEFAULT_BASE_URL, type OpenAIClientOptions } from "./create-openai-client.js";
export { classifyOpenAIError, DEFAULT_RETRY_AFTER_MS, type ClassifyOptions } from "./classify-openai-error.js";
export { checkImageModel, type ModelCheck, type ModelChecker } from "./check-image-model.js";
export { MODERATION_CATEGORY_WORDS, describeFlaggedCategories, describeModerationCategory } from "./moderation-categories.js";
export { parseRetryAfterMs } from "./parse-retry-after.js";
export { redactSecrets } from "./redact-secrets.js";
export type { OpenAILogger } from "./openai-logger.js";
