/**
 * The persistence ports, one per aggregate. The core reaches each as its own dependency (`deps.creations`,
 * `deps.likes`, …), so a use-case's `Pick<SalonDeps, …>` names exactly the aggregates it touches. The Prisma
 * implementations live in `src/store`; a contract suite per port (test/store/contracts) holds every implementation to
 * the behaviour documented here. Every method is scoped by community unless it says otherwise: nothing reads or writes
 * across communities.
 */
import type { CommunityStore } from "./communities.js";
import type { CreationStore } from "./creations.js";
import type { DeliveryStore } from "./deliveries.js";
import type { DigestStore } from "./digests.js";
import type { LikeStore } from "./likes.js";
import type { PolishDraftStore } from "./polish-drafts.js";
import type { PrivacyStore } from "./privacy.js";
import type { RankingStore } from "./rankings.js";

export interface Stores {
  communities: CommunityStore;
  creations: CreationStore;
  likes: LikeStore;
  rankings: RankingStore;
  digests: DigestStore;
  deliveries: DeliveryStore;
  privacy: PrivacyStore;
  polishDrafts: PolishDraftStore;
}

export type { CommunityPatch, CommunityStore } from "./communities.js";
export type { CreationLimits, CreationPatch, CreationStore, NewCreation, Usage } from "./creations.js";
export type { DeliveryStore } from "./deliveries.js";
export type { DigestCompletion, DigestStore, PostedDigestRef } from "./digests.js";
export type { LikeStore, ReactionRow, ReactionSeen } from "./likes.js";
export type { ForgetResult, MemberExport, PrivacyStore } from "./privacy.js";
export type { NewPolishDraft, PolishDraft, PolishDraftState, PolishDraftStore } from "./polish-drafts.js";
export type { RankingStore, WindowStats } from "./rankings.js";
