import type OpenAI from "openai";
import { checkListedModel, type ModelCheck } from "./check-image-model.js";

/** GPT text models; not the image, audio, realtime or search variants, which Salon cannot use for text. */
const GPT_TEXT_MODEL = /^(gpt-(?!image)|o\d)(?!.*(audio|realtime|transcribe|tts|search|image))/;

/**
 * Asks OpenAI (GET /v1/models/{model}) whether TEXT_MODEL exists for this key, so that start-up can say how to fix
 * it; polish then is unavailable and titles fall back to the prompt until it is fixed.
 */
export function checkTextModel(client: OpenAI, model: string, signal?: AbortSignal): Promise<ModelCheck> {
  return checkListedModel(client, model, {
    pattern: GPT_TEXT_MODEL,
    notFound: (usable) => {
      const fix = usable.length > 0 ? `set TEXT_MODEL to one this key can use, e.g. ${usable.slice(0, 8).join(", ")}` : "this key lists no GPT text model";
      return `model ${model} does not exist or your organisation cannot use it; ${fix}, or TEXT_MODEL=off to go without polish, titles and alt text`;
    },
  }, signal);
}
