/**
 * One creation's work, once a job engine has handed it to a worker (see `JobEngine`): its image, stored, then posted,
 * its status message edited along the way, and each failure told to the member with a refund. Whichever engine picked
 * the job, the work is the same.
 *
 * Crash safety: a worker holds a claim (lease) on its job and renews it while it works; a process that dies leaves
 * a claim that runs out, and the job is taken over where it stopped. The intent to post (`posting`, with the image
 * stored) is recorded before the post, so a taken-over job looks for a post an earlier attempt made before posting.
 * A job that must wait (a 429's retry-after, a backoff after a 5xx) goes back to the queue with a `notBefore`.
 */
import { channelProblemText } from "./channel-problems.js";
import { JOB_LEASE_MS } from "./claims.js";
import type { SalonDeps } from "./deps.js";
import { ProviderError, PublishError, StoreUnavailableError } from "./errors.js";
import { checkBeforePosting, type CheckOutcomes } from "./image-check.js";
import { hashedUser } from "./imagine.js";
import type { GeneratedImage, JobOutcome, Logger, PostRef, Publisher } from "./ports.js";
import { previewRequest } from "./previews.js";
import { publisherFor } from "./publisher-for.js";
import { remixCreditOf } from "./remix-credit.js";
import { makeImage, REMIX_PARENT_GONE_REASON, RemixParentGoneError } from "./remix-image.js";
import { StatusEdits, type StatusLine } from "./status-edits.js";
import { CAPTION_GRACE_MS, startCaption } from "./titles.js";
import type { Community, Creation } from "./types.js";
import { channel } from "./words.js";

/** Bounded rate-limit waits: a provider that keeps answering 429 eventually fails the job. */
const MAX_RATE_LIMITED_WAITS = 20;


/** One job as a worker works on it. */
interface JobWork {
  job: Creation;
  community: Community;
  publisher: Publisher;
  log: Logger;
  signal: AbortSignal;
  status: StatusLine;
  /** Gives the worker's slot back: this job makes no more image requests. */
  freeSlot(): void;
}

/** What the work needs: creations and their claims, the communities they post to, digests' claims at start-up. */
export type QueueDeps = Pick<SalonDeps, "communities" | "creations" | "digests" | "provider" | "files" | "publishers" | "clock" | "logger" | "options" | "metrics" | "text">;

export class CreationWork {
  /** Set on shutdown: a job aborted from then on goes back to the queue instead of failing. */
  stopping = false;
  /** The jobs being worked on, each with the controller that aborts its work. */
  readonly active = new Map<number, AbortController>();
  /** The one writer of each job's status message in this process. */
  readonly statusEdits: StatusEdits;
  /** Jobs whose claim another process took over while this one worked on them. */
  readonly lost = new Set<number>();

  constructor(
    private readonly deps: QueueDeps,
    /** Called after a job went back to the queue (to wake idle workers). */
    private readonly requeued: () => void,
  ) {
    this.statusEdits = new StatusEdits(deps.clock);
  }

  /** Aborts every job being worked on (shutdown past its grace): each goes back to the queue. */
  abortAll(): void {
    for (const controller of this.active.values()) controller.abort(new Error("shutting down"));
  }

  /** Works on a claimed job until it ends, waits in the queue again, or is left to another process; never rejects. */
  async process(job: Creation, freeSlot: () => void): Promise<void> {
    const log = this.deps.logger.child({ creationId: job.id, communityId: job.communityId });
    const controller = new AbortController();
    this.active.set(job.id, controller);
    const stopRenewing = this.keepClaim(job.id, controller, log);
    let status: StatusLine | undefined;
    try {
      const community = await this.deps.communities.getCommunity(job.communityId);
      if (!community) return;
      const publisher = publisherFor(this.deps, community.platform);
      status = this.statusEdits.line(publisher, job, log);
      const work: JobWork = { job, community, publisher, log, signal: controller.signal, status, freeSlot };
      if (job.attempts >= this.deps.options.maxAttempts) {
        // Taken over again and again: something about this job keeps stopping the process that makes it.
        freeSlot();
        log.error({ attempts: job.attempts }, "creation was interrupted too many times; giving up");
        await this.fail(job, "Making your image was interrupted too many times, so I gave up. Your quota was refunded; please try again.", status);
        return;
      }
      await this.run(work);
    } catch (error) {
      freeSlot();
      if (this.lost.has(job.id)) {
        log.warn({ err: error }, "another process took this creation over; leaving it to that process");
      } else if (error instanceof StoreUnavailableError) {
        // Nothing can be recorded now; the claim runs out and the job is taken over where it stopped.
        log.error({ err: error }, "the database is unavailable; the creation will be retried when its claim runs out");
      } else if (controller.signal.aborted && this.stopping) {
        await this.requeue(job.id, null, job.attempts);
        log.info({}, "returned to the queue on shutdown");
      } else {
        log.error({ err: error }, "creation failed unexpectedly");
        await this.fail(job, "Something went wrong while making your image. Your quota was refunded; please try again.", status).catch((e) =>
          log.error({ err: e }, "could not record the failure"),
        );
      }
    } finally {
      freeSlot();
      stopRenewing();
      this.active.delete(job.id);
      this.lost.delete(job.id);
    }
  }

  /** Renews the job's claim while it is worked on; a claim another process took over aborts the work. */
  private keepClaim(id: number, controller: AbortController, log: Logger): () => void {
    const { creations, clock, options } = this.deps;
    const timer = setInterval(() => {
      creations.renewClaim(id, options.instanceId, new Date(clock.now().getTime() + JOB_LEASE_MS)).then(
        (held) => {
          if (held || controller.signal.aborted) return;
          this.lost.add(id);
          controller.abort(new Error("the claim on this creation was taken over"));
        },
        (error: unknown) => log.warn({ err: error }, "could not renew the claim on a creation"),
      );
    }, JOB_LEASE_MS / 3);
    return () => clearInterval(timer);
  }

  private async run(work: JobWork): Promise<void> {
    const { job, community, publisher, log, signal, status } = work;
    const { creations, files, clock, options } = this.deps;
    const owner = options.instanceId;
    // The image is stored in the same write that records the intent to post: an attempt got that far before.
    const mayHavePosted = job.imageHash !== null;

    let imageHash = job.imageHash;
    let image: GeneratedImage | null = null;
    // The title and alt text, asked for with the image (titles.ts); a job taken over with its image stored keeps what
    // it stored (perhaps nothing: then the prompt stands in), so a post it finds and the one it makes say the same.
    let caption: ReturnType<ReturnType<typeof startCaption>["within"]> = Promise.resolve(null);
    if (!imageHash) {
      // Not awaited: the image request need not wait for the platform. Later edits of this job queue behind it.
      void status({ state: "generating", creationId: job.id });
      try {
        // A remix is an edit of its parent's stored image (remix-image.ts); an original streams its previews.
        const user = hashedUser(options.userHashSalt, { community: community, userId: job.authorUserId, isAdmin: false });
        const captioning = startCaption(this.deps, job, user, signal, log);
        const previews = previewRequest(options.previewImages, (preview) => void status({ state: "generating", creationId: job.id, preview }));
        image = await makeImage(this.deps, job, user, signal, previews);
        // The grace runs from here, beside the image's storing.
        caption = captioning.within(CAPTION_GRACE_MS);
      } catch (error) {
        work.freeSlot();
        if (signal.aborted) throw error;
        if (error instanceof ProviderError) return this.providerFailed(job, error, log, status);
        if (error instanceof RemixParentGoneError) return this.fail(job, REMIX_PARENT_GONE_REASON, status);
        throw error;
      }
      // The image request is over: the slot takes its next job while this one is stored and posted.
      work.freeSlot();
      imageHash = await files.put(image.bytes, image.mimeType);
      // The image is paid for from here on, whatever happens next; and it is posted only if the creation is still
      // ours (`/privacy forget` may have removed it while it was being made).
      if (!(await creations.transitionCreation(job.id, ["generating"], { imageHash, status: "posting", spend: job.costMicroUsd }, owner))) {
        await creations.updateCreation(job.id, { spend: job.costMicroUsd });
        if ((await creations.getCreation(job.id))?.imageHash !== imageHash) await files.delete(imageHash);
        log.info({}, "creation was removed (or taken over) while it was being made; not posted");
        return;
      }
    } else {
      work.freeSlot();
      if (!(await creations.transitionCreation(job.id, ["generating", "posting"], { status: "posting" }, owner))) {
        log.info({}, "creation was removed before it was posted");
        return;
      }
    }

    image ??= await files.get(imageHash);
    if (!image) throw new Error(`image ${imageHash} is missing from the data directory`);
    // Checked before anyone sees it; a stored image not checked yet (an outage, a crash) is checked, not made again.
    const outcomes: CheckOutcomes = { requeue: (delayMs, attempts, waits) => this.requeue(job.id, delayMs, attempts, waits), fail: (reason) => this.fail(job, reason, status), backoff: (attempts) => this.backoff(attempts), maxRateLimitedWaits: MAX_RATE_LIMITED_WAITS };
    // Stored before the check, whatever it decides: a job that waits out a moderation outage posts later with this
    // caption, and a job handed back to the queue is not still working on it when it is taken again.
    const captioned = await caption;
    if (captioned) await creations.updateCreation(job.id, captioned);
    if (!job.imageChecked && !(await checkBeforePosting(this.deps, work, image, outcomes))) return;
    // What the posting write just recorded; the rest of the job's row is as it was claimed.
    const fresh: Creation = { ...job, imageHash, status: "posting", ...captioned };
    try {
      let post: PostRef | null = null;
      if (mayHavePosted) {
        // Look before reposting: an interrupted attempt may have posted and died before recording it.
        post = await publisher.findCreationPost({ community, creation: fresh, since: fresh.createdAt }).catch((error: unknown) => {
          log.warn({ err: error }, "could not look for an earlier post of this creation; posting (the platform's dedupe is the last guard)");
          return null;
        });
        if (post) log.info({ messageId: post.messageId }, "found the post an interrupted attempt made; not posting again");
      }
      post ??= await publisher.postCreation({ community, creation: fresh, image, remixOf: await remixCreditOf(this.deps, fresh) });
      const recorded = await creations.transitionCreation(
        job.id,
        ["posting"],
        { status: "posted", galleryChannelId: post.channelId, galleryMessageId: post.messageId, galleryUrl: post.url, postedAt: clock.now(), finishedAt: clock.now() },
        owner,
      );
      if (!recorded) {
        if ((await creations.getCreation(job.id))?.status !== "deleted") {
          // Another process took the job over meanwhile; it looks before it posts, and records this post.
          log.warn({ messageId: post.messageId }, "another process took this creation over while it was being posted");
          return;
        }
        // Removed (forgotten) while the post was being made: take the post down again.
        await publisher.deletePost(community, post.channelId, post.messageId);
        log.info({ messageId: post.messageId }, "creation was removed while it was being posted; post deleted");
        return;
      }
      if (community.problem) await this.deps.communities.updateCommunity(community.id, { problem: null });
      this.deps.metrics?.jobFinished("posted");
      await status({ state: "posted", creationId: job.id, url: post.url });
      log.info({ messageId: post.messageId }, "creation posted");
    } catch (error) {
      if (!(error instanceof PublishError)) throw error;
      if (error.kind === "transient" && error.retryAfterMs !== undefined && job.rateLimitedWaits < MAX_RATE_LIMITED_WAITS) {
        log.info({ retryAfterMs: error.retryAfterMs }, "the platform rate-limits the gallery: waiting for retry-after");
        return this.requeue(job.id, error.retryAfterMs, job.attempts, job.rateLimitedWaits + 1);
      }
      if (error.kind === "transient" && job.attempts + 1 < options.maxAttempts) {
        await this.requeue(job.id, this.backoff(job.attempts), job.attempts + 1);
        return;
      }
      // A channel the bot can't post in is the community's problem until an admin fixes it: `/imagine` is refused
      // meanwhile, so no more images are paid for that can't be posted. Any other refusal is this post's alone.
      const problem = channelProblemText(error, "gallery", community.galleryChannelId!);
      if (problem) await this.deps.communities.updateCommunity(community.id, { problem });
      log.warn({ err: error }, "gallery post failed");
      const why = problem ?? `Posting to ${channel(community.galleryChannelId!)} failed: ${error.message}`;
      await this.fail(job, `Your image was made but couldn't be posted. ${why} Your quota was refunded.`, status);
    }
  }

  private async providerFailed(job: Creation, error: ProviderError, log: Logger, status: StatusLine): Promise<void> {
    const { options } = this.deps;
    switch (error.kind) {
      case "rate_limited": {
        if (job.rateLimitedWaits < MAX_RATE_LIMITED_WAITS) {
          log.info({ retryAfterMs: error.details.retryAfterMs }, "rate limited: waiting for retry-after");
          return this.requeue(job.id, error.details.retryAfterMs ?? 1000, job.attempts, job.rateLimitedWaits + 1);
        }
        return this.fail(job, "The image service is too busy right now. Your quota was refunded; please try again later.", status);
      }
      case "transient":
        if (job.attempts + 1 < options.maxAttempts) {
          log.warn({ err: error, attempt: job.attempts + 1 }, "transient failure: retrying with backoff");
          return this.requeue(job.id, this.backoff(job.attempts), job.attempts + 1);
        }
        log.error({ err: error, attempts: job.attempts + 1 }, "image generation kept failing");
        return this.fail(job, "The image service kept failing, so I gave up. Your quota was refunded; please try again later.", status);
      case "safety":
        return this.fail(job, "OpenAI's safety system refused to make this image. Your quota was refunded; please try a different prompt.", status, "refused");
      case "unavailable":
        log.error({ err: error, status: error.details.status, code: error.details.providerCode }, "OpenAI is unavailable for this account: operator action needed");
        return this.fail(job, "Image generation is unavailable right now. The bot's operator has been told. Your quota was refunded.", status);
      case "rejected":
        log.warn({ err: error }, "image request rejected");
        return this.fail(job, "The image service rejected this request. Your quota was refunded; please try a different prompt.", status);
    }
  }

  private backoff(attempts: number): number {
    return this.deps.options.retryBaseMs * 2 ** attempts;
  }

  /** Back to the queue, not before `delayMs` from now; the counts of attempts and rate-limit waits go with the job. */
  private async requeue(id: number, delayMs: number | null, attempts: number, rateLimitedWaits?: number): Promise<void> {
    const notBefore = delayMs === null ? null : new Date(this.deps.clock.now().getTime() + delayMs);
    await this.deps.creations.transitionCreation(
      id,
      ["generating", "posting"],
      { status: "queued", notBefore, attempts, startedAt: null, ...(rateLimitedWaits === undefined ? {} : { rateLimitedWaits }) },
      this.deps.options.instanceId,
    );
    this.requeued();
  }

  /** Fails the job with a refund and tells the member, after the job's earlier status edits. */
  private async fail(job: Creation, reason: string, status: StatusLine | undefined, outcome: JobOutcome = "failed"): Promise<void> {
    const failed = await this.deps.creations.transitionCreation(
      job.id,
      ["generating", "posting"],
      { status: "failed", error: reason, finishedAt: this.deps.clock.now() },
      this.deps.options.instanceId,
    );
    if (!failed) return; // removed, or taken over by another process: not ours to report
    this.deps.metrics?.jobFinished(outcome);
    let send = status;
    if (!send) {
      const community = job.statusRef ? await this.deps.communities.getCommunity(job.communityId) : null;
      send = this.statusEdits.line(community && publisherFor(this.deps, community.platform), job, this.deps.logger);
    }
    await send({ state: "failed", creationId: job.id, reason });
  }
}
