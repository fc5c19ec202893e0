/**
 * Remix: a member makes a new image from a gallery post's image and a prompt (prefilled with the parent's), through
 * every check of `/imagine`. Lineage (parent, root, depth) is stored on the remix; the chain is bounded by the
 * configured maximum depth; a creator can refuse remixes of their creations (`/privacy remixes off`).
 */
import type { SalonDeps } from "./deps.js";
import { UserError } from "./errors.js";
import { admitCreator, requireSetUp } from "./imagine.js";
import type { Actor, Community, Creation } from "./types.js";
import { command, member } from "./words.js";

export const DEFAULT_REMIX_MAX_DEPTH = 10;

/** The lineage a remix of `parent` gets. */
export function lineageOf(parent: Creation): { parentId: number; rootId: number; depth: number } {
  return { parentId: parent.id, rootId: parent.rootId ?? parent.id, depth: parent.depth + 1 };
}

/**
 * The creation `creationId` if `actor` may remix it now; otherwise the refusal, saying why: it is gone (deleted or
 * forgotten), its chain is at the maximum depth, or its creator refuses remixes.
 */
export async function remixableParent(deps: Pick<SalonDeps, "communities" | "creations" | "options">, community: Community, actor: Actor, creationId: number): Promise<Creation> {
  const parent = await deps.creations.getCreation(creationId);
  if (!parent || parent.communityId !== community.id) throw new UserError("remix_not_found", "That creation no longer exists, so it can't be remixed.");
  if (parent.status !== "posted" || parent.imageHash === null) {
    throw new UserError("remix_parent_gone", "This creation was deleted (or its creator asked to be forgotten), so it can't be remixed. Remixes already made of it stay up.");
  }
  const maxDepth = deps.options.remix?.maxDepth ?? DEFAULT_REMIX_MAX_DEPTH;
  if (maxDepth === 0) throw new UserError("remix_off", "Remixes are turned off in this Salon.");
  if (parent.depth >= maxDepth) {
    throw new UserError(
      "remix_max_depth",
      `This creation is already ${parent.depth} ${parent.depth === 1 ? "remix" : "remixes"} down from its original, the most this Salon allows, so it can't be remixed again. You can remix an earlier creation of the chain.`,
    );
  }
  if (parent.authorUserId !== actor.userId && !(await deps.communities.remixesAllowed(community.id, parent.authorUserId))) {
    throw new UserError("remixes_refused", `${member(parent.authorUserId)} doesn't allow remixes of their creations.`);
  }
  return parent;
}

/** The Remix button (Discord) or shortcut (Slack): the parent's prompt to prefill the form with, or why it can't be remixed. */
export async function startRemix(deps: Pick<SalonDeps, "communities" | "creations" | "options">, actor: Actor, creationId: number): Promise<{ creationId: number; prompt: string }> {
  // Refused up front where the submission would be: not set up, a gallery that takes no posts, a blocked member.
  const community = await admitCreator(deps, actor);
  const parent = await remixableParent(deps, community, actor, creationId);
  return { creationId: parent.id, prompt: parent.prompt };
}

/** `/privacy remixes off|on`: whether others may remix the member's creations. */
export async function setRemixesAllowed(deps: Pick<SalonDeps, "communities">, actor: Actor, allowed: boolean): Promise<string> {
  const community = await requireSetUp(deps, actor);
  await deps.communities.setRemixesAllowed(community.id, actor.userId, allowed);
  return allowed
    ? "Remixes are on: members can remix your creations, and each remix credits you."
    : `Remixes are off: nobody else can remix your creations now (remixes already made stay up). Turn them back on with \`${command("privacy remixes", "on")}\`.`;
}
