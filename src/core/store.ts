/**
 * The persistence port. The Prisma implementation lives in `src/store`; its tests run against a real database.
 * Every method is scoped by community: nothing here reads or writes across communities.
 */
import type { Community, CommunityRef, Creation, CreationStatus, DigestView, MemberDates, Platform, RankedCreation, RankedCreator } from "./types.js";

export type CommunityPatch = Partial<Omit<Community, "id" | "platform" | "externalId">>;

export interface NewCreation {
  communityId: number;
  userId: string;
  prompt: string;
  aspect: Creation["aspect"];
  quality: Creation["quality"];
  size: Creation["size"];
  model: string;
  costMicroUsd: number;
  day: string;
  now: Date;
  statusRef: string | null;
  /** Not claimable before this instant (the member's "queued" message goes out first). */
  notBefore?: Date | null;
}

/** What the limits are checked against, read in the same transaction that inserts. */
export interface Usage {
  /** The member's creations of the day that use quota: all but failed and cancelled ones. */
  memberToday: number;
  /**
   * The community's spend of the day: what was paid for images made (whatever became of them), plus the reservation
   * of every creation still waiting for its image.
   */
  spendTodayMicroUsd: number;
  lastRequestAt: Date | null;
}

export type CreationPatch = Partial<
  Pick<
    Creation,
    | "status"
    | "error"
    | "attempts"
    | "rateLimitedWaits"
    | "imageHash"
    | "galleryChannelId"
    | "galleryMessageId"
    | "galleryUrl"
    | "postedAt"
    | "statusRef"
    | "prompt"
  > & {
    startedAt: Date | null;
    finishedAt: Date | null;
    notBefore: Date | null;
    /** Micro-dollars the provider was paid for this creation just now (an image made): added to what it spent. */
    spend: number;
  }
>;

export type DigestCompletion =
  | { status: "posted"; channelId: string; messageId: string; digest: DigestView; at: Date }
  | { status: "empty"; at: Date };

export interface WindowStats {
  creations: number;
  likers: number;
}

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

export interface MemberExport {
  userId: string;
  blocked: boolean;
  accountCreatedAt: Date | null;
  joinedAt: Date | null;
  creations: Array<Pick<Creation, "id" | "prompt" | "aspect" | "quality" | "size" | "model" | "status" | "costMicroUsd" | "createdAt" | "postedAt" | "galleryUrl" | "likeCount" | "imageHash">>;
  reactions: Array<{ creationId: number; emoji: string; galleryUrl: string | null; reactedAt: Date | null }>;
  /** Reactions left on the platform after `/privacy forget`, which recounts skip. */
  forgottenReactions: Array<{ creationId: number; emoji: string; galleryUrl: string | null }>;
}

export interface Store {
  findCommunity(ref: CommunityRef): Promise<Community | null>;
  ensureCommunity(ref: CommunityRef): Promise<Community>;
  getCommunity(id: number): Promise<Community | null>;
  updateCommunity(id: number, patch: CommunityPatch): Promise<Community>;
  listCommunities(): Promise<Community[]>;

  isBlocked(communityId: number, userId: string): Promise<boolean>;
  setBlocked(communityId: number, userId: string, blocked: boolean): Promise<void>;

  /** Usage of the member and the community on `day` (see {@link Usage}). */
  usage(communityId: number, userId: string, day: string): Promise<Usage>;
  /**
   * Inserts a queued creation if, inside one transaction, the member's cooldown has passed and the member's count
   * and the community's spend for the day still leave room; returns which limit stopped it otherwise. Two racing
   * requests (even from two processes) can never both pass a cooldown or take the last slot.
   */
  insertCreationWithinLimits(
    input: NewCreation,
    limits: { perMemberDaily: number; budgetMicroUsd: number; cooldownMs: number },
  ): Promise<Creation | "cooldown" | "quota" | "budget">;
  getCreation(id: number): Promise<Creation | null>;
  findCreationByPost(communityId: number, channelId: string, messageId: string): Promise<Creation | null>;
  updateCreation(id: number, patch: CreationPatch): Promise<Creation>;
  /**
   * Moves a creation from one status to another only if it is still in `from` (and, with `owner`, only while that
   * owner still holds its claim); true when it moved. Leaving `generating`/`posting` drops the claim; ending (posted,
   * failed, cancelled, deleted) drops `statusRef`.
   */
  transitionCreation(id: number, from: CreationStatus[], patch: CreationPatch & { status: CreationStatus }, owner?: string): Promise<boolean>;
  /** Queued creations ahead of this one in round-robin order, plus one. 0 when it is not queued. */
  queuePosition(id: number): Promise<number>;
  /**
   * Takes the next job for `owner`, with a claim that holds until `now + leaseMs`: first a `generating`/`posting`
   * creation whose claim expired (its process died; it keeps its status and counts one more attempt), else the
   * oldest queued creation of the member whose turn came longest ago (round-robin) whose `notBefore` has passed,
   * marked `generating`. Only creations of communities on `platforms` (those this process can post to): a process
   * never takes a job it could not finish. Null when nothing is ready.
   */
  claimNextJob(now: Date, owner: string, leaseMs: number, platforms: readonly Platform[]): Promise<Creation | null>;
  /** Extends `owner`'s claim on a creation it is working on; false when the claim is no longer its own. */
  renewClaim(id: number, owner: string, until: Date): Promise<boolean>;
  /** The earliest `notBefore` among queued creations of these platforms, to sleep until then. */
  nextJobDueAt(platforms: readonly Platform[]): Promise<Date | null>;
  /** Who holds claims now: owners of `generating`/`posting` creations and of unfinished digests. */
  claimOwners(): Promise<string[]>;
  /**
   * Ends the claims of owners known to be gone (a crashed process), creations' and digests' alike, so they are
   * taken over at once instead of when their lease runs out. Returns how many claims ended.
   */
  expireClaims(owners: string[]): Promise<number>;
  /**
   * Fails fast when the database cannot take a write right now (locked by another writer past the busy timeout,
   * read-only), so that a request is refused before it costs anything.
   */
  checkWritable(): Promise<void>;
  /** Posted creations of the community posted at or after `since`, for reconciliation. */
  listPostedSince(communityId: number, since: Date): Promise<Creation[]>;

  /**
   * Adds or removes one (member, emoji) reaction, stamped with when it was seen; the member's dates, when given, are
   * recorded. True when something changed.
   */
  setReaction(creationId: number, communityId: number, userId: string, emoji: string, present: boolean, seen: ReactionSeen): Promise<boolean>;
  /** Removes every reaction, or every reaction with one emoji, seen removed `at`. */
  clearReactions(creationId: number, emoji: string | undefined, at: Date): Promise<void>;
  /**
   * Corrects the stored reactions with what the platform reported in a read that started at `readStartedAt`, without
   * undoing what live events changed meanwhile: a stored reaction the read missed is removed only if it was seen before
   * the read started, and a reaction the read found is added only if no live removal (of it, of its emoji, or of all)
   * was seen since the read started. Reactions of members who asked to be forgotten that are still up are not read
   * back (see `forgetMember`). Reactions found are stamped `readStartedAt`. True when something changed.
   */
  replaceReactions(creationId: number, communityId: number, reactions: ReactionRow[], readStartedAt: Date): Promise<boolean>;
  /** Forgets live removals seen before `before`: no reconciliation still reads from before then. */
  pruneReactionRemovals(before: Date): Promise<number>;
  /** Of these members, those whose join date is not known. */
  membersWithoutJoinDate(communityId: number, userIds: string[]): Promise<string[]>;
  /** Records what the platform says about a member's age. */
  setMemberDates(communityId: number, userId: string, dates: MemberDates): Promise<void>;
  /** Recounts every posted creation of the community that has reactions (after a rule change). Returns how many changed. */
  recountCommunity(communityId: number): Promise<number>;
  /** Drops the forgotten reactions on posts made before `postedBefore`: recounts no longer read those posts. */
  pruneForgottenReactions(communityId: number, postedBefore: Date): Promise<number>;
  /** Recomputes and stores the like count of a creation from its reactions and the community's rules. */
  recountLikes(creationId: number): Promise<number>;
  /** Ids of creations a member has reacted to (to recount when the member is blocked or forgotten). */
  creationsReactedBy(communityId: number, userId: string): Promise<number[]>;

  /** Posted creations with at least one like, posted in [from, to), most liked first, ties to the earlier post. */
  topCreations(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreation[]>;
  /** Creators by likes received on creations posted in [from, to). */
  topCreators(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreator[]>;
  /** Posted creations in [from, to) and the distinct members whose like counts on them. */
  windowStats(communityId: number, from: Date, to: Date): Promise<WindowStats>;
  /** Every posted creation of a member, newest first. */
  memberCreations(communityId: number, userId: string): Promise<Creation[]>;

  /**
   * Claims the digest of a community and day for `owner`. True when this caller now owns it: no row existed, or an
   * earlier claim was never completed and its lease expired. A completed digest is never claimed again.
   */
  claimDigest(communityId: number, day: string, owner: string, now: Date, leaseMs: number): Promise<boolean>;
  /** Records a digest as done: posted (where, and what it listed, for later edits) or empty. */
  completeDigest(communityId: number, day: string, result: DigestCompletion): Promise<void>;
  /** Posted digests that list a creation of the member or name them top creator (to edit them after a forget). */
  digestsNaming(communityId: number, userId: string): Promise<Array<{ day: string; channelId: string; messageId: string }>>;
  /**
   * A posted digest as it was posted, from what was recorded: ranks and like counts as shown, the creations as they are
   * now. A member forgotten since is a former member: no id, no prompt, no link.
   */
  postedDigest(communityId: number, day: string): Promise<DigestView | null>;
  /** Releases a claim after a failure so the next tick can try again. */
  releaseDigest(communityId: number, day: string, owner: string): Promise<void>;
  digestStatus(communityId: number, day: string): Promise<string | null>;

  /**
   * Records deliveries by their keys (event id, natural key). True the first time any of them is seen; false when
   * one was seen before, so a replayed or re-identified event is handled once.
   */
  firstDelivery(keys: string[], now: Date): Promise<boolean>;
  /** Un-records deliveries whose handling failed, so a redelivery is handled. */
  releaseDelivery(keys: string[]): Promise<void>;
  /** Forgets deliveries recorded before `before`. */
  pruneDeliveries(before: Date): Promise<number>;

  exportMember(communityId: number, userId: string): Promise<MemberExport>;
  /**
   * Deletes the member's reactions and prompts and marks their creations deleted; recounts every creation they had
   * reacted to. The reactions on others' posts are remembered as forgotten (creation, member, emoji) so a recount
   * does not read them back from the platform, where only the member can remove them. Returns what the caller must still remove outside the database.
   */
  forgetMember(communityId: number, userId: string): Promise<{ imageHashes: string[]; posts: Array<{ channelId: string; messageId: string }>; reactionsLeft: number }>;
}
