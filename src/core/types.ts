/** Plain domain types shared by the core and its adapters. */

export type Platform = "discord" | "slack";
export type Aspect = "square" | "portrait" | "landscape";
export type Quality = "low" | "medium" | "high";
export type ImageSize = "1024x1024" | "1024x1536" | "1536x1024";
export type TopPeriod = "today" | "week" | "month" | "all";
export type TopBy = "creations" | "creators";
export type DigestDay = "yesterday" | "today";

export const ASPECTS = ["square", "portrait", "landscape"] as const satisfies readonly Aspect[];
export const QUALITIES = ["low", "medium", "high"] as const satisfies readonly Quality[];
export const TOP_PERIODS = ["today", "week", "month", "all"] as const satisfies readonly TopPeriod[];

export const SIZE_OF_ASPECT: Record<Aspect, ImageSize> = {
  square: "1024x1024",
  portrait: "1024x1536",
  landscape: "1536x1024",
};

/**
 * Life of a creation: `queued` → `generating` → `posting` → `posted`; or `failed` / `cancelled` (refunded: neither
 * counts toward quota nor budget); `deleted` when its gallery post is gone (it keeps its cost, it leaves rankings);
 * `held` when moderation flagged its image: never posted, refunded (it keeps its cost: it was paid), file kept until
 * `heldUntil`.
 */
export type CreationStatus = "queued" | "generating" | "posting" | "posted" | "failed" | "cancelled" | "deleted" | "held";

/** One Discord guild or Slack workspace. */
export interface CommunityRef {
  platform: Platform;
  externalId: string;
}

/** Who is acting: a member of a community, with admin rights as the platform reports them. */
export interface Actor {
  community: CommunityRef;
  userId: string;
  displayName?: string;
  isAdmin: boolean;
}

/** What the platform says about a member's age; absent or null: not known (such a member's reactions count). */
export interface MemberDates {
  /** When the platform account was created. */
  accountCreatedAt?: Date | null;
  /** When the member last joined the community. */
  joinedAt?: Date | null;
}

/** A community's settings as stored; defaults come from PRODUCT.md. */
export interface Community {
  id: number;
  platform: Platform;
  externalId: string;
  galleryChannelId: string | null;
  digestChannelId: string | null;
  /** Local time of the digest, `HH:MM`. */
  digestTime: string;
  /** IANA time zone name. */
  timezone: string;
  perMemberDaily: number;
  /** Daily budget in micro-dollars (1 USD = 1,000,000), so sums stay exact. */
  budgetMicroUsd: number;
  cooldownSeconds: number;
  digestSize: number;
  maxPromptLength: number;
  /** Emoji that count as likes; `null` means any emoji. */
  likeEmoji: string[] | null;
  allowSelfLikes: boolean;
  /** Anti-farming: a reaction counts only if the member's platform account was at least this many days old when they
   * reacted (0: no minimum). */
  minAccountAgeDays: number;
  /** The same for the member's time in the community (since they last joined). */
  minMemberAgeDays: number;
  /**
   * Why the bot can't post in the gallery (missing permission, deleted channel), shown in `/salon settings`; while
   * set, `/imagine` is refused before anything is spent.
   */
  problem: string | null;
  /** The same for the digest channel; shown, and it stops nothing else. */
  digestProblem: string | null;
}

/** A creation as the core and the publishers see it. */
export interface Creation {
  id: number;
  communityId: number;
  authorUserId: string;
  prompt: string;
  aspect: Aspect;
  quality: Quality;
  size: ImageSize;
  model: string;
  status: CreationStatus;
  costMicroUsd: number;
  /** The community-local calendar day it was requested on, `YYYY-MM-DD` (quota and budget day). */
  day: string;
  createdAt: Date;
  imageHash: string | null;
  galleryChannelId: string | null;
  galleryMessageId: string | null;
  galleryUrl: string | null;
  postedAt: Date | null;
  likeCount: number;
  error: string | null;
  attempts: number;
  /** Times it waited out a rate limit (OpenAI's or the platform's): bounded, so a provider that keeps answering 429 fails it. */
  rateLimitedWaits: number;
  /** Opaque handle the platform adapter uses to edit the member's status message. */
  statusRef: string | null;
  /** Whether moderation passed its stored image: it is posted only then (see src/core/image-check.ts). */
  imageChecked: boolean;
  /** A held creation's image file is kept until then for the operator, then deleted; null otherwise. */
  heldUntil: Date | null;
  /** Remix lineage: the creation remixed and the original of the chain (null for an original); 0 for an original. */
  parentId: number | null;
  rootId: number | null;
  depth: number;
  /** The text model's title (≤ 60) and alt text (≤ 300); null: the prompt's excerpt and the prompt stand in (titles.ts). */
  title: string | null;
  altText: string | null;
}

/** One entry of a ranking (digest or `/top` by creations). */
export interface RankedCreation {
  rank: number;
  creationId: number;
  prompt: string;
  authorUserId: string;
  likeCount: number;
  channelId: string;
  messageId: string;
  url: string;
  imageHash: string | null;
  postedAt: Date;
  /** The text model's title; null: the prompt's excerpt is shown (`creationTitle`). */
  title: string | null;
  /**
   * A remix's original (the root of its chain) by its creator, credited beside the remixer; the creator is null when
   * the original is gone (deleted, or its creator forgotten): "a former member". Null for an original.
   */
  remixOf: { authorUserId: string | null } | null;
}

/** One entry of `/top by:creators`. */
export interface RankedCreator {
  rank: number;
  userId: string;
  likeCount: number;
  creations: number;
  bestUrl: string | null;
}

/**
 * One entry of a digest. A digest edited after its creator asked to be forgotten shows "a former member": no author id,
 * no prompt, no link.
 */
export type DigestEntryView = Omit<RankedCreation, "authorUserId"> & { authorUserId: string | null };

/** The published (or previewed) ranking of one community for one calendar day. */
export interface DigestView {
  /** `YYYY-MM-DD` in the community's timezone. */
  day: string;
  /** e.g. "25 November 2026". */
  title: string;
  entries: DigestEntryView[];
  /** The top creator is null when no creation was liked; its `userId` null when they are a former member. */
  summary: { creations: number; likers: number; topCreator: { userId: string | null; likeCount: number } | null };
}

export interface ProfileView {
  userId: string;
  creations: number;
  likesReceived: number;
  best: { url: string; prompt: string; title: string | null; likeCount: number } | null;
  /** Rank among creators by likes received this week; null when the member has no likes this week. */
  weekRank: number | null;
  /** Consecutive community-local days, ending today or yesterday, with at least one posted creation. */
  streakDays: number;
  /** The member's posted remixes, and the posted remixes other members made of the member's creations. */
  remixesMade: number;
  remixesReceived: number;
}
