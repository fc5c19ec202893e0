/**
 * Likes: a like is a distinct member with at least one qualifying reaction on a gallery post. Reactions are stored
 * as they are, with when they were seen and what the platform said about the member's age; what qualifies (emoji set,
 * self-likes, blocked members, minimum account and membership age) is applied when counting, so changing a rule and
 * recounting gives the right number. Bots' reactions are never stored.
 */
import type { SalonDeps } from "./deps.js";
import { publisherFor } from "./publisher-for.js";
import type { Community, CommunityRef, MemberDates } from "./types.js";

/** A reaction event, normalised by the platform adapter. */
export type ReactionEvent = { community: CommunityRef; channelId: string; messageId: string } & (
  | { kind: "add" | "remove"; userId: string; emoji: string; isBot: boolean; member?: MemberDates }
  | { kind: "remove_all" }
  | { kind: "remove_emoji"; emoji: string }
);

/** Applies one reaction event. Replays and duplicates change nothing. Returns the like count when it was a gallery post. */
export async function recordReaction(deps: Pick<SalonDeps, "store" | "clock">, event: ReactionEvent): Promise<number | null> {
  const { store, clock } = deps;
  const community = await store.findCommunity(event.community);
  if (!community) return null;
  const creation = await store.findCreationByPost(community.id, event.channelId, event.messageId);
  if (!creation || creation.status !== "posted") return null;
  let changed: boolean;
  switch (event.kind) {
    case "add":
    case "remove":
      if (event.isBot) return creation.likeCount;
      changed = await store.setReaction(creation.id, community.id, event.userId, event.emoji, event.kind === "add", { at: clock.now(), member: event.member });
      break;
    case "remove_all":
      await store.clearReactions(creation.id, undefined, clock.now());
      changed = true;
      break;
    case "remove_emoji":
      await store.clearReactions(creation.id, event.emoji, clock.now());
      changed = true;
      break;
  }
  return changed ? store.recountLikes(creation.id) : creation.likeCount;
}

/** The platform reported gallery posts deleted: their creations leave every ranking. */
export async function recordPostsDeleted(deps: Pick<SalonDeps, "store">, ref: CommunityRef, channelId: string, messageIds: string[]): Promise<number> {
  const community = await deps.store.findCommunity(ref);
  if (!community) return 0;
  let removed = 0;
  for (const messageId of messageIds) {
    const creation = await deps.store.findCreationByPost(community.id, channelId, messageId);
    if (creation && (await deps.store.transitionCreation(creation.id, ["posted"], { status: "deleted" }))) removed++;
  }
  return removed;
}

export interface ReconcileResult {
  posts: number;
  corrected: number;
  deleted: number;
  failed: number;
}

/**
 * Re-reads the reactions of the community's posts from the last `reconcileDays` days and corrects the stored ones:
 * reactions made or removed while the bot was offline, and posts deleted meanwhile. When the community has a minimum
 * membership age, the join dates of members first seen here are asked of the platform (where it tells them). An
 * aborted `signal` (shutdown) stops it after the posts being read; what was corrected stays corrected.
 */
export async function reconcileCommunity(deps: SalonDeps, community: Community, opts: { parallel?: number; signal?: AbortSignal } = {}): Promise<ReconcileResult> {
  const parallel = opts.parallel ?? 4;
  const { store, clock, logger, options } = deps;
  const publisher = publisherFor(deps, community.platform);
  const since = new Date(clock.now().getTime() - options.reconcileDays * 86_400_000);
  await store.pruneForgottenReactions(community.id, since);
  const posts = await store.listPostedSince(community.id, since);
  const result: ReconcileResult = { posts: posts.length, corrected: 0, deleted: 0, failed: 0 };
  const asked = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < posts.length && !opts.signal?.aborted) {
      const creation = posts[next++]!;
      try {
        // Live events keep arriving while the platform is read: the store keeps what they changed after this instant.
        const readStartedAt = clock.now();
        const reactions = await publisher.fetchReactions(community, creation.galleryChannelId!, creation.galleryMessageId!);
        if (reactions === "deleted") {
          if (await store.transitionCreation(creation.id, ["posted"], { status: "deleted" })) result.deleted++;
          continue;
        }
        const humans = reactions.filter((r) => !r.isBot).map((r) => ({ userId: r.userId, emoji: r.emoji, ...(r.member ? { member: r.member } : {}) }));
        if (community.minMemberAgeDays > 0) await learnJoinDates(deps, community, humans.map((r) => r.userId), asked);
        if (await store.replaceReactions(creation.id, community.id, humans, readStartedAt)) {
          const before = creation.likeCount;
          if ((await store.recountLikes(creation.id)) !== before) result.corrected++;
        }
      } catch (error) {
        result.failed++;
        logger.warn({ err: error, creationId: creation.id }, "could not reconcile a post's reactions");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, posts.length) }, worker));
  return result;
}

/**
 * Asks the platform when these members joined, for those whose join date is not known yet: one request per member
 * and run (`asked`). A member the platform cannot tell about (gone, or a failure) stays unknown, which counts.
 */
async function learnJoinDates(deps: SalonDeps, community: Community, userIds: string[], asked: Set<string>): Promise<void> {
  const publisher = publisherFor(deps, community.platform);
  if (!publisher.memberDates) return;
  const unknown = (await deps.store.membersWithoutJoinDate(community.id, userIds)).filter((id) => !asked.has(id));
  for (const userId of unknown) {
    asked.add(userId);
    try {
      const dates = await publisher.memberDates(community, userId);
      if (dates) await deps.store.setMemberDates(community.id, userId, dates);
    } catch (error) {
      deps.logger.warn({ err: error, userId }, "could not read a member's join date");
    }
  }
}

/** Recounts every creation a member reacted to (after a block, an unblock or a rule change). */
export async function recountMember(deps: Pick<SalonDeps, "store">, communityId: number, userId: string): Promise<void> {
  for (const id of await deps.store.creationsReactedBy(communityId, userId)) await deps.store.recountLikes(id);
}
