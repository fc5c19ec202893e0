/** Data for the contract suites, written through the ports only, so that any implementation can be seeded. */
import type { CommunityPatch } from "../../../src/core/store/communities.js";
import type { NewCreation } from "../../../src/core/store/creations.js";
import type { Stores } from "../../../src/core/store/stores.js";
import type { Community, Creation, MemberDates, Platform } from "../../../src/core/types.js";

/** The suites' "now": every time they use is this plus or minus a little. */
export const T0 = new Date("2026-06-01T12:00:00.000Z");
export const DAY_MS = 86_400_000;
export const at = (ms: number) => new Date(T0.getTime() + ms);
export const minutes = (n: number) => n * 60_000;
export const days = (n: number) => n * DAY_MS;
export const GALLERY = "c-gallery";

/** Limits nothing in the suites reaches unless it means to. */
export const NO_LIMITS = { perMemberDaily: 1_000_000, budgetMicroUsd: 1_000_000_000_000, cooldownMs: 0 };

export async function community(stores: Stores, externalId = "g1", patch: CommunityPatch = {}, platform: Platform = "discord"): Promise<Community> {
  const c = await stores.communities.ensureCommunity({ platform, externalId });
  return stores.communities.updateCommunity(c.id, { galleryChannelId: GALLERY, ...patch });
}

export type NewCreationOptions = Partial<Omit<NewCreation, "communityId" | "userId">>;

export function newCreation(c: Pick<Community, "id">, userId: string, options: NewCreationOptions = {}): NewCreation {
  const now = options.now ?? T0;
  return {
    communityId: c.id,
    userId,
    prompt: `a prompt by ${userId}`,
    aspect: "square",
    quality: "medium",
    size: "1024x1024",
    model: "gpt-image-2",
    costMicroUsd: 40_000,
    day: now.toISOString().slice(0, 10),
    now,
    statusRef: null,
    ...options,
  };
}

/** A queued creation, inserted within limits nothing reaches. */
export async function queued(stores: Stores, c: Community, userId: string, options: NewCreationOptions = {}): Promise<Creation> {
  const created = await stores.creations.insertCreationWithinLimits(newCreation(c, userId, options), NO_LIMITS);
  if (typeof created === "string") throw new Error(`the creation was refused: ${created}`);
  return created;
}

let posts = 0;

/** A creation posted in the gallery at `postedAt` (its own message id unless given), its image paid for. */
export async function posted(
  stores: Stores,
  c: Community,
  userId: string,
  options: { postedAt?: Date; messageId?: string; imageHash?: string | null; prompt?: string; lineage?: NewCreationOptions["lineage"] } = {},
): Promise<Creation> {
  const postedAt = options.postedAt ?? T0;
  const creation = await queued(stores, c, userId, { now: new Date(postedAt.getTime() - 60_000), ...(options.prompt ? { prompt: options.prompt } : {}), ...(options.lineage ? { lineage: options.lineage } : {}) });
  const messageId = options.messageId ?? `m-${++posts}`;
  const moved = await stores.creations.transitionCreation(creation.id, ["queued"], {
    status: "posted",
    galleryChannelId: GALLERY,
    galleryMessageId: messageId,
    galleryUrl: `https://gallery.invalid/${c.id}/${messageId}`,
    postedAt,
    imageHash: options.imageHash === undefined ? `hash-${messageId}` : options.imageHash,
    spend: creation.costMicroUsd,
  });
  if (!moved) throw new Error("could not post the creation");
  return (await stores.creations.getCreation(creation.id))!;
}

/** Members' reactions, one after another; returns the like count the last write answered. */
export async function react(stores: Stores, creation: Creation, userIds: string[], emoji = "👍", seenAt: Date = T0, member?: MemberDates): Promise<number | null> {
  let count: number | null = null;
  for (const userId of userIds) count = await stores.likes.setReaction(creation.id, creation.communityId, userId, emoji, true, { at: seenAt, member });
  return count;
}

/** The like count stored for a creation. */
export async function likeCount(stores: Stores, creationId: number): Promise<number> {
  const creation = await stores.creations.getCreation(creationId);
  if (!creation) throw new Error(`no creation ${creationId}`);
  return creation.likeCount;
}

/** Members named `${prefix}1` … `${prefix}n`. */
export const members = (n: number, prefix = "u") => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
