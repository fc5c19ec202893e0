/**
 * The inbound port: what platform adapters call. It binds the use-cases to their dependencies and owns the
 * generation workers. Adapters translate events into these calls and the answers back into platform messages.
 */
import * as admin from "./admin.js";
import type { SalonDeps } from "./deps.js";
import { UserError } from "./errors.js";
import { digestCommand, dueDay, publishDueDigests, type DigestCommandResult } from "./digest.js";
import { claimDueMoment, pruneRecords, PRUNE_EVERY_MS, reconcileDue } from "./maintenance.js";
import { GenerationQueue } from "./generation-queue.js";
import type { JobEngine } from "./job-engine.js";
import { cancelCreation, deleteCreation, imagine, requireSetUp, type ImagineInput } from "./imagine.js";
import { reconcileCommunity, recordPostsDeleted, recordReaction, type ReactionEvent, type ReconcileResult } from "./likes.js";
import { choosePolish, startPolish, type PolishChoice, type PolishInput, type PolishOutcome, type PolishView } from "./polish.js";
import { exportMemberData, forgetMember, type ForgetOutcome } from "./privacy.js";
import { profile, top, type TopView } from "./rankings.js";
import { setRemixesAllowed, startRemix } from "./remix.js";
import type { Actor, Community, CommunityRef, Creation, DigestDay, ProfileView, TopBy, TopPeriod } from "./types.js";

export class Salon {
  readonly queue: GenerationQueue;

  constructor(
    readonly deps: SalonDeps,
    concurrency: number,
    /** The job engine (PostgreSQL's); the in-process one over the `Creation` table when not given. */
    engine?: JobEngine,
  ) {
    this.queue = new GenerationQueue(deps, concurrency, engine);
  }

  imagine(actor: Actor, input: ImagineInput): Promise<{ creation: Creation; position: number }> {
    return imagine(this.deps, actor, input, this.queue);
  }
  /** `/imagine` with polish: the polished prompt and the choice; nothing is queued yet. */
  polish(actor: Actor, input: PolishInput): Promise<PolishView> {
    return startPolish(this.deps, actor, input);
  }
  /** The member's pick of a polish draft; a prompt picked is queued with `statusRef` as its status message. */
  choosePolish(actor: Actor, draftId: number, choice: PolishChoice, statusRef: string | null): Promise<PolishOutcome> {
    return choosePolish(this.deps, actor, draftId, choice, statusRef, this.queue);
  }
  cancel(actor: Actor, creationId: number): Promise<void> {
    return cancelCreation(this.deps, actor, creationId, this.queue);
  }
  deletePost(actor: Actor, creationId: number): Promise<void> {
    return deleteCreation(this.deps, actor, creationId);
  }
  /** The Remix button: the parent's prompt for the form, or why it can't be remixed. Submitting is `imagine` with `remixOf`. */
  startRemix(actor: Actor, creationId: number): Promise<{ creationId: number; prompt: string }> {
    return startRemix(this.deps, actor, creationId);
  }
  /** The same where the platform gives the post rather than the creation (Slack's message shortcut). */
  async startRemixAt(actor: Actor, channelId: string, messageId: string): Promise<{ creationId: number; prompt: string }> {
    const community = await requireSetUp(this.deps, actor);
    const creation = await this.deps.creations.findCreationByPost(community.id, channelId, messageId);
    if (!creation) throw new UserError("not_a_creation", "That message is not a Salon creation.");
    return startRemix(this.deps, actor, creation.id);
  }
  setRemixesAllowed(actor: Actor, allowed: boolean): Promise<string> {
    return setRemixesAllowed(this.deps, actor, allowed);
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
  forget(actor: Actor): Promise<ForgetOutcome> {
    return forgetMember(this.deps, actor);
  }

  /** True the first time any of these delivery keys is seen (see `DeliveryStore.firstDelivery`). */
  firstDelivery(keys: string[]): Promise<boolean> {
    return this.deps.deliveries.firstDelivery(keys, this.deps.clock.now());
  }
  releaseDelivery(keys: string[]): Promise<void> {
    return this.deps.deliveries.releaseDelivery(keys);
  }
  /**
   * A member joined the community (Slack's `team_join`; Discord tells the join date with each reaction instead). On
   * Slack an account belongs to its workspace, so the join is the account's creation too.
   */
  async memberJoined(ref: CommunityRef, userId: string, at?: Date): Promise<void> {
    const community = await this.deps.communities.findCommunity(ref);
    const when = at ?? this.deps.clock.now();
    if (community) await this.deps.communities.setMemberDates(community.id, userId, { accountCreatedAt: when, joinedAt: when });
  }
  /** The gallery post's delete action where the platform gives the post rather than the creation (Slack). */
  async deletePostAt(actor: Actor, channelId: string, messageId: string): Promise<void> {
    const community = await requireSetUp(this.deps, actor);
    const creation = await this.deps.creations.findCreationByPost(community.id, channelId, messageId);
    if (!creation) throw new UserError("not_a_creation", "That message is not a Salon creation.");
    return deleteCreation(this.deps, actor, creation.id);
  }

  /**
   * Start-up and scheduler work. A community whose start-up reconciliation has not finished yet waits for it: its
   * catch-up digest is built from corrected counts (the next tick posts it).
   */
  publishDueDigests(signal?: AbortSignal): Promise<number> {
    const waiting = (c: Community) => this.reconciling.has(c.id) || (this.allPass !== null && !this.allPass.done.has(c.id));
    return publishDueDigests(this.deps, { skip: waiting, ...(signal ? { signal } : {}) });
  }

  /** Communities being reconciled now. */
  private readonly reconciling = new Set<number>();
  /** The pass over every community (start-up), while it runs: the communities it has finished. */
  private allPass: { done: Set<number> } | null = null;
  /** The pruning moment this process last tried to claim: it asks the store once per moment, not each minute. */
  private lastPruneMoment = -1;

  /** The communities whose likes this process re-reads: set up, on a platform it serves, whose events it receives. */
  private async reconcilable(platform?: CommunityRef["platform"]) {
    const all = await this.deps.communities.listCommunities();
    const holds = this.deps.options.holdsCommunity ?? (() => true);
    return all.filter((c) => c.galleryChannelId && this.deps.publishers[c.platform] && (!platform || c.platform === platform) && holds(c));
  }

  /**
   * Re-reads the recent likes of every community, those whose digest is due first (their catch-up digest waits for
   * it). An aborted `signal` (shutdown) stops it between posts.
   */
  async reconcileAll(platform?: CommunityRef["platform"], signal?: AbortSignal): Promise<ReconcileResult> {
    // Marked before anything is awaited: a digest tick that runs meanwhile waits for each community's turn.
    const pass = { done: new Set<number>() };
    this.allPass = pass;
    try {
      const now = this.deps.clock.now();
      const communities = await this.reconcilable(platform);
      const statuses = await Promise.all(communities.map((c) => this.deps.digests.digestStatus(c.id, dueDay(c, now))));
      const digestDue = (i: number) => statuses[i] !== "posted" && statuses[i] !== "empty";
      const ordered = communities.map((c, i) => ({ c, first: digestDue(i) ? 0 : 1 })).sort((a, b) => a.first - b.first).map((x) => x.c);
      return await this.reconcileEach(ordered, signal, pass.done);
    } finally {
      if (this.allPass === pass) this.allPass = null;
    }
  }

  /** Reconciles communities one after another (skipping any being reconciled already); sums what they found. */
  private async reconcileEach(communities: Community[], signal: AbortSignal | undefined, done?: Set<number>): Promise<ReconcileResult> {
    const total: ReconcileResult = { posts: 0, corrected: 0, deleted: 0, failed: 0 };
    for (const community of communities) {
      if (this.reconciling.has(community.id)) continue;
      this.reconciling.add(community.id);
      try {
        if (signal?.aborted) continue;
        const r = await reconcileCommunity(this.deps, community, signal ? { signal } : {});
        total.posts += r.posts;
        total.corrected += r.corrected;
        total.deleted += r.deleted;
        total.failed += r.failed;
      } finally {
        this.reconciling.delete(community.id);
        done?.add(community.id);
      }
    }
    return total;
  }

  /**
   * The periodic upkeep, once a minute: re-reads the recent likes of the communities whose moment of the period this
   * is (each has its own, see `reconcileDue`), and every ten minutes forgets records nothing needs any more. Each
   * due moment is claimed first (`claimDueMoment`), so with any number of schedulers each runs once.
   */
  async maintain(everyMinutes: number, signal?: AbortSignal): Promise<{ reconciled: ReconcileResult | null; pruned: boolean }> {
    const now = this.deps.clock.now();
    let pruned = false;
    const pruneMoment = Math.floor(now.getTime() / PRUNE_EVERY_MS) * PRUNE_EVERY_MS;
    if (pruneMoment !== this.lastPruneMoment) {
      this.lastPruneMoment = pruneMoment;
      if (await claimDueMoment(this.deps, "prune", new Date(pruneMoment))) {
        const removed = await pruneRecords(this.deps);
        pruned = true;
        if (removed.deliveries + removed.removals + removed.forgotten + removed.heldImages > 0) this.deps.logger.debug(removed, "pruned records no longer needed");
      }
    }
    if (this.deps.options.reconcileDays <= 0) return { reconciled: null, pruned };
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const due: Community[] = [];
    for (const c of await this.reconcilable()) {
      if (reconcileDue(c, now, everyMinutes) && !this.reconciling.has(c.id) && (await claimDueMoment(this.deps, `reconcile:${c.id}`, minute))) due.push(c);
    }
    if (due.length === 0) return { reconciled: null, pruned };
    return { reconciled: await this.reconcileEach(due, signal), pruned };
  }
}
