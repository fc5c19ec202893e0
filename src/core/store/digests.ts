/**
 * The digests port: one record per community and day, which is the claim that makes each digest post exactly once
 * (across timers, restarts and processes), and what a posted digest listed, to edit it later.
 */
import type { DigestView } from "../types.js";

export type DigestCompletion =
  | { status: "posted"; channelId: string; messageId: string; digest: DigestView; at: Date }
  | { status: "empty"; at: Date };

/** Where a posted digest is. */
export interface PostedDigestRef {
  day: string;
  channelId: string;
  messageId: string;
}

export interface DigestStore {
  /**
   * Claims the digest of a community and day for `owner`. True when this caller now owns it: no record existed, the
   * last claim was released, or an earlier claim was never completed and its lease (`leaseMs` from when it was taken)
   * expired. A completed digest is never claimed again; of two callers racing, one wins.
   */
  claimDigest(communityId: number, day: string, owner: string, now: Date, leaseMs: number): Promise<boolean>;
  /** Records a claimed digest as done: posted (where, and what it listed, for later edits) or empty. */
  completeDigest(communityId: number, day: string, result: DigestCompletion): Promise<void>;
  /** Posted digests that list a creation of the member or name them top creator (to edit them after a forget), oldest first. */
  digestsNaming(communityId: number, userId: string): Promise<PostedDigestRef[]>;
  /**
   * A posted digest as it was posted, from what was recorded: ranks and like counts as shown, the creations as they are
   * now. A member forgotten since is a former member: no id, no prompt, no link. Null when it was not posted.
   */
  postedDigest(communityId: number, day: string): Promise<DigestView | null>;
  /** Releases `owner`'s claim after a failure so the next tick can try again; another owner's claim stays. */
  releaseDigest(communityId: number, day: string, owner: string): Promise<void>;
  /** The record's status (`claimed`, `released`, `posted`, `empty`), or null when there is none. */
  digestStatus(communityId: number, day: string): Promise<string | null>;
  /** Who holds digest claims now: the owners of claimed, unfinished digests. */
  claimOwners(): Promise<string[]>;
  /** Ends the digest claims of owners known to be gone, so they are taken over at once. Returns how many ended. */
  expireClaims(owners: string[]): Promise<number>;
}
