/**
 * The likes port: the reactions on gallery posts, as seen live and as re-read from the platform, and the like count
 * they make. Every write of a post's reactions returns its like count after it, counted by the community's rules, so
 * no caller has to remember to recount.
 */
import type { MemberDates } from "../types.js";

export interface ReactionRow {
  userId: string;
  emoji: string;
  /** What the platform told about the member along with it (Discord: the account's creation, from the user id). */
  member?: MemberDates;
}

/** When and with what member facts a reaction was seen. */
export interface ReactionSeen {
  at: Date;
  member?: MemberDates | undefined;
}

export interface LikeStore {
  /**
   * Adds or removes one (member, emoji) reaction, stamped with when it was seen; the member's dates, when given, are
   * recorded. Returns the creation's like count after it when it changed something, null when it changed nothing (a
   * replay, a duplicate: the stored count stands).
   */
  setReaction(creationId: number, communityId: number, userId: string, emoji: string, present: boolean, seen: ReactionSeen): Promise<number | null>;
  /** Removes every reaction, or every reaction with one emoji, seen removed `at`. Returns the like count after it. */
  clearReactions(creationId: number, emoji: string | undefined, at: Date): Promise<number>;
  /**
   * Corrects the stored reactions with what the platform reported in a read that started at `readStartedAt`, without
   * undoing what live events changed meanwhile: a stored reaction the read missed is removed only if it was seen before
   * the read started, and a reaction the read found is added only if no live removal (of it, of its emoji, or of all)
   * was seen since the read started. Reactions of members who asked to be forgotten that are still up are not read
   * back (see `PrivacyStore.forgetMember`). Reactions found are stamped `readStartedAt`. Returns the like count after
   * it when something changed, null when nothing did.
   */
  replaceReactions(creationId: number, communityId: number, reactions: ReactionRow[], readStartedAt: Date): Promise<number | null>;
  /** Forgets live removals seen before `before`: no reconciliation still reads from before then. Returns how many. */
  pruneReactionRemovals(before: Date): Promise<number>;
  /** Recounts every creation the member reacted to (after they were blocked or unblocked). */
  recountMember(communityId: number, userId: string): Promise<void>;
  /** Recounts every posted creation of the community (after a rule change). Returns how many counts changed. */
  recountCommunity(communityId: number): Promise<number>;
  /** Drops the forgotten reactions on posts made before `postedBefore`: recounts no longer read those posts. */
  pruneForgottenReactions(communityId: number, postedBefore: Date): Promise<number>;
}
