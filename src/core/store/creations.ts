/**
 * The creations port: `/imagine`'s requests through their life (queued → generating → posting → posted, or failed,
 * cancelled, deleted), the limits they are checked against, and the claims under which a process works on one.
 */
import type { QueueStats } from "../ports.js";
import type { Creation, CreationStatus, Platform } from "../types.js";

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
  /** A remix: its lineage (see `Creation`). */
  lineage?: { parentId: number; rootId: number; depth: number };
}

/** What the limits are checked against, read in the same transaction that inserts. */
export interface Usage {
  /** The member's creations of the day that use quota: all but failed, cancelled and held ones. */
  memberToday: number;
  /**
   * The community's spend of the day: what was paid for images made (whatever became of them), plus the reservation
   * of every creation still waiting for its image, plus the text model's calls outside any creation (polishing).
   */
  spendTodayMicroUsd: number;
  lastRequestAt: Date | null;
}

/** The limits a new creation must fit in. */
export interface CreationLimits {
  perMemberDaily: number;
  budgetMicroUsd: number;
  cooldownMs: number;
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
    | "imageChecked"
    | "heldUntil"
    | "title"
    | "altText"
  > & {
    startedAt: Date | null;
    finishedAt: Date | null;
    notBefore: Date | null;
    /** Micro-dollars the provider was paid for this creation just now (an image made): added to what it spent. */
    spend: number;
  }
>;

export interface CreationStore {
  /** Usage of the member and the community on `day` (see {@link Usage}). */
  usage(communityId: number, userId: string, day: string): Promise<Usage>;
  /**
   * Inserts a queued creation if, inside one transaction, the member's cooldown has passed and the member's count
   * and the community's spend for the day still leave room; returns which limit stopped it otherwise (and stores
   * nothing). Two racing requests (even from two processes) can never both pass a cooldown or take the last slot.
   */
  insertCreationWithinLimits(input: NewCreation, limits: CreationLimits): Promise<Creation | "cooldown" | "quota" | "budget">;
  /** The creation with this id, or null. */
  getCreation(id: number): Promise<Creation | null>;
  /** The creation whose gallery post this is, in this community only, or null. */
  findCreationByPost(communityId: number, channelId: string, messageId: string): Promise<Creation | null>;
  /** Applies a patch unconditionally (a spend is added to what was spent); returns the creation as stored after. */
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
   * never takes a job it could not finish. Two workers, even in two processes, never take the same job. Null when
   * nothing is ready.
   */
  claimNextJob(now: Date, owner: string, leaseMs: number, platforms: readonly Platform[]): Promise<Creation | null>;
  /**
   * Claims creation `id` for `owner` until `now + leaseMs`, as a job engine hands it over: a queued one whose
   * `notBefore` has passed becomes `generating` (and its member goes to the back of the line), a claimed one whose
   * claim ran out is taken over (one more attempt). "held" when another process holds it or it is not due yet; null
   * when it has ended or is gone (its job has nothing left to do).
   */
  claimCreation(id: number, owner: string, now: Date, leaseMs: number): Promise<Creation | "held" | null>;
  /**
   * Takes one image request of the `limit` allowed per `windowMs` across every process on this database (a sliding
   * window ending at `now`): 0 when taken, else how many ms to wait before asking again (nothing is taken then).
   */
  takeImageRequest(limit: number, windowMs: number, now: Date): Promise<number>;
  /** Extends `owner`'s claim on a creation it is working on; false when the claim is no longer its own. */
  renewClaim(id: number, owner: string, until: Date): Promise<boolean>;
  /** The earliest `notBefore` among queued creations of these platforms (the epoch for one without), to sleep until then. */
  nextJobDueAt(platforms: readonly Platform[]): Promise<Date | null>;
  /** How many creations are queued, and when the oldest of them was created (for `/metrics` and `/healthz`). */
  queueStats(): Promise<QueueStats>;
  /** Who holds job claims now: the owners of `generating`/`posting` creations. */
  claimOwners(): Promise<string[]>;
  /**
   * Ends the job claims of owners known to be gone (a crashed process), so their jobs are taken over at once instead
   * of when their lease runs out. Returns how many claims ended.
   */
  expireClaims(owners: string[]): Promise<number>;
  /**
   * Fails fast when the database cannot take a write right now (locked by another writer past the busy timeout,
   * read-only), so that a request is refused before it costs anything. Writes nothing.
   */
  checkWritable(): Promise<void>;
  /** Posted creations of the community posted at or after `since`, oldest first, for reconciliation. */
  listPostedSince(communityId: number, since: Date): Promise<Creation[]>;
  /** How many of the community's creations moderation held back (their image flagged) at or after `since`. */
  countHeld(communityId: number, since: Date): Promise<number>;
  /**
   * Held creations whose `heldUntil` has passed and that still keep their image, and of their images those no other
   * creation uses: the maintenance sweep deletes those files, then forgets the creations' images.
   */
  expiredHeldImages(now: Date): Promise<{ creationIds: number[]; imageHashes: string[] }>;
}
