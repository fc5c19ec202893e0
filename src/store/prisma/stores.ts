/**
 * Salon's store over Prisma: one implementation per port (see `src/core/store/stores.ts`), all written against the
 * SQLite client's type and the {@link Dialect} of the database they run on.
 */
import type { Stores } from "../../core/store/stores.js";
import type { Dialect } from "../dialects/dialect.js";
import type { PrismaClient } from "../generated/client.js";
import { PrismaCommunityStore } from "./communities.js";
import type { CreationJobs } from "./creation-jobs.js";
import { PrismaCreationStore } from "./creations.js";
import { PrismaDeliveryStore } from "./deliveries.js";
import { PrismaDigestStore } from "./digests.js";
import { PrismaLikeStore } from "./likes.js";
import { PrismaPolishDraftStore } from "./polish-drafts.js";
import { PrismaPrivacyStore } from "./privacy.js";
import { PrismaRankingStore } from "./rankings.js";

/**
 * Every port over one client. Build it once per client: the reaction batches and lookups are shared state. With
 * `jobs` (PostgreSQL's job engine), each queued creation's job is written in the creation's own transaction.
 */
export function createPrismaStores(prisma: PrismaClient, dialect: Dialect, jobs?: CreationJobs): Stores {
  const likes = new PrismaLikeStore(prisma, dialect);
  return {
    communities: new PrismaCommunityStore(prisma),
    creations: new PrismaCreationStore(prisma, dialect, jobs),
    likes,
    rankings: new PrismaRankingStore(prisma, dialect),
    digests: new PrismaDigestStore(prisma),
    deliveries: new PrismaDeliveryStore(prisma, dialect),
    privacy: new PrismaPrivacyStore(prisma, likes),
    polishDrafts: new PrismaPolishDraftStore(prisma),
  };
}
