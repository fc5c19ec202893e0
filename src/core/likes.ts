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

/**
 * Applies one reaction event. Replays and duplicates change nothing. Returns the like count when it was a gallery post:
 * the store's write returns it, recounted when the event changed something.
 */
export async function recordReaction(deps: Pick<SalonDeps, "communities" | "creations" | "likes" | "clock" | "metrics">, event: ReactionEvent): Promise<number | null> {
  const { communities, creations, likes, clock } = deps;
  const community = await communities.findCommunity(event.community);
  if (!community) return null;
  const creation = await creations.findCreationByPost(community.id, event.channelId, event.messageId);
  if (!creation || creation.status !== "posted") return null;
  if (!("isBot" in event && event.isBot)) deps.metrics?.reactionIngested();
  switch (event.kind) {
    case "add":
    case "remove":
      if (event.isBot) return creation.likeCount;
      return (await likes.setReaction(creation.id, community.id, event.userId, event.emoji, event.kind === "add", { at: clock.now(), member: event.member })) ?? creation.likeCount;
    case "remove_all":
      return likes.clearReactions(creation.id, undefined, clock.now());
    case "remove_emoji":
      return likes.clearReactions(creation.id, event.emoji, clock.now());
  }
}

/** The platform reported gallery posts deleted: their creations leave every ranking. */
export async function recordPostsDeleted(deps: Pick<SalonDeps, "communities" | "creations">, ref: CommunityRef, channelId: string, messageIds: string[]): Promise<number> {
  const community = await deps.communities.findCommunity(ref);
  if (!community) return 0;
  let removed = 0;
  for (const messageId of messageIds) {
    const creation = await deps.creations.findCreationByPost(community.id, channelId, messageId);
    if (creation && (await deps.creations.transitionCreation(creation.id, ["posted"], { status: "deleted" }))) removed++;
  }
  return removed;
}

/** What re-reading a community's likes needs. */
export type ReconcileDeps = Pick<SalonDeps, "communities" | "creations" | "likes" | "publishers" | "clock" | "logger" | "options">;

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
export async function reconcileCommunity(
  deps: ReconcileDeps,
  community: Community,
  opts: { parallel?: number; signal?: AbortSignal } = {},
): Promise<ReconcileResult> {
  const parallel = opts.parallel ?? 4;
  const { creations, likes, clock, logger, options } = deps;
  const publisher = publisherFor(deps, community.platform);
  const since = new Date(clock.now().getTime() - options.reconcileDays * 86_400_000);
  await likes.pruneForgottenReactions(community.id, since);
  const posts = await creations.listPostedSince(community.id, since);
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
          if (await creations.transitionCreation(creation.id, ["posted"], { status: "deleted" })) result.deleted++;
          continue;
        }
        const humans = reactions.filter((r) => !r.isBot).map((r) => ({ userId: r.userId, emoji: r.emoji, ...(r.member ? { member: r.member } : {}) }));
        if (community.minMemberAgeDays > 0) await learnJoinDates(deps, community, humans.map((r) => r.userId), asked);
        const count = await likes.replaceReactions(creation.id, community.id, humans, readStartedAt);
        if (count !== null && count !== creation.likeCount) result.corrected++;
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
async function learnJoinDates(deps: Pick<SalonDeps, "communities" | "publishers" | "logger">, community: Community, userIds: string[], asked: Set<string>): Promise<void> {
  const publisher = publisherFor(deps, community.platform);
  if (!publisher.memberDates) return;
  const unknown = (await deps.communities.membersWithoutJoinDate(community.id, userIds)).filter((id) => !asked.has(id));
  for (const userId of unknown) {
    asked.add(userId);
    try {
      const dates = await publisher.memberDates(community, userId);
      if (dates) await deps.communities.setMemberDates(community.id, userId, dates);
    } catch (error) {
      deps.logger.warn({ err: error, userId }, "could not read a member's join date");
    }
  }
}
