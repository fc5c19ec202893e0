/**
 * The polish port: `/imagine polish`'s drafts, each a polished prompt waiting for the member's choice, and the text
 * model's spend outside any creation, which the day's budget counts (see `Usage.spendTodayMicroUsd`).
 */
import type { Aspect, Quality } from "../types.js";

/** `pending`: waiting for a choice; `taken`: a choice is being applied; `used`: queued; `cancelled`. */
export type PolishDraftState = "pending" | "taken" | "used" | "cancelled";

export interface PolishDraft {
  id: number;
  communityId: number;
  userId: string;
  original: string;
  /** Null when the text model was off or failed: only the member's own prompt is offered. */
  polished: string | null;
  aspect: Aspect | null;
  quality: Quality | null;
  state: PolishDraftState;
  createdAt: Date;
}

export type NewPolishDraft = Omit<PolishDraft, "id" | "state">;

export interface PolishDraftStore {
  /** Stores a pending draft; drafts of the community made before `forgetBefore` are deleted on the way. */
  createDraft(draft: NewPolishDraft, forgetBefore: Date): Promise<PolishDraft>;
  /** The draft with this id in this community, or null. */
  getDraft(communityId: number, id: number): Promise<PolishDraft | null>;
  /**
   * Moves a draft from `from` to `to` only if it is still in `from`; true when it moved. Two clicks sent together
   * (even to two processes) can never both take a pending draft.
   */
  moveDraft(id: number, from: PolishDraftState, to: PolishDraftState): Promise<boolean>;
  /** Adds what the text model was paid, outside any creation, to the community's spend of `day`. */
  addTextSpend(communityId: number, day: string, microUsd: number): Promise<void>;
  /** The community's text spend of `day`. */
  textSpend(communityId: number, day: string): Promise<number>;
  /** A member's drafts, oldest first (`/privacy export`). */
  memberDrafts(communityId: number, userId: string): Promise<PolishDraft[]>;
  /** Deletes a member's drafts (`/privacy forget`); returns how many. */
  forgetMember(communityId: number, userId: string): Promise<number>;
}
