/**
 * The daily digest: the top N liked creations of the previous local calendar day, posted once per community and
 * day. The `Digest` row is the claim that makes "exactly once" hold across timers, restarts and processes.
 */
import { channelProblemText } from "./channel-problems.js";
import type { SalonDeps } from "./deps.js";
import { PublishError, UserError } from "./errors.js";
import { creationTitle } from "./titles.js";
import type { GeneratedImage, PostRef } from "./ports.js";
import { publisherFor } from "./publisher-for.js";
import { addDays, dayBounds, dayTitle, localDay, localTimeOn } from "./time.js";
import type { Community, DigestView } from "./types.js";

/** How long a claim holds before another process may take over an abandoned one. */
export const DIGEST_LEASE_MS = 10 * 60_000;

export async function buildDigest(deps: Pick<SalonDeps, "rankings">, community: Community, day: string): Promise<DigestView> {
  const { start, end } = dayBounds(day, community.timezone);
  const [entries, stats, creators] = await Promise.all([
    deps.rankings.topCreations(community.id, start, end, community.digestSize),
    deps.rankings.windowStats(community.id, start, end),
    deps.rankings.topCreators(community.id, start, end, 1),
  ]);
  const first = creators[0];
  return {
    day,
    title: dayTitle(day),
    entries,
    summary: { creations: stats.creations, likers: stats.likers, topCreator: first ? { userId: first.userId, likeCount: first.likeCount } : null },
  };
}

export async function renderCollage(deps: Pick<SalonDeps, "files" | "collage">, digest: DigestView): Promise<GeneratedImage | null> {
  const tiles: Parameters<SalonDeps["collage"]["render"]>[0]["tiles"] = [];
  for (const entry of digest.entries) {
    const image = entry.imageHash ? await deps.files.get(entry.imageHash) : null;
    // A former member's entry has no title (and, its image deleted, normally no tile either).
    const title = entry.authorUserId === null ? "" : creationTitle(entry, 80);
    if (image) tiles.push({ image, rank: entry.rank, title, likeCount: entry.likeCount });
  }
  return tiles.length === 0 ? null : deps.collage.render({ title: digest.title, tiles });
}

export type PublishOutcome =
  | { status: "posted"; post: PostRef; digest: DigestView }
  | { status: "empty"; digest: DigestView }
  | { status: "already" }
  | { status: "busy" };

/** What publishing a digest needs. */
export type DigestDeps = Pick<SalonDeps, "communities" | "rankings" | "digests" | "publishers" | "files" | "collage" | "clock" | "options" | "logger" | "metrics">;

/**
 * Publishes one community's digest for one day, unless it already was (or another process is doing it). An aborted
 * `signal` (shutdown) before the post gives the claim back for the next start.
 */
export async function publishDigest(deps: DigestDeps, community: Community, day: string, signal?: AbortSignal): Promise<PublishOutcome> {
  const { communities, digests, clock, options, logger } = deps;
  const existing = await digests.digestStatus(community.id, day);
  if (existing === "posted" || existing === "empty") return { status: "already" };
  if (!(await digests.claimDigest(community.id, day, options.instanceId, clock.now(), DIGEST_LEASE_MS))) return { status: "busy" };
  const channelId = community.digestChannelId ?? community.galleryChannelId!;
  try {
    const digest = await buildDigest(deps, community, day);
    if (digest.entries.length === 0) {
      await digests.completeDigest(community.id, day, { status: "empty", at: clock.now() });
      return { status: "empty", digest };
    }
    const publisher = publisherFor(deps, community.platform);
    // A claim taken over (a crash mid-post) or retried (a failure that may have posted anyway): look before reposting.
    const found =
      existing === null
        ? null
        : await publisher.findDigestPost({ community, channelId, digest, since: dayBounds(day, community.timezone).end }).catch((error: unknown) => {
            logger.warn({ err: error, communityId: community.id, day }, "could not look for an earlier digest post; posting (the platform's dedupe is the last guard)");
            return null;
          });
    if (found) logger.info({ communityId: community.id, day, messageId: found.messageId }, "found the digest an interrupted attempt posted; not posting again");
    let post = found;
    if (!post) {
      const collage = await renderCollage(deps, digest);
      signal?.throwIfAborted();
      post = await publisher.postDigest({ community, channelId, digest, collage });
    }
    await digests.completeDigest(community.id, day, { status: "posted", channelId: post.channelId, messageId: post.messageId, digest, at: clock.now() });
    deps.metrics?.digestPosted();
    if (community.digestProblem) await communities.updateCommunity(community.id, { digestProblem: null });
    logger.info({ communityId: community.id, day, messageId: post.messageId }, "digest posted");
    return { status: "posted", post, digest };
  } catch (error) {
    await digests.releaseDigest(community.id, day, options.instanceId);
    // A channel the bot can't post in is the admin's to fix: say how (here and in settings), not "something went wrong".
    const problem = error instanceof PublishError ? channelProblemText(error, "digest", channelId) : null;
    if (problem) {
      await communities.updateCommunity(community.id, { digestProblem: problem });
      throw new UserError(`digest_${(error as PublishError).kind}`, `The digest wasn't posted. ${problem}`, { cause: error });
    }
    throw error;
  }
}

/** The most recent day whose digest is due at `now`: yesterday once today's digest time has passed. */
export function dueDay(community: Community, now: Date): string {
  const today = localDay(now, community.timezone);
  const dueToday = localTimeOn(today, community.digestTime, community.timezone);
  return addDays(today, now >= dueToday ? -1 : -2);
}

/**
 * Publishes every due digest that has not been published: the scheduler calls it each minute, and at start-up it
 * catches up a digest missed while the bot was down. `skip` leaves a community for a later tick (its likes are being
 * reconciled); an aborted `signal` (shutdown) starts no more digests.
 */
export async function publishDueDigests(deps: DigestDeps, opts: { skip?: (community: Community) => boolean; signal?: AbortSignal } = {}): Promise<number> {
  const now = deps.clock.now();
  let posted = 0;
  for (const community of await deps.communities.listCommunities()) {
    if (opts.signal?.aborted) break;
    if (!community.galleryChannelId || !deps.publishers[community.platform] || opts.skip?.(community)) continue;
    const day = dueDay(community, now);
    try {
      const outcome = await publishDigest(deps, community, day, opts.signal);
      if (outcome.status === "posted") posted++;
    } catch (error) {
      deps.logger.error({ err: error, communityId: community.id, day }, "digest failed; it will be retried on the next tick");
    }
  }
  return posted;
}

export type DigestCommandResult =
  | { status: "preview"; digest: DigestView; collage: GeneratedImage | null }
  | PublishOutcome;

/**
 * `/salon digest`: `day: today` is always a preview (nothing recorded); `yesterday` with `preview` shows what would
 * be posted; without it, posts now unless already posted.
 */
export async function digestCommand(deps: DigestDeps, community: Community, day: "yesterday" | "today", preview: boolean): Promise<DigestCommandResult> {
  const today = localDay(deps.clock.now(), community.timezone);
  const date = day === "today" ? today : addDays(today, -1);
  if (day === "today" || preview) {
    const digest = await buildDigest(deps, community, date);
    return { status: "preview", digest, collage: await renderCollage(deps, digest) };
  }
  return publishDigest(deps, community, date);
}
