/** `/privacy export` and `/privacy forget`. */
import type { SalonDeps } from "./deps.js";
import { UserError } from "./errors.js";
import { renderCollage } from "./digest.js";
import { publisherFor } from "./publisher-for.js";
import type { Actor } from "./types.js";

/** Everything stored about the member in this community, as pretty JSON. */
export async function exportMemberData(deps: Pick<SalonDeps, "communities" | "privacy" | "polishDrafts" | "clock">, actor: Actor): Promise<string> {
  const community = await deps.communities.findCommunity(actor.community);
  const data = community ? await deps.privacy.exportMember(community.id, actor.userId) : { userId: actor.userId, blocked: false, accountCreatedAt: null, joinedAt: null, creations: [], reactions: [], forgottenReactions: [] };
  // Their prompts polished and not made (yet): kept a day at most, but stored all the same.
  const polishDrafts = community ? await deps.polishDrafts.memberDrafts(community.id, actor.userId) : [];
  return JSON.stringify({ exportedAt: deps.clock.now().toISOString(), community: actor.community, member: { ...data, polishDrafts } }, null, 2);
}

export interface ForgetOutcome {
  posts: number;
  images: number;
  reactionsLeft: number;
  /** Posted digests that named the member, edited to say "a former member". */
  digests: number;
}

/**
 * Deletes the member's likes, prompts, images and gallery posts, and edits the digests already posted that named them
 * (their entries then read "a former member", with no prompt or link, and the collage loses their image); every count
 * stays consistent.
 */
export async function forgetMember(deps: Pick<SalonDeps, "communities" | "digests" | "privacy" | "polishDrafts" | "publishers" | "files" | "collage" | "logger">, actor: Actor): Promise<ForgetOutcome> {
  const community = await deps.communities.findCommunity(actor.community);
  if (!community) return { posts: 0, images: 0, reactionsLeft: 0, digests: 0 };
  // Found before the forget: afterwards nothing in them is theirs any more.
  const digests = await deps.digests.digestsNaming(community.id, actor.userId);
  const { imageHashes, posts, reactionsLeft } = await deps.privacy.forgetMember(community.id, actor.userId);
  await deps.polishDrafts.forgetMember(community.id, actor.userId);
  const publisher = publisherFor(deps, community.platform);
  let failed = 0;
  for (const post of posts) {
    try {
      await publisher.deletePost(community, post.channelId, post.messageId);
    } catch (error) {
      failed++;
      deps.logger.warn({ err: error, channelId: post.channelId, messageId: post.messageId }, "could not delete a forgotten member's post");
    }
  }
  for (const hash of imageHashes) await deps.files.delete(hash);
  let digestsFailed = 0;
  for (const posted of digests) {
    try {
      const digest = await deps.digests.postedDigest(community.id, posted.day);
      if (!digest) continue;
      await publisher.editDigest({ community, channelId: posted.channelId, messageId: posted.messageId, digest, collage: await renderCollage(deps, digest) });
    } catch (error) {
      digestsFailed++;
      deps.logger.warn({ err: error, day: posted.day, messageId: posted.messageId }, "could not edit a digest that named a forgotten member");
    }
  }
  // A post or digest still up still shows the prompt or the image: say so, and how to finish (asking again deletes and
  // edits what is left; posts already gone count as deleted).
  if (failed > 0 || digestsFailed > 0) {
    const left = [
      ...(failed > 0 ? [`${failed} of your ${posts.length} gallery ${posts.length === 1 ? "post" : "posts"} couldn't be deleted`] : []),
      ...(digestsFailed > 0 ? [`${digestsFailed} ${digestsFailed === 1 ? "digest that names you" : "digests that name you"} couldn't be edited`] : []),
    ];
    throw new UserError(
      "forget_incomplete",
      `I deleted your prompts, likes and images, but ${left.join(" and ")} just now. Ask to be forgotten again in a little while to finish.`,
    );
  }
  return { posts: posts.length, images: imageHashes.length, reactionsLeft, digests: digests.length };
}
