/** The privacy port: `/privacy export` and `/privacy forget`, over everything stored about one member. */
import type { Creation } from "../types.js";

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

/** What a forget leaves for the caller to remove outside the database. */
export interface ForgetResult {
  /** Images no other creation uses any more: to delete from the files. */
  imageHashes: string[];
  /** The member's gallery posts: to delete on the platform. */
  posts: Array<{ channelId: string; messageId: string }>;
  /** Their reactions still up on others' posts (only they can remove them), which recounts skip. */
  reactionsLeft: number;
}

export interface PrivacyStore {
  /** Everything stored about the member in this community (an empty export for a member never seen). */
  exportMember(communityId: number, userId: string): Promise<MemberExport>;
  /**
   * Deletes the member's reactions and prompts and marks their creations deleted (their rows stay, so the day's spend
   * stays what was spent); recounts every creation they had reacted to. The reactions on others' posts are remembered
   * as forgotten (creation, member, emoji) so a recount does not read them back from the platform, where only the
   * member can remove them. Asking again is harmless.
   */
  forgetMember(communityId: number, userId: string): Promise<ForgetResult>;
}
