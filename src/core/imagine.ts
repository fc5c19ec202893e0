/** `/imagine`: the checks of PRODUCT.md §Creating 2, in order, then a durable queued job. */
import { createHash } from "node:crypto";
import type { SalonDeps } from "./deps.js";
import { PublishError, UserError } from "./errors.js";
import { duration, usd } from "./format.js";
import { priceMicroUsd } from "./pricing.js";
import { previewCostMicroUsd } from "./previews.js";
import { lineageOf, remixableParent } from "./remix.js";
import { editPriceMicroUsd } from "./remix-pricing.js";
import { moderatePrompt } from "./moderate-prompt.js";
import { validatePrompt } from "./prompt.js";
import type { JobStatus, Logger, Publisher } from "./ports.js";
import { publisherFor } from "./publisher-for.js";
import { localDay } from "./time.js";
import { command } from "./words.js";
import { SIZE_OF_ASPECT, type Actor, type Aspect, type Community, type Creation, type ImageSize, type Quality } from "./types.js";

export interface ImagineInput {
  prompt: string;
  aspect?: Aspect | undefined;
  quality?: Quality | undefined;
  /** Where the member's status message lives, for the platform adapter. */
  statusRef: string | null;
  /** A remix of this creation (its image edited with `prompt`), checked again here: see remix.ts. */
  remixOf?: number | undefined;
}

/** A new job waits this long at most for its "queued" message before workers may take it anyway (a crash). */
const STATUS_GRACE_MS = 30_000;

export const DEFAULT_ASPECT: Aspect = "square";
export const DEFAULT_QUALITY: Quality = "medium";

/** The community, or the refusal every command gives before `/salon setup` has named a gallery. */
export async function requireSetUp(deps: Pick<SalonDeps, "communities">, actor: Actor): Promise<Community> {
  const community = await deps.communities.findCommunity(actor.community);
  if (!community?.galleryChannelId) {
    throw new UserError("not_set_up", `Salon isn't set up in this community yet. An admin can run \`${command("salon setup")}\` to choose the gallery channel.`);
  }
  return community;
}

/** The community, once the actor may create there: it is set up, its gallery takes posts, and they aren't blocked. */
export async function admitCreator(deps: Pick<SalonDeps, "communities">, actor: Actor): Promise<Community> {
  const community = await requireSetUp(deps, actor);
  // A gallery the bot can't post in would take the member's image and the community's money for nothing.
  if (community.problem) {
    throw new UserError("gallery_problem", `I can't take new creations right now. ${community.problem} An admin can fix that, then check with \`${command("salon settings")}\`.`);
  }
  if (await deps.communities.isBlocked(community.id, actor.userId)) {
    throw new UserError("blocked", "You can't create images in this community: an admin has blocked you from Salon.");
  }
  return community;
}

/** What an original (not a remix) costs: its image, and the previews streamed while it is made. */
export function originalCostMicroUsd(options: Pick<SalonDeps["options"], "prices" | "imageModel" | "previewImages">, quality: Quality, size: ImageSize): number {
  return priceMicroUsd(options.prices, options.imageModel, quality, size) + previewCostMicroUsd(options.previewImages);
}

/** The id OpenAI sees for a member: stable, but not the platform id. */
export function hashedUser(salt: string, actor: Actor): string {
  return createHash("sha256").update(`${salt}:${actor.community.platform}:${actor.community.externalId}:${actor.userId}`).digest("hex").slice(0, 32);
}

/** How `/imagine` reaches the queue: its status edits go through the queue's one writer per message. */
export interface QueueHandle {
  /** Sends a status edit after the creation's earlier ones, if `onlyIf` still holds when its turn comes. */
  sendStatus(publisher: Publisher, creationId: number, statusRef: string, status: JobStatus, log: Logger, onlyIf?: () => Promise<boolean>): Promise<void>;
  /** A job was queued: wake idle workers. */
  notify(): void;
}

export async function imagine(
  deps: Pick<SalonDeps, "communities" | "creations" | "provider" | "publishers" | "clock" | "logger" | "options">,
  actor: Actor,
  input: ImagineInput,
  queue: QueueHandle,
): Promise<{ creation: Creation; position: number }> {
  const { creations, clock, options } = deps;
  const community = await admitCreator(deps, actor);
  // A remix: its parent may have been deleted, or its creator refused remixes, since the form was opened.
  const parent = input.remixOf === undefined ? null : await remixableParent(deps, community, actor, input.remixOf);
  const prompt = validatePrompt(input.prompt, community.maxPromptLength);
  const now = clock.now();
  const day = localDay(now, community.timezone);
  const usage = await creations.usage(community.id, actor.userId, day);
  if (usage.lastRequestAt) throwIfCoolingDown(community, usage.lastRequestAt, now);
  if (usage.memberToday >= community.perMemberDaily) throw quotaError(community);
  // A remix keeps its parent's shape and quality.
  const aspect = input.aspect ?? parent?.aspect ?? DEFAULT_ASPECT;
  const quality = input.quality ?? parent?.quality ?? DEFAULT_QUALITY;
  const size = SIZE_OF_ASPECT[aspect];
  // A remix is an edit (no streamed previews); an original pays for its previews' output tokens.
  const cost = parent
    ? editPriceMicroUsd(options.prices, options.remix?.editInputPrices ?? {}, options.imageModel, quality, size, parent.size)
    : originalCostMicroUsd(options, quality, size);
  if (usage.spendTodayMicroUsd + cost > community.budgetMicroUsd) throw budgetError(community, usage.spendTodayMicroUsd);

  // A database that can't take the insert (locked, read-only) refuses now, before OpenAI is asked anything.
  await creations.checkWritable();
  const moderation = await moderatePrompt(deps, prompt);
  if (moderation.flagged) {
    const words = moderation.categories.length > 0 ? moderation.categories.join(", ") : "content policy";
    throw new UserError("prompt_flagged", `Your prompt was flagged by moderation (${words}). Please rephrase it.`);
  }

  // Every limit is checked again inside the insert: two requests sent together (moderation takes a while) can't
  // both pass the cooldown or take the last slot.
  const created = await creations.insertCreationWithinLimits(
    { communityId: community.id, userId: actor.userId, prompt, aspect, quality, size, model: options.imageModel, costMicroUsd: cost, day, now, statusRef: input.statusRef, notBefore: input.statusRef ? new Date(now.getTime() + STATUS_GRACE_MS) : null, ...(parent ? { lineage: lineageOf(parent) } : {}) },
    { perMemberDaily: community.perMemberDaily, budgetMicroUsd: community.budgetMicroUsd, cooldownMs: community.cooldownSeconds * 1000 },
  );
  if (created === "cooldown") {
    const { lastRequestAt } = await creations.usage(community.id, actor.userId, day);
    throwIfCoolingDown(community, lastRequestAt ?? now, now);
    throw new UserError("cooldown", "Please wait a moment before your next creation.");
  }
  if (created === "quota") throw quotaError(community);
  if (created === "budget") throw budgetError(community, (await creations.usage(community.id, actor.userId, day)).spendTodayMicroUsd);

  const position = await creations.queuePosition(created.id);
  if (created.statusRef) {
    // "Queued" goes through the queue's one writer for this message, and only while the job is still queued when its
    // turn comes: a worker that took the job meanwhile (the grace below ran out) has the message, and its edits follow
    // in order. Only once it is said may a worker take the job.
    const stillQueued = async () => (await creations.getCreation(created.id))?.status === "queued";
    await queue.sendStatus(publisherFor(deps, community.platform), created.id, created.statusRef, { state: "queued", position, creationId: created.id }, deps.logger, stillQueued);
    await creations.transitionCreation(created.id, ["queued"], { status: "queued", notBefore: null });
  }
  queue.notify();
  return { creation: created, position };
}

/**
 * How long a request made at `now` must wait because of the member's last accepted request: nothing once the two are
 * the cooldown apart. Requests sent together are stored in any order, so the last accepted one may carry a later
 * timestamp than this one; they are still that close, and with a 0 s cooldown nothing ever waits.
 */
function cooldownWaitMs(lastRequestAt: Date, now: Date, cooldownMs: number): number {
  if (Math.abs(now.getTime() - lastRequestAt.getTime()) >= cooldownMs) return 0;
  return lastRequestAt.getTime() + cooldownMs - now.getTime();
}

function throwIfCoolingDown(community: Community, lastRequestAt: Date, now: Date): void {
  const waitMs = cooldownWaitMs(lastRequestAt, now, community.cooldownSeconds * 1000);
  if (waitMs > 0) throw new UserError("cooldown", `Please wait ${duration(waitMs / 1000)} before your next creation.`);
}

export function quotaError(community: Community): UserError {
  return new UserError("quota", `You've used all ${community.perMemberDaily} of today's creations. Your quota resets at midnight (${community.timezone}).`);
}

export function budgetError(community: Community, spent: number): UserError {
  return new UserError(
    "budget",
    `This community has reached today's image budget (${usd(spent)} of ${usd(community.budgetMicroUsd)}). It resets at midnight (${community.timezone}).`,
  );
}

/** Cancels a queued creation of the actor's; refunded because cancelled creations count toward nothing. */
export async function cancelCreation(deps: Pick<SalonDeps, "communities" | "creations" | "publishers" | "clock" | "logger">, actor: Actor, creationId: number, queue: QueueHandle): Promise<void> {
  const community = await requireSetUp(deps, actor);
  const creation = await deps.creations.getCreation(creationId);
  if (!creation || creation.communityId !== community.id) throw new UserError("not_found", "That creation no longer exists.");
  if (creation.authorUserId !== actor.userId) throw new UserError("not_yours", "Only the member who asked for this image can cancel it.");
  const moved = await deps.creations.transitionCreation(creationId, ["queued"], { status: "cancelled", finishedAt: deps.clock.now() });
  if (!moved) throw new UserError("not_cancellable", "It's too late to cancel: this image is already being made.");
  if (creation.statusRef) await queue.sendStatus(publisherFor(deps, community.platform), creationId, creation.statusRef, { state: "cancelled", creationId }, deps.logger);
}

/**
 * The gallery post's delete button: the creator or an admin removes the post; the creation leaves the rankings. The
 * post goes first: if the platform refuses, the member is told, and the creation stays posted and counted, as the
 * post still shows.
 */
export async function deleteCreation(deps: Pick<SalonDeps, "communities" | "creations" | "publishers" | "logger">, actor: Actor, creationId: number): Promise<void> {
  const community = await requireSetUp(deps, actor);
  const creation = await deps.creations.getCreation(creationId);
  if (!creation || creation.communityId !== community.id || creation.status !== "posted") {
    throw new UserError("not_found", "That creation is already gone.");
  }
  if (creation.authorUserId !== actor.userId && !actor.isAdmin) {
    throw new UserError("not_yours", "Only the creator or an admin can delete this post.");
  }
  if (creation.galleryChannelId && creation.galleryMessageId) {
    try {
      await publisherFor(deps, community.platform).deletePost(community, creation.galleryChannelId, creation.galleryMessageId);
    } catch (error) {
      deps.logger.warn({ err: error, creationId }, "the platform refused to delete a gallery post");
      const why = error instanceof PublishError && error.kind === "missing_access" ? ` ${error.fix ?? "I'm missing permissions there."}` : " Please try again in a moment.";
      throw new UserError("delete_refused", `I couldn't delete the post, so it stays in the gallery and keeps counting.${why}`, { cause: error });
    }
  }
  await deps.creations.transitionCreation(creationId, ["posted"], { status: "deleted" });
}
