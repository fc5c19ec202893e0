/**
 * Problems posting to a community's channels, in the words an admin acts on. A gallery the bot can't post in stops
 * `/imagine` (see `imagine`) until `/salon setup` or `/salon settings` finds it usable again; a digest channel's
 * problem is shown and retried, and stops nothing else.
 */
import type { SalonDeps } from "./deps.js";
import type { PublishError } from "./errors.js";
import { publisherFor } from "./publisher-for.js";
import type { Community } from "./types.js";
import { channel, command } from "./words.js";

type ChannelRole = "gallery" | "digest";

/** The sentence for an admin, or null when the failure is not about the channel itself (it stays the post's own). */
export function channelProblemText(error: PublishError, role: ChannelRole, channelId: string): string | null {
  const where = channel(channelId);
  if (error.kind === "missing_access") {
    return `I can't post ${role === "digest" ? "the digest " : ""}in ${where}: ${error.fix ?? "I'm missing permissions there."}`;
  }
  if (error.kind === "channel_not_found") return `The ${role} channel ${where} no longer exists. Run \`${command("salon setup")}\` to choose another.`;
  return null;
}

/**
 * Asks the platform, without posting anything, whether the gallery and digest channels can take posts now, and
 * records what it says: a problem fixed on the platform side (a permission granted) clears here. Platforms that can't
 * tell without posting keep what was recorded. `onlyKnownProblems` checks nothing when no problem is recorded (the
 * check may show a moment's "typing…" in the channel). Returns the community as stored after.
 */
export async function recheckChannels(
  deps: Pick<SalonDeps, "store" | "publishers" | "logger">,
  community: Community,
  opts: { onlyKnownProblems: boolean },
): Promise<Community> {
  const publisher = publisherFor(deps, community.platform);
  if (!publisher.checkChannel || !community.galleryChannelId) return community;
  if (opts.onlyKnownProblems && !community.problem && !community.digestProblem) return community;
  // What the platform says of a channel: null when usable, a PublishError when not, "unknown" when the check failed.
  const check = async (channelId: string): Promise<PublishError | null | "unknown"> => {
    try {
      return await publisher.checkChannel!(community, channelId);
    } catch (error) {
      // The check itself failed (the platform is down): what was known stays.
      deps.logger.warn({ err: error, communityId: community.id, channelId }, "could not check a channel");
      return "unknown";
    }
  };
  const digestChannel = community.digestChannelId ?? community.galleryChannelId;
  const gallery = await check(community.galleryChannelId);
  const digest = digestChannel === community.galleryChannelId ? gallery : await check(digestChannel);
  const text = (found: PublishError | null | "unknown", role: ChannelRole, channelId: string, current: string | null) =>
    found === "unknown" ? current : found && channelProblemText(found, role, channelId);
  const problem = text(gallery, "gallery", community.galleryChannelId, community.problem);
  const digestProblem = text(digest, "digest", digestChannel, community.digestProblem);
  if (problem === community.problem && digestProblem === community.digestProblem) return community;
  return deps.store.updateCommunity(community.id, { problem, digestProblem });
}
