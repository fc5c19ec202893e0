/**
 * Titles and alt text. The text model writes them while the image is being made (both requests start together), so
 * the post does not wait for them: by the time the image is back and checked, the caption has long been ready. A
 * caption still running then gets `CAPTION_GRACE_MS` more, counted from the moment the image is ready (it overlaps
 * storing the image; the image's moderation check comes after); past that, and whenever the text model is off or fails, the post goes with the prompt's
 * excerpt as its title and the prompt as its alt text. A caption never fails a post and never holds one longer.
 *
 * The caption is stored before the post (a job taken over after that posts with it); a caption that comes back late
 * is still paid for, so its cost is added to the creation's spend whenever it arrives.
 */
import type { SalonDeps } from "./deps.js";
import { excerpt } from "./format.js";
import type { Logger } from "./ports.js";
import type { Creation } from "./types.js";

/** How much longer, at most, a post waits for a caption still running once its image is ready. */
export const CAPTION_GRACE_MS = 1_000;
/** The limits of what a title and alt text may be, wherever they come from. */
export const TITLE_MAX = 60;
export const ALT_TEXT_MAX = 300;

/** The title shown for a creation: the text model's, else the prompt's excerpt (of `max` characters, in lists). */
export function creationTitle(c: { title: string | null; prompt: string }, max = TITLE_MAX): string {
  return c.title ?? excerpt(c.prompt, max);
}

/** The alt text of a creation's image: the text model's, else the prompt itself (cut to the limit). */
export function creationAltText(c: { altText: string | null; prompt: string }): string {
  return c.altText ?? excerpt(c.prompt, ALT_TEXT_MAX);
}

export interface Caption {
  /** The caption, if it is ready within `graceMs` from now; null when it is not, failed, or the text model is off. */
  within(graceMs: number): Promise<{ title: string; altText: string } | null>;
}

const NONE: Caption = { within: () => Promise.resolve(null) };

/**
 * Starts the caption of `job` (call it when its image request starts). Never rejects: a failure is logged and leaves
 * the fallback. Its cost is added to the creation's spend when it comes back, in time or not.
 */
export function startCaption(deps: Pick<SalonDeps, "text" | "creations" | "clock">, job: Creation, user: string, signal: AbortSignal, log: Logger): Caption {
  const text = deps.text;
  if (!text || job.title !== null) return NONE;
  const started = deps.clock.now().getTime();
  const done = text.caption({ prompt: job.prompt, user, signal }).then(
    async ({ title, altText, costMicroUsd }) => {
      log.info({ captionMs: deps.clock.now().getTime() - started }, "caption ready");
      if (costMicroUsd > 0) await deps.creations.updateCreation(job.id, { spend: costMicroUsd }).catch((e: unknown) => log.warn({ err: e }, "could not record a caption's cost"));
      return { title, altText };
    },
    (error: unknown) => {
      if (!signal.aborted) log.warn({ err: error }, "the text model could not caption this creation; posting with the prompt as its title and alt text");
      return null;
    },
  );
  return {
    async within(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), graceMs)));
      try {
        const caption = await Promise.race([done, late]);
        if (!caption) log.info({ graceMs }, "no caption in time; posting with the prompt as its title and alt text");
        return caption;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
