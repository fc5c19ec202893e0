/**
 * `/imagine polish`: the text model rewrites the prompt, and the member picks the polished one, their own, or neither.
 * Nothing is queued and no image is paid for until they pick; the prompt picked then goes through `/imagine` itself
 * (every check, in order). The draft is stored, so a choice survives a restart and a button clicked twice queues once.
 * The text call's cost is the community's spend of the day (the budget counts it).
 */
import type { SalonDeps } from "./deps.js";
import { StoreUnavailableError, UserError } from "./errors.js";
import { admitCreator, budgetError, DEFAULT_ASPECT, DEFAULT_QUALITY, hashedUser, imagine, originalCostMicroUsd, quotaError, requireSetUp, type QueueHandle } from "./imagine.js";
import { validatePrompt } from "./prompt.js";
import type { PolishDraft } from "./store/polish-drafts.js";
import { localDay } from "./time.js";
import { command } from "./words.js";
import { SIZE_OF_ASPECT, type Actor, type Aspect, type Creation, type Platform, type Quality } from "./types.js";

/**
 * How long a draft can be picked: the life of what answers the member on each platform (a Discord interaction token,
 * 15 minutes; a Slack response_url, 30 minutes). Past it the choice says so and the member runs `/imagine` again.
 */
export const POLISH_DRAFT_LIFETIME_MS: Record<Platform, number> = { discord: 15 * 60_000, slack: 30 * 60_000 };
/** The text model gets this long; then polish is unavailable for this prompt (the member may still use theirs). */
export const POLISH_TIMEOUT_MS = 20_000;
/** Drafts older than this are deleted as new ones are made (none can be picked any more). */
const DRAFTS_KEPT_MS = 24 * 60 * 60_000;

export interface PolishInput {
  prompt: string;
  aspect?: Aspect | undefined;
  quality?: Quality | undefined;
}

/** What the member is shown: both prompts and the choice (Use polished only when there is a polished one). */
export interface PolishView {
  draftId: number;
  original: string;
  /** Null when polish is unavailable (no text model, or it failed): only "Use mine" and "Cancel" are offered. */
  polished: string | null;
  /** Why there is no polished prompt, for the member. */
  unavailable: string | null;
  /** A refusal of the last choice (moderation, length, a limit), shown above the choice, which stays open. */
  notice: string | null;
}

export type PolishChoice = "polished" | "mine" | "cancel";

export type PolishOutcome =
  /** The prompt picked is queued: `/imagine` wrote the status message through the statusRef given. */
  | { state: "queued"; creation: Creation; position: number }
  | { state: "cancelled" }
  /** `/imagine` refused the prompt picked: the draft is open again, to pick the other prompt or cancel. */
  | { state: "refused"; view: PolishView }
  /** A choice was already made (a second click): nothing to do or say. */
  | { state: "already" };

const UNAVAILABLE_OFF = "Polish is unavailable here: no text model is configured.";
const UNAVAILABLE_DOWN = "Polish is unavailable right now: the text model didn't answer.";

const viewOf = (draft: PolishDraft, unavailable: string | null, notice: string | null = null): PolishView => ({
  draftId: draft.id,
  original: draft.original,
  polished: draft.polished,
  unavailable: draft.polished === null ? (unavailable ?? UNAVAILABLE_DOWN) : null,
  notice,
});

/**
 * Polishes the member's prompt and stores the draft. Refused first, before the text model is paid, where `/imagine`
 * would refuse anyway: not set up, gallery problem, blocked, the prompt's length, the member's quota, a budget that
 * could not pay for the image. The text model off, failing or slow: the draft offers the member's own prompt only.
 */
export async function startPolish(
  deps: Pick<SalonDeps, "communities" | "creations" | "polishDrafts" | "text" | "clock" | "logger" | "options">,
  actor: Actor,
  input: PolishInput,
): Promise<PolishView> {
  const { creations, polishDrafts, clock, options } = deps;
  const community = await admitCreator(deps, actor);
  const original = validatePrompt(input.prompt, community.maxPromptLength);
  const now = clock.now();
  const day = localDay(now, community.timezone);
  const usage = await creations.usage(community.id, actor.userId, day);
  if (usage.memberToday >= community.perMemberDaily) throw quotaError(community);
  const imageCost = originalCostMicroUsd(options, input.quality ?? DEFAULT_QUALITY, SIZE_OF_ASPECT[input.aspect ?? DEFAULT_ASPECT]);
  if (usage.spendTodayMicroUsd + imageCost > community.budgetMicroUsd) throw budgetError(community, usage.spendTodayMicroUsd);

  let polished: string | null = null;
  let unavailable: string | null = deps.text ? null : UNAVAILABLE_OFF;
  if (deps.text) {
    let answer: { text: string; costMicroUsd: number } | null = null;
    try {
      answer = await deps.text.polish({ prompt: original, user: hashedUser(options.userHashSalt, actor), signal: AbortSignal.timeout(POLISH_TIMEOUT_MS) });
    } catch (error) {
      deps.logger.warn({ err: error, model: deps.text.model }, "the text model could not polish a prompt");
      unavailable = UNAVAILABLE_DOWN;
    }
    if (answer) {
      // Paid, whatever the member picks next.
      if (answer.costMicroUsd > 0) await polishDrafts.addTextSpend(community.id, day, answer.costMicroUsd);
      polished = answer.text.trim() || null;
      if (polished === null) unavailable = UNAVAILABLE_DOWN;
    }
  }
  const draft = await polishDrafts.createDraft(
    { communityId: community.id, userId: actor.userId, original, polished, aspect: input.aspect ?? null, quality: input.quality ?? null, createdAt: now },
    new Date(now.getTime() - DRAFTS_KEPT_MS),
  );
  return viewOf(draft, unavailable);
}

/**
 * The member's pick. The prompt picked goes through `/imagine` with `statusRef` (the message the choice was on becomes
 * the status message); a refusal there opens the draft again. A draft can be taken once: two clicks queue once.
 */
export async function choosePolish(
  deps: Parameters<typeof imagine>[0] & Pick<SalonDeps, "polishDrafts">,
  actor: Actor,
  draftId: number,
  choice: PolishChoice,
  statusRef: string | null,
  queue: QueueHandle,
): Promise<PolishOutcome> {
  const { polishDrafts, clock } = deps;
  const community = await requireSetUp(deps, actor);
  const draft = await polishDrafts.getDraft(community.id, draftId);
  if (!draft) throw new UserError("polish_not_found", `That choice is gone. Run \`${command("imagine")}\` again.`);
  if (draft.userId !== actor.userId) throw new UserError("not_yours", "Only the member who asked for this polish can choose.");
  if (draft.state !== "pending") return { state: "already" };
  if (clock.now().getTime() - draft.createdAt.getTime() >= POLISH_DRAFT_LIFETIME_MS[community.platform]) {
    await polishDrafts.moveDraft(draft.id, "pending", "cancelled");
    const minutes = POLISH_DRAFT_LIFETIME_MS[community.platform] / 60_000;
    throw new UserError("polish_expired", `This choice expired (it stays open ${minutes} minutes). Nothing was queued or spent on an image: run \`${command("imagine")}\` again.`);
  }
  if (choice === "cancel") return (await polishDrafts.moveDraft(draft.id, "pending", "cancelled")) ? { state: "cancelled" } : { state: "already" };
  if (choice === "polished" && draft.polished === null) throw new UserError("polish_unavailable", "There is no polished prompt to use. Use yours, or cancel.");
  if (!(await polishDrafts.moveDraft(draft.id, "pending", "taken"))) return { state: "already" };
  const prompt = choice === "polished" ? draft.polished! : draft.original;
  try {
    const queued = await imagine(deps, actor, { prompt, aspect: draft.aspect ?? undefined, quality: draft.quality ?? undefined, statusRef }, queue);
    await polishDrafts.moveDraft(draft.id, "taken", "used");
    return { state: "queued", ...queued };
  } catch (error) {
    // Refused like a typed prompt, before anything was stored: the member may pick again. Any other failure may have
    // come after the insert, so the draft stays taken (a second pick could queue twice); they run `/imagine` again.
    if (!(error instanceof UserError) || error instanceof StoreUnavailableError) throw error;
    await polishDrafts.moveDraft(draft.id, "taken", "pending");
    return { state: "refused", view: viewOf(draft, null, error.userMessage) };
  }
}
