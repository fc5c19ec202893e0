/**
 * SIGTERM on the real process: no new work is taken, a running job finishes or goes back to the queue, and the
 * process exits within 10 s (PRODUCT.md §Operations).
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { databaseRows } from "../support/test-database.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";
import { seedDueDigest } from "./support/seed-digest.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/**
 * Sends SIGTERM and waits for the exit. `timeline` says, for a failure, when the process logged what after the signal
 * (its own clock), so a slow exit shows where the time went.
 */
async function terminate(proc: { child: { kill(signal: NodeJS.Signals): boolean }; exited: Promise<number | null>; logs(): Array<Record<string, unknown>> }) {
  const at = Date.now();
  proc.child.kill("SIGTERM");
  const code = await proc.exited;
  const timeline = proc
    .logs()
    .map((l) => ({ t: Date.parse(String(l.time)), msg: String(l.msg) }))
    .filter((l) => l.t >= at - 100)
    .map((l) => `+${l.t - at} ms ${l.msg}`)
    .join("\n");
  return { code, ms: Date.now() - at, timeline };
}

describe("SIGTERM", () => {
  it("lets the running job finish and post, starts no queued job, and exits cleanly within 10 s", async () => {
    w = await discordWorld({ env: { GENERATION_CONCURRENCY: "1" } });
    const [ana, ben] = w.members;
    const proc = await w.boot();
    await w.setUp();
    w.openai.scriptImages({ delayMs: 2_000 });
    w.imagine(ana!, "almost done");
    await until(() => w!.openai.imageRequests.length === 1, "the image request");
    await w.imagine(ben!, "not started yet").waitFor((m) => m.content.includes("Queued"), 10_000);

    const { code, ms, timeline } = await terminate(proc);

    expect(code, proc.output()).toBe(0);
    expect(ms, timeline).toBeLessThan(10_000);
    expect((await w.creations()).map((c) => [c.prompt, c.status])).toEqual([
      ["almost done", "posted"],
      ["not started yet", "queued"],
    ]);
    expect(w.postsOf("almost done")).toHaveLength(1);
    expect(w.openai.imageRequests).toHaveLength(1);
    expect(proc.logs().some((l) => l.msg === "salon stopped")).toBe(true);
  }, 60_000);

  it("returns a job that cannot finish in time to the queue, exits within 10 s, and the next start makes it once", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const proc = await w.boot();
    await w.setUp();
    w.openai.scriptImages({ hang: true });
    const handle = w.imagine(ana!, "never answered");
    await until(() => w!.openai.imageRequests.length === 1, "the image request");

    const { code, ms, timeline } = await terminate(proc);

    expect(code, proc.output()).toBe(0);
    expect(ms, timeline).toBeLessThan(10_000);
    expect(await w.creations()).toMatchObject([{ status: "queued", claimedBy: null }]);
    expect(proc.logs().some((l) => l.msg === "returned to the queue on shutdown")).toBe(true);

    await w.boot();
    await until(async () => (await w!.creations())[0]?.status === "posted", "the creation to be posted after the restart");
    expect(w.postsOf("never answered")).toHaveLength(1);
    expect(w.openai.imageRequests).toHaveLength(2);
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  }, 60_000);

  // Exit code 0 is the proof: main.ts's own 10 s guard exits with 1, and "salon stopped" is logged once the database
  // is closed.
  it("exits cleanly, with the database closed, while the start-up reconciliation waits on Discord", async () => {
    w = await discordWorld();
    const [ana, ben] = w.members;
    const first = await w.boot();
    await w.setUp();
    await w.imagine(ana!, "read me back").waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    const [post] = w.postsOf("read me back");
    w.discord.react(w.gallery.id, post!.id, ben!.id, "👍");
    expect((await terminate(first)).code).toBe(0);

    // The next start re-reads that post's likes; Discord takes its time answering.
    const slow = w.discord.hold({ method: "GET", pathPattern: new RegExp(`^/channels/${w.gallery.id}/messages/${post!.id}`), phase: "before", times: 1_000 });
    const proc = await w.boot();
    await slow.arrived;

    const { code } = await terminate(proc);

    expect(code, proc.output()).toBe(0);
    expect(proc.logs().some((l) => l.msg === "salon stopped")).toBe(true);
    slow.release();
  }, 60_000);

  it("exits cleanly while a digest is being posted, and the next start posts it once", async () => {
    w = await discordWorld({ env: { RECONCILE_DAYS: "0" } });
    await seedDueDigest(w.databaseUrl, { platform: "discord", externalId: w.guild.id, channelId: w.gallery.id, authors: w.members.map((m) => m.id) });
    const digests = () => w!.discord.messages(w!.gallery.id).filter((m) => !m.deleted && m.content.startsWith("🏆 **Salon digest"));
    // Discord never gets to the digest's POST (held before it is processed, for as long as the test runs).
    const held = w.discord.hold({ method: "POST", pathPattern: new RegExp(`^/channels/${w.gallery.id}/messages$`), phase: "before" });
    const proc = await w.boot();
    await held.arrived;

    const { code } = await terminate(proc);

    expect(code, proc.output()).toBe(0);
    expect(proc.logs().some((l) => l.msg === "salon stopped")).toBe(true);

    await w.boot();
    await until(async () => (await databaseRows<{ status: string }>(w!.databaseUrl, `SELECT status FROM "Digest"`))[0]?.status === "posted" || null, "the digest recorded as posted");
    expect(digests()).toHaveLength(1);
  }, 90_000);
});
