/**
 * The inbound port: what platform adapters call. It binds the use-cases to their dependencies and owns the
 * generation workers. Adapters translate events into these calls and the answers back into platform messages.
 */
import * as admin from "./admin.js";
import type { SalonDeps } from "./deps.js";
import { UserError } from "./errors.js";
import { digestCommand, publishDueDigests, type DigestCommandResult } from "./digest.js";
import { GenerationQueue } from "./generation-queue.js";
import { cancelCreation, deleteCreation, imagine, requireSetUp, type ImagineInput } from "./imagine.js";
import { reconcileCommunity, recordPostsDeleted, recordReaction, type ReactionEvent, type ReconcileResult } from "./likes.js";
import { exportMemberData, forgetMember } from "./privacy.js";
import { profile, top, type TopView } from "./rankings.js";
import type { Actor, CommunityRef, Creation, DigestDay, ProfileView, TopBy, TopPeriod } from "./types.js";

export class Salon {
  readonly queue: GenerationQueue;

  constructor(
    readonly deps: SalonDeps,
    concurrency: number,
  ) {
    this.queue = new GenerationQueue(deps, concurrency);
  }

  imagine(actor: Actor, input: ImagineInput): Promise<{ creation: Creation; position: number }> {
    return imagine(this.deps, actor, input, () => this.queue.notify());
  }
  cancel(actor: Actor, creationId: number): Promise<void> {
    return cancelCreation(this.deps, actor, creationId);
  }
  deletePost(actor: Actor, creationId: number): Promise<void> {
    return deleteCreation(this.deps, actor, creationId);
  }

  reaction(event: ReactionEvent): Promise<number | null> {
    return recordReaction(this.deps, event);
  }
  postsDeleted(community: CommunityRef, channelId: string, messageIds: string[]): Promise<number> {
    return recordPostsDeleted(this.deps, community, channelId, messageIds);
  }

  top(actor: Actor, period?: TopPeriod, by?: TopBy): Promise<TopView> {
    return top(this.deps, actor, period, by);
  }
  profile(actor: Actor, userId?: string): Promise<ProfileView> {
    return profile(this.deps, actor, userId);
  }

  setup(actor: Actor, input: admin.SetupInput): Promise<string> {
    return admin.setup(this.deps, actor, input);
  }
  settings(actor: Actor): Promise<string> {
    return admin.settings(this.deps, actor);
  }
  limits(actor: Actor, input: admin.LimitsInput): Promise<string> {
    return admin.limits(this.deps, actor, input);
  }
  block(actor: Actor, userId: string): Promise<string> {
    return admin.setBlocked(this.deps, actor, userId, true);
  }
  unblock(actor: Actor, userId: string): Promise<string> {
    return admin.setBlocked(this.deps, actor, userId, false);
  }
  recount(actor: Actor): Promise<ReconcileResult> {
    return admin.recount(this.deps, actor);
  }
  async digest(actor: Actor, day: DigestDay = "yesterday", preview = false): Promise<DigestCommandResult> {
    admin.requireAdmin(actor);
    return digestCommand(this.deps, await requireSetUp(this.deps, actor), day, preview);
  }

  exportData(actor: Actor): Promise<string> {
    return exportMemberData(this.deps, actor);
  }
  forget(actor: Actor): Promise<{ posts: number; images: number; reactionsLeft: number }> {
    return forgetMember(this.deps, actor);
  }

  /** True the first time any of these delivery keys is seen (see `Store.firstDelivery`). */
  firstDelivery(keys: string[]): Promise<boolean> {
    return this.deps.store.firstDelivery(keys, this.deps.clock.now());
  }
  releaseDelivery(keys: string[]): Promise<void> {
    return this.deps.store.releaseDelivery(keys);
  }
  /**
   * A member joined the community (Slack's `team_join`; Discord tells the join date with each reaction instead). On
   * Slack an account belongs to its workspace, so the join is the account's creation too.
   */
  async memberJoined(ref: CommunityRef, userId: string, at?: Date): Promise<void> {
    const community = await this.deps.store.findCommunity(ref);
    const when = at ?? this.deps.clock.now();
    if (community) await this.deps.store.setMemberDates(community.id, userId, { accountCreatedAt: when, joinedAt: when });
  }
  /** The gallery post's delete action where the platform gives the post rather than the creation (Slack). */
  async deletePostAt(actor: Actor, channelId: string, messageId: string): Promise<void> {
    const community = await requireSetUp(this.deps, actor);
    const creation = await this.deps.store.findCreationByPost(community.id, channelId, messageId);
    if (!creation) throw new UserError("not_a_creation", "That message is not a Salon creation.");
    return deleteCreation(this.deps, actor, creation.id);
  }

  /** Start-up and scheduler work. */
  publishDueDigests(): Promise<number> {
    return publishDueDigests(this.deps);
  }
  async reconcileAll(platform?: CommunityRef["platform"]): Promise<ReconcileResult> {
    // Deliveries older than two days can no longer be redelivered.
    await this.deps.store.pruneDeliveries(new Date(this.deps.clock.now().getTime() - 2 * 86_400_000));
    const total: ReconcileResult = { posts: 0, corrected: 0, deleted: 0, failed: 0 };
    for (const community of await this.deps.store.listCommunities()) {
      if (!community.galleryChannelId || !this.deps.publishers[community.platform]) continue;
      if (platform && community.platform !== platform) continue;
      const r = await reconcileCommunity(this.deps, community);
      total.posts += r.posts;
      total.corrected += r.corrected;
      total.deleted += r.deleted;
      total.failed += r.failed;
    }
    return total;
  }
}
