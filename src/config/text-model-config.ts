/**
 * TEXT_MODEL: the OpenAI text model that polishes prompts and writes titles and alt text (`off` turns those off).
 *
 * The default is gpt-5.6-luna, OpenAI's current small GPT model: OpenAI's model pages recommend it "for most new
 * speed- and cost-sensitive workloads" in place of the deprecated gpt-5-nano, it sits at the nano tier's price
 * ($0.20 in, $1.20 out per 1M tokens: a caption costs about $0.0002) and it can answer without reasoning
 * (`reasoning.effort: none`), which keeps a caption well inside the seconds an image takes.
 */
import { z } from "zod";

export const DEFAULT_TEXT_MODEL = "gpt-5.6-luna";

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const NOT_TEXT = /^(gpt-image|chatgpt-image|dall-e|omni-moderation|text-moderation|whisper|tts|text-embedding|sora)/;

/** The environment variable, with its default. */
export const textModelVariables = {
  TEXT_MODEL: z
    .string()
    .refine((m) => m.toLowerCase() === "off" || MODEL_ID.test(m), {
      error: (issue) => `TEXT_MODEL must be an OpenAI text model id such as ${DEFAULT_TEXT_MODEL} (the default), or off for none; not "${String(issue.input)}"`,
    })
    .refine((m) => !NOT_TEXT.test(m), {
      error: (issue) => `TEXT_MODEL must be a text (GPT) model such as ${DEFAULT_TEXT_MODEL}, not the image, moderation or audio model "${String(issue.input)}"; set IMAGE_MODEL for images`,
    })
    .default(DEFAULT_TEXT_MODEL),
};

/** The text model's id, or undefined when TEXT_MODEL is `off`. */
export function textModelOf(v: { TEXT_MODEL: string }): string | undefined {
  return v.TEXT_MODEL.toLowerCase() === "off" ? undefined : v.TEXT_MODEL;
}
