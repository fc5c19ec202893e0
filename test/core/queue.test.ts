import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildSalon, FakeImageProvider, FakePublisher, GALLERY, providerError, refusalOf, said, waitFor, type SalonHarness } from "../support/core-fakes.js";
import { openSecondStore } from "../support/db.js";
import { JOB_LEASE_MS } from "../../src/core/claims.js";
import { PublishError } from "../../src/core/errors.js";
import type { ImageProvider, JobStatus, Publisher } from "../../src/core/ports.js";

let h: SalonHarness;
beforeEach(async () => {
  h = await buildSalon();
  await h.setUp({ limits: { cooldownSeconds: 0 } });
});
afterEach(async () => {
  await h.cleanup();
});

const today = "2026-11-25";

async function usageOf(userId: string) {
  const community = await h.community();
  return h.stores.creations.usage(community.id, userId, today);
}

async function settled(id: number, what = "the creation to settle") {
  await waitFor(async () => ["posted", "failed", "cancelled"].includes((await h.creation(id)).status), { clock: h.clock, advanceMs: 10, what });
  return h.creation(id);
}

describe("the generation queue", () => {
  it("posts the creation to the gallery and moves the status message queued → generating → posted with the post's link", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "a lighthouse at dawn", aspect: "portrait", quality: "high", statusRef: "s1" });
    await h.drain();
    await waitFor(() => h.publisher.statusesOf("s1").length === 3, { what: "three status updates" });

    const posted = await h.creation(creation.id);
    const [post] = h.publisher.posts;
    expect(h.publisher.posts).toHaveLength(1);
    expect(post).toMatchObject({ channelId: GALLERY, creationId: creation.id, prompt: "a lighthouse at dawn", authorUserId: "u-ada" });
    expect(posted).toMatchObject({
      status: "posted",
      galleryChannelId: GALLERY,
      galleryMessageId: post!.messageId,
      galleryUrl: post!.url,
      postedAt: h.clock.now(),
      size: "1024x1536",
      quality: "high",
    });
    expect(h.publisher.statusesOf("s1")).toEqual([
      { state: "queued", position: 1, creationId: creation.id },
      { state: "generating", creationId: creation.id },
      { state: "posted", creationId: creation.id, url: post!.url },
    ]);
    // The bytes are kept by the bot, content-addressed, and are what was posted.
    const kept = await h.files.get(posted.imageHash!);
    expect(kept?.bytes.equals(post!.image!.bytes)).toBe(true);
    expect(h.provider.generateRequests).toEqual([
      expect.objectContaining({ prompt: "a lighthouse at dawn", model: "gpt-image-2", size: "1024x1536", quality: "high" }),
    ]);
    // The provider sees a stable hashed id, never the platform id.
    expect(h.provider.generateRequests[0]!.user).not.toContain("u-ada");
    expect(h.provider.generateRequests[0]!.user).toMatch(/^[0-9a-f]{32}$/);
  });

  it("serves members round-robin: B's one job comes second even though A queued five first", async () => {
    for (let i = 1; i <= 5; i++) await h.salon.imagine(h.actor("u-a"), { prompt: `a${i}`, statusRef: null });
    const { position } = await h.salon.imagine(h.actor("u-b"), { prompt: "b1", statusRef: null });
    expect(position).toBeLessThanOrEqual(2);
    await h.drain();
    const order = h.provider.generateRequests.map((r) => r.prompt);
    expect(order).toHaveLength(6);
    expect(order.indexOf("b1")).toBeLessThanOrEqual(1);
    // A's own jobs keep their order.
    expect(order.filter((p) => p.startsWith("a"))).toEqual(["a1", "a2", "a3", "a4", "a5"]);
  });

  it("finishes, exactly once, a creation a crashed instance left generating", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "survives a crash", statusRef: "s1" });
    // The crashed instance had claimed the job and then vanished.
    const claimed = await h.stores.creations.claimNextJob(h.clock.now(), "instance-crashed", JOB_LEASE_MS, ["discord"]);
    expect(claimed?.id).toBe(creation.id);
    expect((await h.creation(creation.id)).status).toBe("generating");

    // A new process, which knows the crashed one is gone: its own connection to the same file.
    const second = await openSecondStore(h.url);
    const provider = new FakeImageProvider();
    const publisher = new FakePublisher();
    const restarted = await buildSalon({
      database: { ...second, url: h.url },
      clock: h.clock,
      provider,
      publisher,
      files: h.files,
      options: { instanceId: "instance-b", isInstanceGone: (id) => id === "instance-crashed" },
    });
    try {
      await restarted.drain();
      await waitFor(() => publisher.statusesOf("s1").some((s) => s.state === "posted"), { what: "the posted status" });
      expect((await h.creation(creation.id)).status).toBe("posted");
      expect(provider.generateCalls).toBe(1);
      expect(publisher.posts).toHaveLength(1);
      expect(h.publisher.posts).toHaveLength(0);
    } finally {
      await restarted.cleanup();
      await second.close();
    }
  });

  it("posts without generating again a creation whose image was stored before the crash", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "already drawn", statusRef: null });
    await h.stores.creations.claimNextJob(h.clock.now(), h.options.instanceId, JOB_LEASE_MS, ["discord"]);
    const hash = await h.files.put((await h.provider.generate({ prompt: "x", model: "gpt-image-2", size: "1024x1024", quality: "low", user: "u" })).bytes, "image/png");
    await h.stores.creations.updateCreation(creation.id, { imageHash: hash, status: "posting" });

    const provider = new FakeImageProvider();
    const publisher = new FakePublisher();
    const restarted = await buildSalon({ database: h, clock: h.clock, provider, publisher, files: h.files });
    try {
      await restarted.drain();
      expect(await h.creation(creation.id)).toMatchObject({ status: "posted", imageHash: hash });
      expect(provider.generateCalls).toBe(0);
      expect(publisher.posts).toHaveLength(1);
    } finally {
      await restarted.cleanup();
    }
  });

  it("records, without posting again, a post an interrupted attempt made before it could record it", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "posted, then the lights went out", statusRef: null });
    await h.stores.creations.claimNextJob(h.clock.now(), h.options.instanceId, JOB_LEASE_MS, ["discord"]);
    const image = await h.provider.generate({ prompt: "x", model: "gpt-image-2", size: "1024x1024", quality: "low", user: "u" });
    const hash = await h.files.put(image.bytes, "image/png");
    await h.stores.creations.updateCreation(creation.id, { imageHash: hash, status: "posting" });
    // The platform accepted the post; the process died before the database heard of it.
    const community = await h.community();
    const made = await h.publisher.postCreation({ community, creation: await h.creation(creation.id), image });

    await h.drain();

    expect(await h.creation(creation.id)).toMatchObject({ status: "posted", galleryMessageId: made.messageId });
    expect(h.publisher.posts).toHaveLength(1);
    expect(h.publisher.lookups).toEqual([`creation:${creation.id}`]);
  });

  it("leaves a live process's job alone until its claim runs out, then takes it over", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "someone else's", statusRef: null });
    await h.stores.creations.claimNextJob(h.clock.now(), "instance-alive", JOB_LEASE_MS, ["discord"]);
    await h.startQueue();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await h.creation(creation.id)).status).toBe("generating");
    expect(h.provider.generateCalls).toBe(0);

    h.clock.advance(JOB_LEASE_MS + 1);
    h.salon.queue.notify();

    await waitFor(async () => (await h.creation(creation.id)).status === "posted", { what: "the take-over" });
    expect((await h.creation(creation.id)).attempts).toBe(1);
    expect(h.publisher.posts).toHaveLength(1);
  });

  it("gives up with a refund on a job whose process kept dying while making it", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "poison", statusRef: "s1" });
    for (let crash = 0; crash < h.options.maxAttempts; crash++) {
      await h.stores.creations.claimNextJob(h.clock.now(), `instance-${crash}`, JOB_LEASE_MS, ["discord"]);
      h.clock.advance(JOB_LEASE_MS + 1);
    }
    await h.startQueue();

    const failed = await settled(creation.id);

    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("interrupted too many times");
    expect(h.provider.generateCalls).toBe(0);
    expect((await usageOf("u-ada")).memberToday).toBe(0);
  });

  it("waits out a 429's retry-after, then retries and posts", async () => {
    h.provider.script(providerError("rate_limited", { status: 429, retryAfterMs: 1_000 }));
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "busy day", statusRef: "s1" });
    await h.startQueue();
    await waitFor(async () => h.provider.generateCalls === 1 && (await h.creation(creation.id)).status === "queued", { what: "the 429" });

    h.clock.advance(999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.provider.generateCalls).toBe(1);

    h.clock.advance(1);
    await waitFor(async () => (await h.creation(creation.id)).status === "posted", { what: "the retry to post" });
    expect(h.provider.generateCalls).toBe(2);
    expect(h.publisher.posts).toHaveLength(1);
    expect((await usageOf("u-ada")).memberToday).toBe(1);
  });

  it("waits out the platform's long rate limit on the gallery post without using up attempts, then posts once", async () => {
    const limited = () => new PublishError("transient", "rate limited for 45000 ms", { retryAfterMs: 45_000 });
    h.publisher.failPosts(...Array.from({ length: h.options.maxAttempts + 1 }, limited));
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "a queue at the door", statusRef: null });

    await h.startQueue();
    await waitFor(async () => (await h.creation(creation.id)).status === "posted", { clock: h.clock, advanceMs: 5_000, what: "the post after the rate limits" });
    const posted = await h.creation(creation.id);

    expect(posted).toMatchObject({ status: "posted", attempts: 0 });
    expect(h.publisher.posts).toHaveLength(1);
    expect(h.provider.generateCalls).toBe(1);
  });

  it("gives up after maxAttempts transient failures, tells the member and refunds quota and budget", async () => {
    h.provider.script(providerError("transient", { status: 500 }), providerError("transient", { status: 502 }), providerError("transient"), "image");
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "flaky", statusRef: "s1" });
    expect(await usageOf("u-ada")).toMatchObject({ memberToday: 1, spendTodayMicroUsd: 40_000 });
    await h.startQueue();

    const failed = await settled(creation.id);
    expect(failed.status).toBe("failed");
    expect(h.provider.generateCalls).toBe(3);
    expect(h.publisher.posts).toHaveLength(0);
    await waitFor(() => h.publisher.statusesOf("s1").some((s) => s.state === "failed"), { what: "the failed status" });
    const told = h.publisher.statusesOf("s1").at(-1);
    expect(told).toMatchObject({ state: "failed", creationId: creation.id, reason: expect.stringContaining("refunded") });
    expect(await usageOf("u-ada")).toMatchObject({ memberToday: 0, spendTodayMicroUsd: 0 });
  });

  it("fails a safety refusal at once, with a single image request, and refunds it", async () => {
    h.provider.script(providerError("safety", { status: 400, providerCode: "moderation_blocked" }));
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "edgy", statusRef: "s1" });
    await h.startQueue();
    const failed = await settled(creation.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/safety/);
    expect(h.provider.generateCalls).toBe(1);
    await waitFor(() => h.publisher.statusesOf("s1").some((s) => s.state === "failed"), { what: "the failed status" });
    expect(h.publisher.statusesOf("s1").at(-1)).toMatchObject({ state: "failed", reason: expect.stringMatching(/safety/) });
    expect((await usageOf("u-ada")).memberToday).toBe(0);
  });

  it("reports an unavailable provider to the operator's log and to the member as unavailable", async () => {
    h.provider.script(providerError("unavailable", { status: 429, providerCode: "insufficient_quota" }));
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "no credit", statusRef: "s1" });
    await h.startQueue();
    const failed = await settled(creation.id);
    expect(failed.status).toBe("failed");
    expect(h.provider.generateCalls).toBe(1);
    await waitFor(() => h.publisher.statusesOf("s1").some((s) => s.state === "failed"), { what: "the failed status" });
    expect(h.publisher.statusesOf("s1").at(-1)).toMatchObject({ state: "failed", reason: expect.stringMatching(/unavailable/) });
    expect(h.logger.at("error")).toEqual([
      expect.objectContaining({ obj: expect.objectContaining({ creationId: creation.id, code: "insufficient_quota" }) }),
    ]);
    expect((await usageOf("u-ada")).spendTodayMicroUsd).toBe(0);
  });

  it("fails a creation the gallery refuses (missing access), refunds it and shows the problem in /salon settings", async () => {
    h.publisher.setChannelProblem(GALLERY, "missing_access");
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "nowhere to go", statusRef: "s1" });
    await h.startQueue();
    const failed = await settled(creation.id);
    expect(failed.status).toBe("failed");
    expect(h.provider.generateCalls).toBe(1);
    expect((await usageOf("u-ada")).memberToday).toBe(0);
    await waitFor(() => h.publisher.statusesOf("s1").some((s) => s.state === "failed"), { what: "the failed status" });
    expect(h.publisher.statusesOf("s1").at(-1)).toMatchObject({ reason: expect.stringContaining("couldn't be posted") });

    const community = await h.community();
    expect(community.problem).toMatch(/missing permissions/);
    expect(await h.salon.settings(h.actor("u-admin", { admin: true }))).toContain(community.problem);

    // While it lasts, /imagine is refused before moderation or an image; the image made is paid for.
    expect(await refusalOf(h.salon.imagine(h.actor("u-ada"), { prompt: "second try", statusRef: null }))).toMatch(/missing permissions.*\/salon settings/);
    expect(h.provider.moderateCalls).toBe(1);
    expect((await usageOf("u-ada")).spendTodayMicroUsd).toBe(failed.costMicroUsd);

    // Once the channel is fixed, /salon settings finds it usable again and /imagine works.
    h.publisher.setChannelProblem(GALLERY, null);
    expect(await h.salon.settings(h.actor("u-admin", { admin: true }))).not.toContain("Problem");
    expect((await h.community()).problem).toBeNull();
    const { creation: next } = await h.salon.imagine(h.actor("u-ada"), { prompt: "third try", statusRef: null });
    expect((await settled(next.id)).status).toBe("posted");
  });

  it("tells the member and the admin when the gallery channel no longer exists", async () => {
    h.publisher.setChannelProblem(GALLERY, "channel_not_found");
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "lost", statusRef: null });
    await h.startQueue();
    const failed = await settled(creation.id);
    expect(failed.status).toBe("failed");
    expect(said(failed.error!)).toContain("/salon setup");
    expect((await h.community()).problem).toMatch(/no longer exists/);
    expect((await usageOf("u-ada")).memberToday).toBe(0);
  });

  it("lets the author cancel a queued creation: refunded and never generated", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "changed my mind", statusRef: "s1" });
    await h.salon.cancel(h.actor("u-ada"), creation.id);
    expect((await h.creation(creation.id)).status).toBe("cancelled");
    expect(await usageOf("u-ada")).toMatchObject({ memberToday: 0, spendTodayMicroUsd: 0 });
    expect(h.publisher.statusesOf("s1").at(-1)).toEqual({ state: "cancelled", creationId: creation.id });
    await h.drain();
    expect(h.provider.generateCalls).toBe(0);
    expect(h.publisher.posts).toHaveLength(0);
  });

  it("does not let another member cancel someone's creation", async () => {
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "mine", statusRef: null });
    await expect(h.salon.cancel(h.actor("u-bob"), creation.id)).rejects.toMatchObject({ code: "not_yours" });
    await expect(h.salon.cancel(h.actor("u-admin", { admin: true }), creation.id)).rejects.toMatchObject({ code: "not_yours" });
    expect((await h.creation(creation.id)).status).toBe("queued");
    await h.drain();
    expect((await h.creation(creation.id)).status).toBe("posted");
  });

  it("refuses to cancel once the image is being generated, and posts it", async () => {
    const hold = h.provider.hold();
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "too late", statusRef: null });
    await h.startQueue();
    await hold.started;
    await expect(h.salon.cancel(h.actor("u-ada"), creation.id)).rejects.toMatchObject({ code: "not_cancellable" });
    hold.release();
    expect((await settled(creation.id)).status).toBe("posted");
    expect((await usageOf("u-ada")).memberToday).toBe(1);
  });

  it("keeps every worker busy: with two workers a second job is made while the first is still generating", async () => {
    const two = await buildSalon({ concurrency: 2 });
    try {
      await two.setUp({ limits: { cooldownSeconds: 0 } });
      await two.startQueue();
      // Idle workers are woken once with nothing to do, as happens when a job is cancelled or retried later.
      two.salon.queue.notify();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const slow = two.provider.hold();
      await two.salon.imagine(two.actor("u-a"), { prompt: "slow", statusRef: null });
      await slow.started;
      await two.salon.imagine(two.actor("u-b"), { prompt: "fast", statusRef: null });
      await waitFor(() => two.publisher.posts.some((p) => p.prompt === "fast"), { timeoutMs: 2_000, what: "the second worker to post" });
      expect(two.salon.queue.busy).toBe(1);
      slow.release();
      await two.drain();
      expect(two.publisher.posts.map((p) => p.prompt)).toEqual(["fast", "slow"]);
    } finally {
      await two.cleanup();
    }
  });

  it("on shutdown returns a running job to the queue, and the next start finishes it", async () => {
    const hold = h.provider.hold();
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "interrupted", statusRef: null });
    await h.startQueue();
    await hold.started;
    await h.salon.queue.stop(20);
    expect((await h.creation(creation.id)).status).toBe("queued");
    expect((await usageOf("u-ada")).memberToday).toBe(1);

    const restarted = await buildSalon({ database: h, clock: h.clock, files: h.files, publisher: h.publisher });
    try {
      await restarted.drain();
      expect((await h.creation(creation.id)).status).toBe("posted");
      expect(h.publisher.posts).toHaveLength(1);
    } finally {
      await restarted.cleanup();
    }
  });
});

describe("the generation queue's memory of its jobs", () => {
  const nothing = { jobs: 0, active: 0, lost: 0, statusEdits: 0 };
  const forgotten = (harness: SalonHarness) =>
    waitFor(() => Object.values(harness.salon.queue.tracked).every((n) => n === 0), { what: "the queue to forget its jobs" });

  it("forgets a job however it ends: posted, failed, cancelled while queued, or returned to the queue on shutdown", async () => {
    await h.startQueue();
    const posted = await h.salon.imagine(h.actor("u-ada"), { prompt: "posted", statusRef: "s-posted" });
    expect((await settled(posted.creation.id)).status).toBe("posted");
    await waitFor(() => h.publisher.statusesOf("s-posted").at(-1)?.state === "posted", { what: "the posted status" });
    await forgotten(h);

    h.provider.script(providerError("safety", { status: 400, providerCode: "moderation_blocked" }));
    const failed = await h.salon.imagine(h.actor("u-bob"), { prompt: "refused", statusRef: "s-failed" });
    expect((await settled(failed.creation.id)).status).toBe("failed");
    await waitFor(() => h.publisher.statusesOf("s-failed").at(-1)?.state === "failed", { what: "the failed status" });
    await forgotten(h);

    await h.salon.queue.stop(1_000);
    const cancelled = await h.salon.imagine(h.actor("u-cy"), { prompt: "cancelled", statusRef: "s-cancelled" });
    await h.salon.cancel(h.actor("u-cy"), cancelled.creation.id);
    await waitFor(() => h.publisher.statusesOf("s-cancelled").at(-1)?.state === "cancelled", { what: "the cancelled status" });
    expect(h.salon.queue.tracked).toEqual(nothing);

    const hold = h.provider.hold();
    const interrupted = await h.salon.imagine(h.actor("u-dee"), { prompt: "interrupted", statusRef: "s-interrupted" });
    await h.salon.queue.start();
    await hold.started;
    expect(h.salon.queue.tracked).toMatchObject({ jobs: 1, active: 1 });
    await h.salon.queue.stop(20);
    expect((await h.creation(interrupted.creation.id)).status).toBe("queued");
    await forgotten(h);
    hold.release();
  });
});

describe("a process works only on jobs it can finish", () => {
  it("leaves a Slack community's job to a Slack process when it runs Discord only, and the other way round", async () => {
    // A second process on the same database that runs Slack only (its own publisher and provider).
    const slackPublisher = new FakePublisher("slack");
    const slackProvider = new FakeImageProvider();
    const second = await openSecondStore(h.url);
    const slack = await buildSalon({
      database: { db: second.db, stores: second.stores, url: h.url },
      clock: h.clock,
      provider: slackProvider,
      publisher: slackPublisher,
      options: { instanceId: "instance-slack" },
      deps: { publishers: { slack: slackPublisher } },
    });
    try {
      const team = { platform: "slack" as const, externalId: "T-team" };
      await slack.salon.setup({ community: team, userId: "U-admin", isAdmin: true }, { galleryChannelId: "C-gallery" });
      const slackJob = await slack.salon.imagine({ community: team, userId: "U-sam", isAdmin: false }, { prompt: "a Slack job", statusRef: null });
      // Queued after the Slack job, so a Discord worker that took any job would have taken the Slack one first.
      await h.startQueue();
      const discordJob = await h.salon.imagine(h.actor("u-ada"), { prompt: "a Discord job", statusRef: null });
      expect((await settled(discordJob.creation.id)).status).toBe("posted");
      expect(h.provider.generateRequests.map((r) => r.prompt)).toEqual(["a Discord job"]);
      expect((await h.creation(slackJob.creation.id)).status).toBe("queued");

      // The Slack process takes its own job, and only that one.
      const discordAgain = await h.salon.imagine(h.actor("u-ada"), { prompt: "another Discord job", statusRef: null });
      await slack.startQueue();
      await waitFor(async () => (await h.creation(slackJob.creation.id)).status === "posted", { clock: h.clock, advanceMs: 10, what: "the Slack job" });
      expect(slackPublisher.posts.map((p) => p.prompt)).toEqual(["a Slack job"]);
      expect(slackProvider.generateRequests.map((r) => r.prompt)).toEqual(["a Slack job"]);
      expect((await settled(discordAgain.creation.id)).status).toBe("posted");
      expect(h.publisher.posts.map((p) => p.prompt)).toEqual(["a Discord job", "another Discord job"]);
    } finally {
      await slack.cleanup();
      await second.close();
    }
  });
});

describe("the generation queue's turnover: the next image is asked for as soon as the previous one came back", () => {
  it("starts the next job's image while the previous job is still being posted, and posts both once", async () => {
    const post = h.publisher.holdPost();
    const { creation: first } = await h.salon.imagine(h.actor("u-a"), { prompt: "first", statusRef: "s1" });
    const { creation: second } = await h.salon.imagine(h.actor("u-b"), { prompt: "second", statusRef: "s2" });
    await h.startQueue();
    await post.started;
    // One worker: its first job waits on the platform, and the second image is already being made.
    await waitFor(() => h.provider.generateCalls === 2, { what: "the second image request" });
    expect((await h.creation(first.id)).status).toBe("posting");

    post.release();
    await h.drain();
    expect(h.publisher.posts.map((p) => p.creationId).sort()).toEqual([first.id, second.id]);
    for (const [ref, id] of [["s1", first.id], ["s2", second.id]] as const) {
      expect(h.publisher.statusesOf(ref).map((s) => s.state)).toEqual(["queued", "generating", "posted"]);
      expect(h.publisher.statusesOf(ref).at(-1)).toMatchObject({ creationId: id });
    }
  });

  it("does not wait for the 'generating' edit before asking for the image, and still ends the status on Posted", async () => {
    let releaseEdit!: () => void;
    const editHeld = new Promise<void>((resolve) => (releaseEdit = resolve));
    const slowEdits: Publisher = new Proxy(h.publisher, {
      get(target, name, receiver) {
        if (name === "updateStatus") {
          return async (ref: string, status: JobStatus) => {
            if (status.state === "generating") await editHeld;
            return target.updateStatus(ref, status);
          };
        }
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const slow = await buildSalon({ database: h, clock: h.clock, provider: h.provider, publisher: h.publisher, files: h.files, deps: { publishers: { discord: slowEdits } } });
    try {
      const { creation } = await slow.salon.imagine(slow.actor("u-ada"), { prompt: "in a hurry", statusRef: "s1" });
      await slow.startQueue();
      // The image was made and posted while the platform sat on the "generating" edit.
      await waitFor(async () => (await h.creation(creation.id)).status === "posted", { what: "the post" });
      expect(h.provider.generateCalls).toBe(1);
      expect(h.publisher.statusesOf("s1").map((s) => s.state)).toEqual(["queued"]);

      releaseEdit();
      await waitFor(() => h.publisher.statusesOf("s1").length === 3, { what: "the last status edits" });
      expect(h.publisher.statusesOf("s1").map((s) => s.state)).toEqual(["queued", "generating", "posted"]);
    } finally {
      releaseEdit();
      await slow.cleanup();
    }
  });

  it("never has more image requests in flight than its concurrency, even while posts are slow", async () => {
    let inFlight = 0;
    let most = 0;
    const provider = new FakeImageProvider();
    const counted: ImageProvider = {
      moderate: (prompt) => provider.moderate(prompt),
      moderateImage: (request) => provider.moderateImage(request),
      edit: (request) => provider.edit(request),
      async generate(request) {
        most = Math.max(most, ++inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return await provider.generate(request);
        } finally {
          inFlight--;
        }
      },
    };
    const posts = Array.from({ length: 12 }, () => h.publisher.holdPost());
    const three = await buildSalon({ database: h, clock: h.clock, provider, publisher: h.publisher, files: h.files, concurrency: 3, deps: { provider: counted } });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) ids.push((await three.salon.imagine(three.actor(`u-${i}`), { prompt: `job ${i}`, statusRef: null })).creation.id);
      await three.startQueue();
      // Every post stuck on the platform: the workers go on making images, but not without bound.
      await Promise.all(posts.slice(0, 3).map((p) => p.started));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(provider.generateCalls).toBe(6);
      for (const p of posts) p.release();
      await three.drain({ timeoutMs: 10_000 });
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThan(1);
      expect(provider.generateCalls).toBe(12);
      expect(h.publisher.posts.map((p) => p.creationId!).sort((a, b) => a - b)).toEqual(ids);
    } finally {
      for (const p of posts) p.release();
      await three.cleanup();
    }
  });

  it("on shutdown lets a job whose image came back finish its post, and claims nothing more", async () => {
    const post = h.publisher.holdPost();
    // The first image comes at once; the second would take a minute.
    h.provider.script("image", { delayMs: 60_000 });
    const { creation } = await h.salon.imagine(h.actor("u-ada"), { prompt: "last one out", statusRef: "s1" });
    const { creation: next } = await h.salon.imagine(h.actor("u-bob"), { prompt: "next in line", statusRef: null });
    await h.startQueue();
    await post.started;
    await waitFor(() => h.provider.generateCalls === 2, { what: "the second image request" });
    const stopped = h.salon.queue.stop(2_000);
    // The image being made is given back to the queue at the end of the grace; the post on its way finishes.
    setTimeout(() => post.release(), 50);
    await stopped;
    expect((await h.creation(creation.id)).status).toBe("posted");
    expect(h.publisher.posts).toHaveLength(1);
    expect(h.publisher.statusesOf("s1").at(-1)).toMatchObject({ state: "posted" });
    expect((await h.creation(next.id)).status).toBe("queued");
    expect(h.salon.queue.busy).toBe(0);
  });
});
