import OpenAI from "openai";
import { classifyOpenAIError } from "./classify-openai-error.js";

/** A usable model may carry the `shutdown_date` (YYYY-MM-DD) OpenAI announced for it. */
export type ModelCheck = { ok: true; shutdownDate?: string } | { ok: false; reason: string };

/** Anything that can check a model: a bare client, or the provider built on one. */
export interface ModelChecker {
  checkModel(model: string, signal?: AbortSignal): Promise<ModelCheck>;
}

/** GPT image models take the parameters Salon sends (quality low/medium/high, output_format); DALL·E does not. */
const GPT_IMAGE_MODEL = /^(gpt-image|chatgpt-image)/;

/**
 * Asks OpenAI (GET /v1/models/{model}) whether the configured image model exists for this key, so that start-up
 * can say "here is how to fix it" instead of every `/imagine` failing. A model that is listed can still answer 403
 * at generation time while the organisation's verification is pending.
 */
export async function checkImageModel(source: OpenAI | ModelChecker, model: string, signal?: AbortSignal): Promise<ModelCheck> {
  if (!(source instanceof OpenAI)) return source.checkModel(model, signal);
  if (!GPT_IMAGE_MODEL.test(model)) {
    return { ok: false, reason: `model ${model} is not a GPT image model (gpt-image-…); Salon only speaks to GPT image models` };
  }
  return checkListedModel(source, model, {
    pattern: GPT_IMAGE_MODEL,
    notFound: (usable) => {
      const fix = usable.length > 0 ? `set IMAGE_MODEL to one this key can use: ${usable.join(", ")}` : "this key can use no GPT image model: verify the organisation on platform.openai.com";
      return `model ${model} does not exist or your organisation cannot use it (gpt-image models need a verified organisation); ${fix}`;
    },
  }, signal);
}

/** A family of models, for {@link checkListedModel}: which ids belong to it, and what to say when one is missing. */
export interface ModelFamily {
  pattern: RegExp;
  /** The reason reported on a 404, given the ids of the family this key lists (sorted). */
  notFound: (usable: string[]) => string;
}

/** Asks OpenAI (GET /v1/models/{model}) whether a model exists for this key; every failure becomes a reason. */
export async function checkListedModel(source: OpenAI, model: string, family: ModelFamily, signal?: AbortSignal): Promise<ModelCheck> {
  try {
    const found = await source.models.retrieve(model, signal ? { signal } : undefined);
    // OpenAI's model object has an optional `shutdown_date` the SDK's type does not list yet.
    const shutdownDate = (found as { shutdown_date?: unknown }).shutdown_date;
    return typeof shutdownDate === "string" && shutdownDate !== "" ? { ok: true, shutdownDate } : { ok: true };
  } catch (error) {
    // A check reports instead of throwing: every failure becomes a reason the operator can act on.
    const failure = classifyOpenAIError(error, { secrets: source.apiKey ? [source.apiKey] : [] });
    const status = failure.details.status;
    if (status === 404) return { ok: false, reason: family.notFound(await usableModels(source, family.pattern, signal)) };
    if (status === 401) return { ok: false, reason: "OpenAI rejected the API key (401): check OPENAI_API_KEY" };
    if (failure.kind === "transient" && status === undefined) {
      return { ok: false, reason: `could not reach OpenAI at ${source.baseURL}: ${failure.message}` };
    }
    return { ok: false, reason: failure.message };
  }
}

/** The models of a family this key lists (GET /v1/models), to name in a fix; none when listing fails too. */
async function usableModels(client: OpenAI, pattern: RegExp, signal?: AbortSignal): Promise<string[]> {
  try {
    const ids: string[] = [];
    for await (const m of client.models.list(signal ? { signal } : undefined)) if (pattern.test(m.id)) ids.push(m.id);
    return ids.sort();
  } catch {
    // Only a hint is lost: the reason the check failed is still reported, without the list of alternatives.
    return [];
  }
}
