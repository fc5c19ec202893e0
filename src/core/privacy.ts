/** `/privacy export` and `/privacy forget`. */
import type { SalonDeps } from "./deps.js";
import { UserError } from "./errors.js";
import { publisherFor } from "./publisher-for.js";
import type { Actor } from "./types.js";

/** Everything stored about the member in this community, as pretty JSON. */
export async function exportMemberData(deps: SalonDeps, actor: Actor): Promise<string> {
  const community = await deps.store.findCommunity(actor.community);
  const data = community ? await deps.store.exportMember(community.id, actor.userId) : { userId: actor.userId, blocked: false, accountCreatedAt: null, joinedAt: null, creations: [], reactions: [], forgottenReactions: [] };
  return JSON.stringify({ exportedAt: deps.clock.now().toISOString(), community: actor.community, member: data }, null, 2);
}

/** Deletes the member's likes, prompts, images and gallery posts; every count stays consistent. */
export async function forgetMember(deps: SalonDeps, actor: Actor): Promise<{ posts: number; images: number; reactionsLeft: number }> {
  const community = await deps.store.findCommunity(actor.community);
  if (!community) return { posts: 0, images: 0, reactionsLeft: 0 };
  const { imageHashes, posts, reactionsLeft } = await deps.store.forgetMember(community.id, actor.userId);
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
  // A post still up still shows the prompt and the image: say so, and how to finish (the post's ids are kept, so
  // asking again deletes what is left; posts already gone count as deleted).
  if (failed > 0) {
    throw new UserError(
      "forget_incomplete",
      `I deleted your prompts, likes and images, but ${failed} of your ${posts.length} gallery ${posts.length === 1 ? "post" : "posts"} couldn't be deleted just now. Ask to be forgotten again in a little while to finish.`,
    );
  }
  return { posts: posts.length, images: imageHashes.length, reactionsLeft };
}
