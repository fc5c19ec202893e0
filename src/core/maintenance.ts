/**
 * Periodic upkeep: re-reading recent likes (platforms drop events: Bolt acknowledges Slack's before the listener runs,
 * the gateway never redelivers), and forgetting records nothing needs any more, so no table grows without bound.
 */
import type { SalonDeps } from "./deps.js";
import type { Community } from "./types.js";

/** How often records nothing needs any more are forgotten. */
export const PRUNE_EVERY_MS = 10 * 60_000;

/** Deliveries older than this can no longer be redelivered by a platform (Slack retries within minutes). */
export const DELIVERY_RETENTION_MS = 2 * 86_400_000;
/** Live removals older than this are older than any reconciliation still reading the platform. */
export const REMOVAL_RETENTION_MS = 60 * 60_000;

/**
 * Whether the community's periodic re-read falls in the minute of `now`: each community has its own minute of the
 * period (spread by its id), so a deployment with many communities never asks the platform for all of them at once.
 */
export function reconcileDue(community: Pick<Community, "id">, now: Date, everyMinutes: number): boolean {
  if (everyMinutes <= 0) return false;
  const minute = Math.floor(now.getTime() / 60_000) % everyMinutes;
  // Knuth's multiplicative hash spreads neighbouring ids across the period.
  return (Math.imul(community.id, 2_654_435_761) >>> 0) % everyMinutes === minute;
}

/**
 * Claims one due moment of a periodic task (`prune`, `reconcile:<community id>`) for this process: of any number of
 * schedulers, on any host, exactly one gets true. The claim is a delivery key (the key's row is unique, so of racing
 * inserts one wins), named after the task and its moment rather than the time a host's tick fired, so schedulers
 * whose clocks differ by seconds still claim the same moment; it is forgotten with the deliveries, two days on. A
 * scheduler that dies mid-task leaves that moment undone: the task's next moment does the work (both are catch-ups).
 */
export function claimDueMoment(deps: Pick<SalonDeps, "deliveries" | "clock">, task: string, moment: Date): Promise<boolean> {
  return deps.deliveries.firstDelivery([`scheduled:${task}:${moment.toISOString()}`], deps.clock.now());
}

/**
 * Forgets deliveries and live removals no one needs any more, and the forgotten reactions of posts older than the
 * recount window (recounts no longer read them); deletes the files of held images past their `heldUntil`. Returns how
 * many rows (and held images) went.
 */
export async function pruneRecords(
  deps: Pick<SalonDeps, "communities" | "likes" | "deliveries" | "creations" | "files" | "clock" | "options">,
): Promise<{ deliveries: number; removals: number; forgotten: number; heldImages: number }> {
  const heldImages = await deleteExpiredHeldImages(deps);
  const now = deps.clock.now().getTime();
  const deliveries = await deps.deliveries.pruneDeliveries(new Date(now - DELIVERY_RETENTION_MS));
  const removals = await deps.likes.pruneReactionRemovals(new Date(now - REMOVAL_RETENTION_MS));
  let forgotten = 0;
  const window = new Date(now - deps.options.reconcileDays * 86_400_000);
  for (const community of await deps.communities.listCommunities()) forgotten += await deps.likes.pruneForgottenReactions(community.id, window);
  return { deliveries, removals, forgotten, heldImages };
}

/**
 * Deletes the images moderation held back once they were kept their time for the operator (`heldUntil`): the files
 * first (a file another creation also uses stays), then the creations forget them, so a sweep that dies in between
 * deletes again next time. Returns how many held creations lost their image.
 */
export async function deleteExpiredHeldImages(deps: Pick<SalonDeps, "creations" | "files" | "clock">): Promise<number> {
  const { creationIds, imageHashes } = await deps.creations.expiredHeldImages(deps.clock.now());
  for (const hash of imageHashes) await deps.files.delete(hash);
  for (const id of creationIds) await deps.creations.updateCreation(id, { imageHash: null });
  return creationIds.length;
}
