/**
 * The communities port: each community (a Discord guild, a Slack workspace) with its settings, and its members as
 * Salon knows them (blocked or not, the dates the platform told). Every method is scoped by community.
 */
import type { Community, CommunityRef, MemberDates } from "../types.js";

export type CommunityPatch = Partial<Omit<Community, "id" | "platform" | "externalId">>;

export interface CommunityStore {
  /** The community of a platform's guild or workspace, or null when it was never set up. */
  findCommunity(ref: CommunityRef): Promise<Community | null>;
  /** The community of a platform's guild or workspace, created with the default settings when missing. Idempotent. */
  ensureCommunity(ref: CommunityRef): Promise<Community>;
  /** The community with this id, or null. */
  getCommunity(id: number): Promise<Community | null>;
  /** Changes the settings the patch names, and only those; returns the community as stored after. */
  updateCommunity(id: number, patch: CommunityPatch): Promise<Community>;
  /** Every community, in the order they were first stored. */
  listCommunities(): Promise<Community[]>;

  /** Whether an admin blocked the member; a member never seen is not blocked. */
  isBlocked(communityId: number, userId: string): Promise<boolean>;
  /**
   * Blocks or unblocks a member (stored even before their first act). It does not recount: the caller recounts the
   * creations they reacted to (`LikeStore.recountMember`).
   */
  setBlocked(communityId: number, userId: string, blocked: boolean): Promise<void>;
  /** Whether others may remix the member's creations (`/privacy remixes`); a member never seen allows them. */
  remixesAllowed(communityId: number, userId: string): Promise<boolean>;
  /** Sets it, stored even before the member's first act. */
  setRemixesAllowed(communityId: number, userId: string, allowed: boolean): Promise<void>;
  /** Of these members, those whose join date is not known, each once. */
  membersWithoutJoinDate(communityId: number, userIds: string[]): Promise<string[]>;
  /** Records what the platform says about a member's age; a date not given keeps what was stored. */
  setMemberDates(communityId: number, userId: string, dates: MemberDates): Promise<void>;
}
