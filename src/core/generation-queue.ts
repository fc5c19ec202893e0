/**
 * The generation workers: durable (the queue is the `Creation` table), fair (round-robin by member, see
 * `Store.claimNextJob`) and bounded (`concurrency` jobs at once). A job that must wait (a 429's retry-after, a
 * backoff after a 5xx) goes back to the queue with a `notBefore`, so a restart loses nothing.
 */
import type { SalonDeps } from "./deps.js";
import { ProviderError, PublishError } from "./errors.js";
import { hashedUser } from "./imagine.js";
import type { GeneratedImage, JobStatus } from "./ports.js";
import { publisherFor } from "./publisher-for.js";
import type { Creation } from "./types.js";

/** Bounded rate-limit waits: a provider that keeps answering 429 eventually fails the job. */
const MAX_RATE_LIMITED_WAITS = 20;
const IDLE_POLL_MS = 5_000;

export class GenerationQueue {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly active = new Map<number, AbortController>();
  private wake: AbortController = new AbortController();
  private rateLimitedWaits = new Map<number, number>();

  constructor(
    private readonly deps: SalonDeps,
    private readonly concurrency: number,
  ) {}

  /** Returns interrupted jobs to the queue and starts the workers. */
  async start(): Promise<void> {
    const requeued = await this.deps.store.requeueInterrupted();
    if (requeued > 0) this.deps.logger.info({ requeued }, "returned interrupted creations to the queue");
    this.running = true;
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop(i));
  }

  /** A job was queued: wake idle workers. */
  notify(): void {
    // Replace the signal before aborting it: a worker that goes to sleep after this sees the new one, a worker that
    // captured the old one sees it aborted. Replacing it in the loop instead lost wake-ups with several workers.
    const wake = this.wake;
    this.wake = new AbortController();
    wake.abort();
  }

  /** Jobs being worked on right now. */
  get busy(): number {
    return this.active.size;
  }

  /**
   * Stops taking jobs; running jobs get `graceMs` to finish, then are aborted and returned to the queue.
   */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    this.notify();
    const all = Promise.all(this.loops);
    const timer = setTimeout(() => {
      for (const controller of this.active.values()) controller.abort(new Error("shutting down"));
    }, graceMs);
    await all;
    clearTimeout(timer);
  }

  private async loop(worker: number): Promise<void> {
    const { store, clock, logger } = this.deps;
    while (this.running) {
      const wake = this.wake;
      let job: Creation | null;
      try {
        job = await store.claimNextJob(clock.now());
      } catch (error) {
        logger.error({ err: error, worker }, "could not claim a job");
        job = null;
      }
      if (!job) {
        const due = await store.nextJobDueAt().catch(() => null);
        const waitMs = due ? Math.max(0, Math.min(IDLE_POLL_MS, due.getTime() - clock.now().getTime())) : IDLE_POLL_MS;
        if (!wake.signal.aborted) await clock.sleep(waitMs, wake.signal).catch(() => {});
        continue;
      }
      await this.process(job);
    }
  }

  private async process(job: Creation): Promise<void> {
    const log = this.deps.logger.child({ creationId: job.id, communityId: job.communityId });
    const controller = new AbortController();
    this.active.set(job.id, controller);
    try {
      await this.run(job, controller.signal, log);
    } catch (error) {
      if (controller.signal.aborted && !this.running) {
        await this.requeue(job.id, null, job.attempts);
        log.info({}, "returned to the queue on shutdown");
      } else {
        log.error({ err: error }, "creation failed unexpectedly");
        await this.fail(job, "Something went wrong while making your image. Your quota was refunded; please try again.").catch((e) =>
          log.error({ err: e }, "could not record the failure"),
        );
      }
    } finally {
      this.active.delete(job.id);
    }
  }

  private async run(job: Creation, signal: AbortSignal, log: SalonDeps["logger"]): Promise<void> {
    const { store, files, clock, options } = this.deps;
    const community = await store.getCommunity(job.communityId);
    if (!community) return;
    const publisher = publisherFor(this.deps, community.platform);
    const status = (s: JobStatus) => (job.statusRef ? publisher.updateStatus(job.statusRef, s) : Promise.resolve());

    let imageHash = job.imageHash;
    if (!imageHash) {
      await status({ state: "generating", creationId: job.id });
      let image: GeneratedImage;
      try {
        image = await this.deps.provider.generate({
          prompt: job.prompt,
          model: job.model,
          size: job.size,
          quality: job.quality,
          user: hashedUser(options.userHashSalt, { community: community, userId: job.authorUserId, isAdmin: false }),
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof ProviderError) return this.providerFailed(job, error, log);
        throw error;
      }
      imageHash = await files.put(image.bytes, image.mimeType);
      // Only if it is still ours: `/privacy forget` may have removed it while it was being made.
      if (!(await store.transitionCreation(job.id, ["generating"], { imageHash, status: "posting" }))) {
        await files.delete(imageHash);
        log.info({}, "creation was removed while it was being made; not posted");
        return;
      }
    } else if (!(await store.transitionCreation(job.id, ["generating"], { status: "posting" }))) {
      log.info({}, "creation was removed before it was posted");
      return;
    }

    const image = await files.get(imageHash);
    if (!image) throw new Error(`image ${imageHash} is missing from the data directory`);
    const fresh = (await store.getCreation(job.id))!;
    try {
      const post = await publisher.postCreation({ community, creation: fresh, image });
      const recorded = await store.transitionCreation(job.id, ["posting"], {
        status: "posted",
        galleryChannelId: post.channelId,
        galleryMessageId: post.messageId,
        galleryUrl: post.url,
        postedAt: clock.now(),
        finishedAt: clock.now(),
      });
      if (!recorded) {
        // Removed (forgotten) while the post was being made: take the post down again.
        await publisher.deletePost(community, post.channelId, post.messageId);
        log.info({ messageId: post.messageId }, "creation was removed while it was being posted; post deleted");
        return;
      }
      if (community.problem) await store.updateCommunity(community.id, { problem: null });
      this.rateLimitedWaits.delete(job.id);
      await status({ state: "posted", creationId: job.id, url: post.url });
      log.info({ messageId: post.messageId }, "creation posted");
    } catch (error) {
      if (!(error instanceof PublishError)) throw error;
      if (error.kind === "transient" && job.attempts + 1 < options.maxAttempts) {
        await this.requeue(job.id, this.backoff(job.attempts), job.attempts + 1);
        return;
      }
      const where = `<#${community.galleryChannelId}>`;
      const problem =
        error.kind === "missing_access"
          ? `I can't post in ${where}: ${error.fix ?? "I'm missing permissions there."}`
          : error.kind === "channel_not_found"
            ? `The gallery channel ${where} no longer exists. Run \`/salon setup\` to choose another.`
            : `Posting to ${where} failed: ${error.message}`;
      await store.updateCommunity(community.id, { problem });
      log.warn({ err: error }, "gallery post failed");
      await this.fail(job, `Your image was made but couldn't be posted. ${problem} Your quota was refunded.`);
    }
  }

  private async providerFailed(job: Creation, error: ProviderError, log: SalonDeps["logger"]): Promise<void> {
    const { options } = this.deps;
    switch (error.kind) {
      case "rate_limited": {
        const waits = (this.rateLimitedWaits.get(job.id) ?? 0) + 1;
        this.rateLimitedWaits.set(job.id, waits);
        if (waits <= MAX_RATE_LIMITED_WAITS) {
          log.info({ retryAfterMs: error.details.retryAfterMs }, "rate limited: waiting for retry-after");
          return this.requeue(job.id, error.details.retryAfterMs ?? 1000, job.attempts);
        }
        return this.fail(job, "The image service is too busy right now. Your quota was refunded; please try again later.");
      }
      case "transient":
        if (job.attempts + 1 < options.maxAttempts) {
          log.warn({ err: error, attempt: job.attempts + 1 }, "transient failure: retrying with backoff");
          return this.requeue(job.id, this.backoff(job.attempts), job.attempts + 1);
        }
        log.error({ err: error, attempts: job.attempts + 1 }, "image generation kept failing");
        return this.fail(job, "The image service kept failing, so I gave up. Your quota was refunded; please try again later.");
      case "safety":
        return this.fail(job, "OpenAI's safety system refused to make this image. Your quota was refunded; please try a different prompt.");
      case "unavailable":
        log.error({ err: error, status: error.details.status, code: error.details.providerCode }, "OpenAI is unavailable for this account: operator action needed");
        return this.fail(job, "Image generation is unavailable right now. The bot's operator has been told. Your quota was refunded.");
      case "rejected":
        log.warn({ err: error }, "image request rejected");
        return this.fail(job, "The image service rejected this request. Your quota was refunded; please try a different prompt.");
    }
  }

  private backoff(attempts: number): number {
    return this.deps.options.retryBaseMs * 2 ** attempts;
  }

  private async requeue(id: number, delayMs: number | null, attempts: number): Promise<void> {
    const notBefore = delayMs === null ? null : new Date(this.deps.clock.now().getTime() + delayMs);
    await this.deps.store.transitionCreation(id, ["generating", "posting"], { status: "queued", notBefore, attempts, startedAt: null });
    this.notify();
  }

  private async fail(job: Creation, reason: string): Promise<void> {
    this.rateLimitedWaits.delete(job.id);
    await this.deps.store.transitionCreation(job.id, ["generating", "posting"], { status: "failed", error: reason, finishedAt: this.deps.clock.now() });
    const community = await this.deps.store.getCommunity(job.communityId);
    if (job.statusRef && community) await publisherFor(this.deps, community.platform).updateStatus(job.statusRef, { state: "failed", creationId: job.id, reason });
  }
}
