/** The credit line of a remix's gallery post: the parent's post and creator. */
import type { SalonDeps } from "./deps.js";
import type { RemixCredit } from "./ports.js";
import type { Creation } from "./types.js";

/**
 * Null for an original. A parent no longer posted (deleted, or its creator forgotten) is credited to "a former
 * member", with no link: its remixes stay up.
 */
export async function remixCreditOf(deps: Pick<SalonDeps, "creations">, creation: Creation): Promise<RemixCredit | null> {
  if (creation.parentId === null) return null;
  const parent = await deps.creations.getCreation(creation.parentId);
  if (!parent || parent.status !== "posted") return { parentUrl: null, parentAuthorUserId: null };
  return { parentUrl: parent.galleryUrl, parentAuthorUserId: parent.authorUserId };
}
