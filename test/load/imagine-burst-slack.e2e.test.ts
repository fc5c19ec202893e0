/**
 * Load, bounded: the /imagine burst on Slack — 200 signed slash commands from 50 members (8 first, then 192 within
 * one second), over HTTP to the real Bolt app, GENERATION_CONCURRENCY=8, instant fake OpenAI. Same checks as on
 * Discord: every command acknowledged inside Slack's 3 seconds (the only timing asserted), served round-robin
 * (members 1–8 occupy the workers until the whole burst is queued, while the rest arrive member by member; in posting
 * order every member's first creation comes before any member's third) and posted exactly once (one file share per
 * creation).
 */
import { afterAll, describe, expect, it } from "vitest";
import type { FakeSlackMessage, FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import { addSlackCommunity, salonText, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";
import { snapshotCommunity } from "../isolation/community-snapshot.js";
import { holdFirstImages } from "./first-images.js";

const MEMBERS = 50;
const PER_MEMBER = 4;
const CONCURRENCY = 8;
const BURST_MS = 1_000;
const WAVES = 4;
const DEADLINE_MS = 3_000;
/** How long the first eight images take: the rest of the burst is queued meanwhile. */

let h: SlackHarness | undefined;
afterAll(async () => {
  await h?.close();
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

describe("load: a burst of /imagine on Slack", () => {
  it("acknowledges 200 /imagine from 50 members within Slack's deadline, serves them round-robin and posts each exactly once", async () => {
    h = await startSlackHarness({ env: { GENERATION_CONCURRENCY: String(CONCURRENCY) } });
    const names = Array.from({ length: MEMBERS }, (_, i) => `member${String(i + 1).padStart(2, "0")}`);
    const c = await addSlackCommunity(h, names);
    expect(await salonText(h, c, c.admin, "limits cooldown_seconds=0 per_member_daily=10 budget_usd_daily=1000")).toContain("0 s cooldown");
    const members = c.members;
    const first = members.slice(0, CONCURRENCY);
    const order: FakeSlackUser[] = [...first];
    for (const m of [...members].reverse()) order.push(...Array.from({ length: PER_MEMBER - (first.includes(m) ? 1 : 0) }, () => m));
    // The first eight images come back only once the whole burst is queued (first-images.ts).
    const firstImages = holdFirstImages(h.openai, CONCURRENCY);

    const sent: Array<{ handle: Promise<SlackCommandHandle>; user: FakeSlackUser; prompt: string }> = [];
    const send = (user: FakeSlackUser) => {
      const prompt = `slack burst #${sent.length + 1} by ${user.name}`;
      sent.push({ handle: h!.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: c.gallery.id }), user, prompt });
    };
    // Members 1–8 first, until the workers have taken their jobs; then the other 192 within a second.
    for (const user of first) send(user);
    await firstImages.taken();
    const rest = order.slice(CONCURRENCY);
    const start = performance.now();
    const waveSize = rest.length / WAVES;
    for (let wave = 0; wave < WAVES; wave++) {
      await sleepUntil(start + (wave * BURST_MS) / WAVES);
      for (const user of rest.slice(wave * waveSize, (wave + 1) * waveSize)) send(user);
    }
    const dispatchedBy = performance.now() - start;
    const handles = await Promise.all(sent.map((s) => s.handle));

    // Acknowledged inside Slack's deadline: HTTP 200, no "operation_timeout" notice from Slack.
    const ackMs = handles.map((x) => x.ackMs).sort((x, y) => x - y);
    expect(handles.filter((x) => x.status !== 200 || x.timedOut).map((x) => `HTTP ${x.status} after ${x.ackMs.toFixed(0)} ms`)).toEqual([]);
    expect(ackMs.at(-1)!).toBeLessThan(DEADLINE_MS);
    expect(h.slack.ephemerals().filter((e) => e.source === "slack")).toEqual([]);
    await firstImages.releaseWhenQueued(h.config.database.url, "slack", h.slack.teamId, handles.length);

    // Exactly once: one file share per creation in the gallery.
    const shares = () => h!.slack.messages(c.gallery.id).filter((m) => m.files.length > 0 && !m.deleted);
    const until = Date.now() + 90_000;
    while (shares().length < handles.length && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
    const done = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const posts = shares();
    const unposted = (await snapshotCommunity(h.config.database.url, "slack", h.slack.teamId)).creations.filter((r) => r.status !== "posted");
    const problems = h.logs.filter((l) => l.level === "error" || l.level === "warn").map((l) => `${String(l.msg)} ${JSON.stringify(l.err ?? "").slice(0, 200)}`);
    expect({ unposted: unposted.map((r) => `${r.id} ${r.status} ${r.error} attempts=${r.attempts}`), problems: [...new Set(problems)].slice(0, 5) }).toEqual({ unposted: [], problems: [] });
    expect(posts).toHaveLength(handles.length);
    const promptOf = (m: FakeSlackMessage) => /🎨 \*(.*)\*/.exec(m.text)?.[1];
    for (const { prompt } of sent) expect(posts.filter((m) => promptOf(m) === prompt), prompt).toHaveLength(1);
    expect(h.openai.imageRequests).toHaveLength(handles.length);
    const stored = (await snapshotCommunity(h.config.database.url, "slack", h.slack.teamId)).creations;
    expect(stored.map((r) => r.status)).toEqual(Array(handles.length).fill("posted"));
    expect(new Set(stored.map((r) => r.galleryMessageId)).size).toBe(handles.length);

    // The whole burst was queued while the first eight were still being made (else the fairness check is moot).
    const ms = (value: unknown) => (typeof value === "number" ? value : Date.parse(String(value)));
    const queuedBy = Math.max(...stored.map((r) => ms(r.createdAt)));
    const laterStarts = stored.map((r) => ms(r.startedAt)).sort((x, y) => x - y).slice(CONCURRENCY);
    expect(queuedBy, "the burst must be queued before the workers free up").toBeLessThanOrEqual(laterStarts[0]!);

    // Fair: in posting order, every member appears before any member's third.
    const authorOf = (m: FakeSlackMessage) => / by (member\d+)$/.exec(promptOf(m) ?? "")?.[1];
    const seen = new Map<string, number>();
    let firstThird = posts.length;
    posts.forEach((m, i) => {
      const n = (seen.get(authorOf(m)!) ?? 0) + 1;
      seen.set(authorOf(m)!, n);
      if (n === 3 && firstThird === posts.length) firstThird = i;
    });
    expect(new Set(posts.slice(0, firstThird).map(authorOf)).size).toBe(MEMBERS);

    console.log(
      [
        `slack burst: ${handles.length} /imagine from ${MEMBERS} members sent over ${dispatchedBy.toFixed(0)} ms, concurrency ${CONCURRENCY}`,
        `ack latency: p50 ${percentile(ackMs, 50).toFixed(1)} ms, p99 ${percentile(ackMs, 99).toFixed(1)} ms, max ${ackMs.at(-1)!.toFixed(1)} ms (deadline ${DEADLINE_MS} ms)`,
        `all ${handles.length} posted ${((done - start) / 1000).toFixed(1)} s after the first command; every member's first creation within the first ${firstThird} posts`,
      ].join("\n"),
    );
  }, 150_000);
});
