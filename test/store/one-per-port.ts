/** One call per port of the store that reaches the database, for the "database unavailable" tests of each provider. */
import type { Stores } from "../../src/core/store/stores.js";
import { newCreation, NO_LIMITS, T0 } from "./contracts/seed.js";

export function onePerPort(stores: Stores, ids: { communityId: number; creationId: number }): Record<keyof Stores, () => Promise<unknown>> {
  const { communityId, creationId } = ids;
  return {
    communities: () => stores.communities.setBlocked(communityId, "ben", true),
    creations: () => stores.creations.insertCreationWithinLimits(newCreation({ id: communityId }, "cat"), NO_LIMITS),
    likes: () => stores.likes.setReaction(creationId, communityId, "cat", "👍", true, { at: T0 }),
    rankings: () => stores.rankings.topCreations(communityId, null, null, 10),
    digests: () => stores.digests.claimDigest(communityId, "2026-05-31", "w1", T0, 60_000),
    deliveries: () => stores.deliveries.firstDelivery(["event-1"], T0),
    privacy: () => stores.privacy.forgetMember(communityId, "ben"),
    polishDrafts: () => stores.polishDrafts.addTextSpend(communityId, "2026-05-31", 1),
  };
}
