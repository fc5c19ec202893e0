/**
 * The ports the core talks to. Adapters (OpenAI, Discord, Slack, the Prisma store, the scheduler) implement them;
 * the core never imports an SDK.
 */
import type { PublishError } from "./errors.js";
import type { Community, Creation, DigestView, ImageSize, MemberDates, Platform, Quality } from "./types.js";

/** Time, injectable so tests can move it. */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface GeneratedImage {
  bytes: Buffer;
  mimeType: "image/png" | "image/jpeg";
}

export interface ModerationResult {
  flagged: boolean;
  /** Flagged categories in words, e.g. "violence", "self-harm". */
  categories: string[];
}

/**
 * Generates images and moderates prompts and images. Implementations make exactly one attempt per call and throw a
 * `ProviderError` whose kind tells the caller whether and when to retry.
 */
export interface ImageProvider {
  generate(request: {
    prompt: string;
    model: string;
    size: ImageSize;
    quality: Quality;
    /** A stable, hashed member id (never the raw platform id) for the provider's abuse monitoring. */
    user: string;
    signal?: AbortSignal;
    /** Partial images to stream while the image is made (0 or absent: none, one plain request). */
    partialImages?: 0 | 1 | 2;
    /** Called with each partial image as it arrives (`index` 1-based, of `of`); never called when `partialImages` is 0. */
    onPartialImage?: (preview: { image: GeneratedImage; index: number; of: number }) => void;
  }): Promise<GeneratedImage>;
  moderate(prompt: string, signal?: AbortSignal): Promise<ModerationResult>;
  /** Moderates a finished image together with its prompt, before anyone sees it. */
  moderateImage(request: { prompt: string; image: GeneratedImage; signal?: AbortSignal }): Promise<ModerationResult>;
  /** A remix: a new image from `image` (the parent's stored image) and `prompt`, by OpenAI's image edit endpoint. */
  edit(request: { prompt: string; image: GeneratedImage; model: string; size: ImageSize; quality: Quality; user: string; signal?: AbortSignal }): Promise<GeneratedImage>;
}

/** The text model (TEXT_MODEL): polishes prompts and writes titles and alt text. One attempt per call; throws ProviderError. */
export interface TextModel {
  readonly model: string;
  /** Rewrites a prompt into a richer one in the member's own language, keeping their subject and intent. */
  polish(request: { prompt: string; user: string; signal?: AbortSignal }): Promise<{ text: string; costMicroUsd: number }>;
  /** A short title (≤ 60 characters) and alt text (≤ 300) for the image made from `prompt`. */
  caption(request: { prompt: string; user: string; signal?: AbortSignal }): Promise<{ title: string; altText: string; costMicroUsd: number }>;
}

/**
 * Content-addressed image storage: files under the data directory (SQLite), the database (PostgreSQL) or a bucket;
 * every implementation passes test/images/contract. An image is named by the SHA-256 of its bytes.
 */
export interface ImageFiles {
  /** Stores the bytes and returns their SHA-256 hex digest; storing the same bytes twice is a no-op. */
  put(bytes: Buffer, mimeType: GeneratedImage["mimeType"]): Promise<string>;
  /** The image, or null when the store does not hold it. */
  get(hash: string): Promise<GeneratedImage | null>;
  /** Deleting an image that is not there is not an error. */
  delete(hash: string): Promise<void>;
}

/** Where a message landed on the platform. */
export interface PostRef {
  channelId: string;
  messageId: string;
  url: string;
}

/** One member's reaction with one emoji, as read back from the platform. */
export interface ReactionSnapshot {
  userId: string;
  /** Normalised emoji: the unicode character for standard emoji, `name:id` for custom ones. */
  emoji: string;
  isBot: boolean;
  /** What the platform tells about the member with it, if anything. */
  member?: MemberDates;
}

/** What the member's status message should say now. */
export type JobStatus =
  | { state: "queued"; position: number; creationId: number }
  | { state: "generating"; creationId: number; preview?: { index: number; of: number; image: GeneratedImage } }
  | { state: "posted"; creationId: number; url: string }
  | { state: "failed"; creationId: number; reason: string }
  | { state: "cancelled"; creationId: number };

/** Who and what a remix credits: the parent's post and creator; null ones when the parent is gone ("a former member"). */
export interface RemixCredit {
  parentUrl: string | null;
  parentAuthorUserId: string | null;
}

/** A platform's outbound side, as the core needs it. One per platform. */
export interface Publisher {
  readonly platform: Platform;
  /** Posts the creation to the community's gallery channel with the bot's own credentials. */
  postCreation(input: { community: Community; creation: Creation; image: GeneratedImage; remixOf?: RemixCredit | null }): Promise<PostRef>;
  /**
   * Looks before a repost: the gallery post of this creation that an interrupted attempt may already have made
   * (the bot's own messages in the gallery since `since`), or null when there is none.
   */
  findCreationPost(input: { community: Community; creation: Creation; since: Date }): Promise<PostRef | null>;
  /** Deletes a gallery post; a post that is already gone is not an error. */
  deletePost(community: Community, channelId: string, messageId: string): Promise<void>;
  postDigest(input: { community: Community; channelId: string; digest: DigestView; collage: GeneratedImage | null }): Promise<PostRef>;
  /**
   * Replaces a posted digest's text and collage (after `/privacy forget`: the member is "a former member" there now).
   * A digest that is gone is not an error.
   */
  editDigest(input: { community: Community; channelId: string; messageId: string; digest: DigestView; collage: GeneratedImage | null }): Promise<void>;
  /** Looks before a repost: this day's digest as the bot posted it in the channel since `since`, or null. */
  findDigestPost(input: { community: Community; channelId: string; digest: DigestView; since: Date }): Promise<PostRef | null>;
  /** Every reaction on a post, or "deleted" when the post no longer exists. */
  fetchReactions(community: Community, channelId: string, messageId: string): Promise<ReactionSnapshot[] | "deleted">;
  /**
   * When the member's account was made and when they joined, for platforms that can tell (Discord); null when the
   * member is not in the community any more.
   */
  memberDates?(community: Community, userId: string): Promise<MemberDates | null>;
  /**
   * Checks, without posting anything, whether the bot can post in a channel now: null when it can, otherwise the
   * `missing_access` or `channel_not_found` PublishError a post would get. Optional: a platform that can't tell without
   * posting leaves it out.
   */
  checkChannel?(community: Community, channelId: string): Promise<PublishError | null>;
  /** Edits the member's status message; failures (an expired token) are the adapter's to swallow and log. */
  updateStatus(statusRef: string, status: JobStatus): Promise<void>;
}

/** Renders the digest's collage from the top entries' images, with the digest's date and each entry's rank, title and likes. */
export interface CollageRenderer {
  render(input: { title: string /* the digest's date line */; tiles: { image: GeneratedImage; rank: number; title: string; likeCount: number }[] }): Promise<GeneratedImage>;
}

/** Structured logging, pino-shaped; `child` binds context such as the event id. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** The generation queue as a scrape sees it. */
export interface QueueStats {
  /** Creations queued and not claimed. */
  depth: number;
  /** When the oldest of them was created; null when none is queued. */
  oldestCreatedAt: Date | null;
}

/** How a generation job ended, as `/metrics` counts it. */
export type JobOutcome = "posted" | "failed" | "refused";

/** Where the core reports what operators count (`GET /metrics`); a no-op sink is fine. */
export interface MetricsSink {
  jobFinished(outcome: JobOutcome): void;
  generationSeconds(seconds: number): void;
  openaiError(kind: string): void;
  platformRateLimited(platform: string): void;
  reactionIngested(): void;
  digestPosted(): void;
}
