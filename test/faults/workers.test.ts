/**
 * Two worker processes on one PostgreSQL database, whose jobs run on graphile-worker: a SIGKILLed worker's job is
 * taken over by the other process and posted once; members are served round-robin across both; the shared image
 * rate limit holds across both, counted at the loopback OpenAI, and OpenAI's 429s are still waited out.
 */
import { PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeUser } from "../support/discord/types.js";
import { until, type SalonProcess } from "../support/salon-process.js";
import { botTestsOnPostgres } from "../support/test-database.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Two processes, each with its own health port. */
async function twoProcesses(world: DiscordWorld): Promise<[SalonProcess, SalonProcess]> {
  const first = await world.boot();
  await world.setUp();
  return [first, await world.boot({ PORT: "0" })];
}

/** `/salon limits cooldown_seconds:0`, so one member can queue several jobs at once. */
async function noCooldown(world: DiscordWorld): Promise<void> {
  const handle = world.discord.slashCommand({
    guildId: world.guild.id,
    channelId: world.gallery.id,
    userId: world.admin.id,
    name: "salon",
    permissions: PermissionFlagsBits.ManageGuild,
    options: [{ type: 1, name: "limits", options: [{ type: 4, name: "cooldown_seconds", value: 0 }] }],
  });
  await handle.waitFor((m) => m.content.length > 0, 10_000);
}

async function queue(world: DiscordWorld, user: FakeUser, prompt: string): Promise<void> {
  await world.imagine(user, prompt).waitFor((m) => m.content.includes("Queued") || m.content.includes("Generating"), 10_000);
}

const promptOf = (request: { body: unknown }) => (request.body as { prompt: string }).prompt;

describe.skipIf(!botTestsOnPostgres())("two worker processes on graphile-worker", () => {
  it("takes over the job of a SIGKILLed worker: the other process finds the post it made and posts nothing more", async () => {
    w = await discordWorld({ env: { GENERATION_CONCURRENCY: "1" } });
    const [ana] = w.members;
    const processes = await twoProcesses(w);
    const galleryPath = new RegExp(`^/channels/${w.gallery.id}/messages$`);
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath, phase: "after" });
    w.imagine(ana!, "posted, then killed");
    await held.arrived;
    const [row] = await w.creations();
    expect(row).toMatchObject({ status: "posting", galleryMessageId: null });
    const holder = processes.find((p) => row!.claimedBy?.includes(`:${p.child.pid}:`))!;
    const other = processes.find((p) => p !== holder)!;

    await holder.crash();
    held.release();

    await until(async () => (await w!.creations())[0]?.status === "posted", "the other process to finish it", 60_000);
    expect(w.postsOf("posted, then killed")).toHaveLength(1);
    expect(w.galleryPosts()).toBe(1);
    expect(w.openai.imageRequests).toHaveLength(1); // its image was stored: posted, not made again
    expect(other.logs().some((l) => l.msg === "found the post an interrupted attempt made; not posting again")).toBe(true);
    expect((await w.creations())[0]).toMatchObject({ galleryMessageId: w.postsOf("posted, then killed")[0]!.id, claimedBy: null });
  }, 90_000);

  it("serves members round-robin across both processes: every member's first queued job starts before anyone's second", async () => {
    w = await discordWorld({ env: { GENERATION_CONCURRENCY: "1" } });
    const [ana, ben, chloe] = w.members;
    const processes = await twoProcesses(w);
    await noCooldown(w);
    // Every image waits for the test: one worker frees up at a time, so the order of requests is the order of starts.
    const gates: Array<() => void> = [];
    w.openai.scriptImages(...Array.from({ length: 7 }, () => ({ until: new Promise<void>((resolve) => gates.push(resolve)) })));
    await queue(w, ana!, "ana 1");
    await until(() => w!.openai.imageRequests.length === 1, "ana's first image");
    await queue(w, ana!, "ana 2");
    await until(() => w!.openai.imageRequests.length === 2, "ana's second, in the other process");
    for (const [user, prompt] of [[ana, "ana 3"], [ana, "ana 4"], [ben, "ben 1"], [ben, "ben 2"], [chloe, "chloe 1"]] as const) await queue(w, user!, prompt);

    for (let released = 0; released < 7; released++) {
      gates[released]!();
      if (released < 5) await until(() => w!.openai.imageRequests.length === released + 3, `image request ${released + 3}`);
    }
    const started = w.openai.imageRequests.slice(2).map(promptOf);
    expect(new Set(started.slice(0, 3))).toEqual(new Set(["ana 3", "ben 1", "chloe 1"]));
    expect(new Set(started.slice(3))).toEqual(new Set(["ana 4", "ben 2"]));
    await until(async () => (await w!.creations()).every((c) => c.status === "posted"), "every creation posted", 30_000);
    for (const p of processes) expect(p.logs().some((l) => l.msg === "creation posted")).toBe(true);
  }, 90_000);

  it("keeps both processes' image requests within IMAGE_RATE_PER_MINUTE, and still waits out OpenAI's 429", async () => {
    const windowMs = 2_000;
    w = await discordWorld({ env: { GENERATION_CONCURRENCY: "2", IMAGE_RATE_PER_MINUTE: "2", IMAGE_RATE_WINDOW_SECONDS: String(windowMs / 1000) } });
    const [ana, ben, chloe] = w.members;
    await twoProcesses(w);
    await noCooldown(w);
    w.openai.scriptImages({ status: 429, retryAfterSeconds: 1 });
    for (const user of [ana, ben, chloe, ana, ben]) await queue(w, user!, `by ${user!.username} ${Math.random().toString(36).slice(2, 6)}`);
    await until(async () => (await w!.creations()).every((c) => c.status === "posted"), "every creation posted", 60_000);

    const times = w.openai.imageRequests.map((r) => r.at).sort((a, b) => a - b);
    expect(times).toHaveLength(6); // five images and the one answered 429
    // No window holds more than 2 requests: any three in a row span the window. The margin is the time between the
    // limiter's grant and the request's arrival here, never the other way.
    for (let i = 0; i + 2 < times.length; i++) expect(times[i + 2]! - times[i]!, `requests ${i + 1} to ${i + 3}`).toBeGreaterThan(windowMs - 250);
    const rateLimited = promptOf(w.openai.imageRequests[0]!);
    const [refused, retried] = w.openai.imageRequests.filter((r) => promptOf(r) === rateLimited).map((r) => r.at);
    expect(retried! - refused!).toBeGreaterThanOrEqual(1_000 - 50);
  }, 90_000);
});
