import { afterEach, describe, expect, it } from "vitest";
import { addCommunity, createPost, eventually, imagine, startHarness, type Harness } from "../support/harness.js";
import { addSlackCommunity, slashText, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

let h: Harness | undefined;
let s: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  await s?.close();
  h = undefined;
  s = undefined;
});

/** `/metrics` as samples: `name{labels}` → value; fails unless every line is Prometheus text. */
async function scrape(port: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    expect(match, `not Prometheus text: ${line}`).not.toBeNull();
    samples.set(match![1]!, Number(match![2]));
  }
  return samples;
}

describe("GET /metrics", () => {
  it("counts a posted job, its generation time and a reaction, with the queue empty, beside Node's process metrics", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    const post = await createPost(h, c, c.members[0]!, "a lighthouse at dawn");
    h.discord.react(c.gallery.id, post.id, c.members[1]!.id, "👍");
    const m = await eventually(async () => {
      const samples = await scrape(h!.running.port);
      expect(samples.get("salon_reactions_ingested_total")).toBe(1);
      return samples;
    });
    expect(m.get('salon_jobs_finished_total{outcome="posted"}')).toBe(1);
    expect(m.get("salon_generation_seconds_count")).toBe(1);
    expect(m.get("salon_queue_depth")).toBe(0);
    expect(m.get("salon_queue_oldest_age_seconds")).toBe(0);
    expect(m.get("salon_database_up")).toBe(1);
    expect(m.get("process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("shows a job queued behind a held image as depth and age, in /metrics and /healthz", async () => {
    h = await startHarness({ env: { GENERATION_CONCURRENCY: "1" } });
    const c = await addCommunity(h);
    let release!: () => void;
    h.openai.scriptImages({ until: new Promise<void>((resolve) => (release = resolve)) });
    await imagine(h, c, c.members[0]!, "a held fox").response();
    await eventually(() => expect(h!.openai.imageRequests).toHaveLength(1));
    await imagine(h, c, c.members[1]!, "a waiting owl").response();
    const m = await eventually(async () => {
      const samples = await scrape(h!.running.port);
      expect(samples.get("salon_queue_depth")).toBeGreaterThanOrEqual(1);
      expect(samples.get("salon_queue_oldest_age_seconds")).toBeGreaterThan(0);
      return samples;
    });
    expect(m.get('salon_jobs_finished_total{outcome="posted"}') ?? 0).toBe(0);
    const health = (await (await fetch(`http://127.0.0.1:${h.running.port}/healthz`)).json()) as { oldestQueuedAgeSeconds: number };
    expect(health.oldestQueuedAgeSeconds).toBeGreaterThan(0);
    release();
  });

  it("counts an OpenAI safety refusal by kind and the job as refused", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    h.openai.scriptImages({ status: 400, code: "moderation_blocked" });
    await imagine(h, c, c.members[0]!, "something refused").response();
    const m = await eventually(async () => {
      const samples = await scrape(h!.running.port);
      expect(samples.get('salon_jobs_finished_total{outcome="refused"}')).toBe(1);
      return samples;
    });
    expect(m.get('salon_openai_errors_total{kind="safety"}')).toBe(1);
    expect(m.get("salon_generation_seconds_count")).toBe(0);
  });

  it("counts a job that failed after its retries, and a Discord 429 the bot waited out", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    // The harness allows 3 attempts: three 500s fail the job.
    h.openai.scriptImages({ status: 500 }, { status: 500 }, { status: 500 });
    await imagine(h, c, c.members[0]!, "never made").response();
    await eventually(async () => expect((await scrape(h!.running.port)).get('salon_jobs_finished_total{outcome="failed"}')).toBe(1));
    h.discord.fail({ method: "POST", pathPattern: /^\/channels\/\d+\/messages$/, status: 429, headers: { "retry-after": "0.05" } });
    await createPost(h, c, c.members[1]!, "posted after a 429");
    const m = await scrape(h.running.port);
    expect(m.get('salon_platform_rate_limited_total{platform="discord"}')).toBe(1);
    expect(m.get('salon_jobs_finished_total{outcome="posted"}')).toBe(1);
    expect(m.get('salon_openai_errors_total{kind="transient"}')).toBe(3);
  });

  it("counts a Slack 429 the Web API client waited out", async () => {
    s = await startSlackHarness();
    const c = await addSlackCommunity(s);
    s.slack.fail({ method: "files.getUploadURLExternal", error: "ratelimited", retryAfterSeconds: 1 });
    await slashText(s, "/imagine", "a fox in the snow", c.members[0]!.id, c.gallery.id);
    await eventually(async () => expect((await scrape(s!.running.port)).get('salon_jobs_finished_total{outcome="posted"}')).toBe(1), 15_000);
    expect((await scrape(s.running.port)).get('salon_platform_rate_limited_total{platform="slack"}')).toBe(1);
  });

  it("still answers /healthz and /metrics, with the queue unknown and salon_database_up 0, when the queue cannot be read", async () => {
    h = await startHarness();
    const stats = h.running.salon.deps.creations;
    const original = stats.queueStats.bind(stats);
    stats.queueStats = () => Promise.reject(new Error("database is locked"));
    const res = await fetch(`http://127.0.0.1:${h.running.port}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { oldestQueuedAgeSeconds: unknown }).oldestQueuedAgeSeconds).toBeNull();
    expect(h.logText()).toContain("queue age could not be read for /healthz");
    const m = await scrape(h.running.port);
    expect(m.get("salon_database_up")).toBe(0);
    expect(m.get("salon_queue_depth")).toBeNaN();
    expect(m.get("process_resident_memory_bytes")).toBeGreaterThan(0);
    stats.queueStats = original;
    expect((await scrape(h.running.port)).get("salon_database_up")).toBe(1);
  });
});
