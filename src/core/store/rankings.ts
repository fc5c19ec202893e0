/**
 * The rankings port (read-only): `/top`, `/profile` and the digest's numbers, from the like counts the likes port
 * keeps. Windows are [from, to) on the post's time; a null bound is open. Ranking everywhere: likes, most first; ties
 * go to the earlier post.
 */
import type { Creation, RankedCreation, RankedCreator } from "../types.js";

export interface WindowStats {
  creations: number;
  likers: number;
}

export interface RankingStore {
  /** Posted creations with at least one like, posted in [from, to), most liked first, ties to the earlier post. */
  topCreations(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreation[]>;
  /**
   * Creators by likes received on their liked creations posted in [from, to), most first; ties to the creator whose
   * first liked post in the window is earlier. `bestUrl` is their most liked post there (ties to the earlier).
   */
  topCreators(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreator[]>;
  /** Posted creations in [from, to) and the distinct members whose reactions on them count as likes. */
  windowStats(communityId: number, from: Date, to: Date): Promise<WindowStats>;
  /** Every posted creation of a member, newest first. */
  memberCreations(communityId: number, userId: string): Promise<Creation[]>;
  /** Posted remixes other members made of the member's creations (a remix of a remix counts for its parent's creator). */
  remixesReceived(communityId: number, userId: string): Promise<number>;
}
