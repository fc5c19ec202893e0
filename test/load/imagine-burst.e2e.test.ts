/**
 * Load, bounded: 200 `/imagine` from 50 members (8 first, then 192 within one second), through the loopback Discord (real discord.js,
 * real openai SDK, real SQLite) with GENERATION_CONCURRENCY=8 and an instant fake OpenAI.
 *
 * - Every interaction is acknowledged (deferred) inside Discord's 3-second deadline — the only timing asserted.
 * - Fair: members 1–8 each send one request first, which keeps the eight workers busy (their images come back once all
 *   200 are queued) while
 *   the other 192 arrive member by member (each member's requests back to back: the order FIFO would serve worst).
 *   In completion order, every member's first creation comes before any member's third.
 * - Exactly once: 200 images asked of OpenAI, 200 gallery posts, one per creation, each status message ending on a
 *   link to its own post.
 * The numbers (ack p50/p99/max, throughput) are printed for the report.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser, InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, imagine, startHarness, type Harness } from "../support/harness.js";
import { snapshotCommunity } from "../isolation/community-snapshot.js";
import { holdFirstImages } from "./first-images.js";

const MEMBERS = 50;
const PER_MEMBER = 4;
const CONCURRENCY = 8;
const BURST_MS = 1_000;
const WAVES = Number(process.env.BURST_WAVES ?? 4);
const DEADLINE_MS = 3_000;

let h: Harness | undefined;
afterAll(async () => {
  await h?.close();
});

/** A DateTime column as SQLite holds it (ISO text or epoch milliseconds) → epoch milliseconds. */
const ms = (value: unknown) => (typeof value === "number" ? value : Date.parse(String(value)));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

/** A small deterministic shuffle (the test must not depend on luck). */
function shuffled<T>(items: T[], seed = 42): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("load: a burst of /imagine on Discord", () => {
  it("acknowledges 200 /imagine from 50 members within the deadline, serves them round-robin and posts each exactly once", async () => {
    h = await startHarness({ env: { GENERATION_CONCURRENCY: String(CONCURRENCY) } });
    const names = Array.from({ length: MEMBERS }, (_, i) => `member${String(i + 1).padStart(2, "0")}`);
    const c = await addCommunity(h, "Crowd", names);
    expect(await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }, { type: 4, name: "per_member_daily", value: 10 }, { type: 10, name: "budget_usd_daily", value: 1000 }])).toContain("0 s cooldown");
    const members = c.members;

    // The requests, in dispatch order: one from each of members 1–8 (they occupy the workers), then every member's
    // remaining requests back to back, members in a shuffled order.
    const first = members.slice(0, CONCURRENCY);
    const order: FakeUser[] = [...first];
    for (const m of shuffled(members)) order.push(...Array.from({ length: PER_MEMBER - (first.includes(m) ? 1 : 0) }, () => m));
    expect(order).toHaveLength(MEMBERS * PER_MEMBER);
    // The first eight images come back only once the whole burst is queued (first-images.ts).
    const firstImages = holdFirstImages(h.openai, CONCURRENCY);

    // Dispatched in waves, each wave at once: the bot shares this process with the fakes, so a per-request timer
    // would be starved by the bot's own work and stretch the burst well past a second.
    const handles: Array<{ handle: InteractionHandle; user: FakeUser; prompt: string }> = [];
    const send = (user: FakeUser) => {
      const prompt = `burst #${handles.length + 1} by ${user.username}`;
      handles.push({ handle: imagine(h!, c, user, prompt), user, prompt });
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
    const burstSpan = handles.at(-1)!.handle.dispatchedAt - handles[CONCURRENCY]!.handle.dispatchedAt;

    // Acknowledged within Discord's deadline: a deferred (type 5), ephemeral answer.
    const acks = await Promise.all(handles.map(({ handle }, i) => handle.response(10_000).catch((e) => { console.log("NOACK", i, handles[i]!.prompt, JSON.stringify(h!.logs.filter((l) => Number(l.level) >= 40).slice(-15), null, 0).slice(0, 6000)); throw e; }).then((cb) => ({ type: cb.type, flags: cb.data?.flags, ms: cb.at - handle.dispatchedAt }))));
    const ackMs = acks.map((a) => a.ms).sort((a, b) => a - b);
    expect(acks.every((a) => a.type === 5 && a.flags === 64)).toBe(true);
    expect(ackMs.at(-1)!).toBeLessThan(DEADLINE_MS);
    await firstImages.releaseWhenQueued(h.config.database.url, "discord", c.guild.id, handles.length);

    // Every creation is posted once: 200 gallery posts, one per creation and prompt; OpenAI asked for 200 images.
    const galleryPosts = () => h!.discord.messages(c.gallery.id).filter((m) => m.attachments.length > 0 && !m.deleted);
    const until = Date.now() + 90_000;
    while (galleryPosts().length < handles.length && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
    const done = performance.now();
    // The last status edits land; then no job is left that could post again (all are posted, below).
    const expected = (prompt: string) => {
      const post = galleryPosts().find((m) => m.embeds[0]?.description === prompt);
      return post ? `✅ Posted to the gallery: https://discord.com/channels/${c.guild.id}/${c.gallery.id}/${post.id}` : null;
    };
    const statusUntil = Date.now() + 30_000;
    while (handles.some(({ handle, prompt }) => handle.original()?.content !== expected(prompt)) && Date.now() < statusUntil) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const posts = galleryPosts();
    const creationOf = (m: FakeMessage) => String(m.components[0]?.components?.[0]?.custom_id).split(":").at(-1);
    expect(posts).toHaveLength(handles.length);
    expect(new Set(posts.map(creationOf)).size).toBe(handles.length);
    for (const { prompt } of handles) expect(posts.filter((m) => m.embeds[0]?.description === prompt)).toHaveLength(1);
    expect(h.openai.imageRequests).toHaveLength(handles.length);
    const stored = (await snapshotCommunity(h.config.database.url, "discord", c.guild.id)).creations;
    expect(stored).toHaveLength(handles.length);
    expect(stored.every((r) => r.status === "posted")).toBe(true);

    // Every status message ends on "Posted" with the link to its own post: one writer per message, edits in order, so
    // never a "Queued" written after the worker had posted (status-order.test.ts).
    for (const { handle, prompt } of handles) {
      const post = posts.find((m) => m.embeds[0]?.description === prompt)!;
      expect(handle.original()!.content).toBe(`✅ Posted to the gallery: https://discord.com/channels/${c.guild.id}/${c.gallery.id}/${post.id}`);
    }

    // The whole burst was queued while the first eight were still being made (else the fairness check is moot).
    const queuedBy = Math.max(...stored.map((r) => ms(r.createdAt)));
    const laterStarts = stored.map((r) => ms(r.startedAt)).sort((a, b) => a - b).slice(CONCURRENCY);
    expect(queuedBy, "the burst must be queued before the workers free up").toBeLessThanOrEqual(laterStarts[0]!);

    // Fair: in posting order, every member appears before any member's third.
    const authorOf = (m: FakeMessage) => /<@(\d+)>/.exec(m.content)![1]!;
    const seen = new Map<string, number>();
    let firstThird = posts.length;
    posts.forEach((m, i) => {
      const n = (seen.get(authorOf(m)) ?? 0) + 1;
      seen.set(authorOf(m), n);
      if (n === 3 && firstThird === posts.length) firstThird = i;
    });
    const before = new Set(posts.slice(0, firstThird).map(authorOf));
    expect(before.size).toBe(MEMBERS);
    for (const m of members) expect(seen.get(m.id)).toBe(PER_MEMBER);

    const firstPost = Math.min(...stored.map((r) => ms(r.postedAt)));
    const lastPost = Math.max(...stored.map((r) => ms(r.postedAt)));
    console.log(
      [
        `burst: ${handles.length} /imagine from ${MEMBERS} members dispatched over ${burstSpan.toFixed(0)} ms, concurrency ${CONCURRENCY}`,
        `ack (defer) latency: p50 ${percentile(ackMs, 50).toFixed(1)} ms, p99 ${percentile(ackMs, 99).toFixed(1)} ms, max ${ackMs.at(-1)!.toFixed(1)} ms (deadline ${DEADLINE_MS} ms)`,
        `completed ${handles.length} in ${((done - start) / 1000).toFixed(1)} s from the first dispatch; posting throughput ${(((handles.length - 1) * 1000) / Math.max(1, lastPost - firstPost)).toFixed(1)} creations/s`,
        `every member's first creation came within the first ${firstThird} completions (before any third)`,
      ].join("\n"),
    );
  }, 120_000);
});
