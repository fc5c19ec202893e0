/**
 * SIGKILL at every step of a creation, on the real process (`src/main.ts`): after a restart each creation is posted
 * exactly once and ends `posted`, with no claim left behind.
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const galleryPath = (world: DiscordWorld) => new RegExp(`^/channels/${world.gallery.id}/messages$`);

/** Every prompt has become exactly one gallery post, recorded on its creation. */
async function postedOnceEach(world: DiscordWorld, prompts: string[]): Promise<void> {
  const creations = await until(async () => {
    const rows = await world.creations();
    return rows.length === prompts.length && rows.every((c) => c.status === "posted") && rows;
  }, `${prompts.length} posted creations`, 30_000);
  for (const prompt of prompts) {
    const posts = world.postsOf(prompt);
    expect(posts, `gallery posts of "${prompt}"`).toHaveLength(1);
    expect(creations.find((c) => c.prompt === prompt)?.galleryMessageId).toBe(posts[0]!.id);
  }
  expect(creations.every((c) => c.claimedBy === null)).toBe(true);
}

describe("a creation whose process is SIGKILLed", () => {
  it("is made and posted once after a restart, whether it was waiting on OpenAI or still queued behind it", async () => {
    w = await discordWorld({ env: { GENERATION_CONCURRENCY: "1" } });
    const [ana, ben] = w.members;
    const first = await w.boot();
    await w.setUp();
    w.openai.scriptImages({ hang: true });
    const waiting = w.imagine(ana!, "waiting on OpenAI");
    await until(() => w!.openai.imageRequests.length === 1, "the image request");
    const queued = w.imagine(ben!, "still in the queue");
    await queued.waitFor((m) => m.content.includes("Queued"), 10_000);
    expect((await w.creations()).map((c) => c.status)).toEqual(["generating", "queued"]);

    await first.crash();
    const second = await w.boot();

    await postedOnceEach(w, ["waiting on OpenAI", "still in the queue"]);
    expect(w.openai.imageRequests).toHaveLength(3); // the hung one, its retry, and the queued one
    await waiting.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    await queued.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(second.logs().some((l) => l.msg === "taking over the work a stopped process left unfinished")).toBe(true);
  }, 90_000);

  it("posts once after a restart when it died with the image made and the post on its way to Discord", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath(w), phase: "before" });
    const handle = w.imagine(ana!, "the image came back");
    await held.arrived;
    expect(await w.creations()).toMatchObject([{ status: "posting", imageHash: expect.any(String) }]);

    await first.crash();
    held.release(); // Discord never saw the dropped request
    await w.boot();

    await postedOnceEach(w, ["the image came back"]);
    expect(w.openai.imageRequests).toHaveLength(1); // the stored image is posted, not made again
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  }, 90_000);

  it("does not post again after a restart when it died after Discord accepted the post but before recording it", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath(w), phase: "after" });
    w.imagine(ana!, "accepted, never recorded");
    await held.arrived;
    expect(w.postsOf("accepted, never recorded")).toHaveLength(1);
    expect(await w.creations()).toMatchObject([{ status: "posting", galleryMessageId: null }]);

    await first.crash();
    await w.boot();

    await postedOnceEach(w, ["accepted, never recorded"]);
    // It looked in the gallery before posting, found its post, and sent no second one.
    expect(w.galleryPosts()).toBe(1);
    expect(w.discord.requests.some((r) => r.method === "GET" && galleryPath(w!).test(r.path))).toBe(true);
  }, 90_000);

  it("still posts once when it cannot look in the gallery after the restart: Discord's enforced nonce drops the second post", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath(w), phase: "after" });
    w.imagine(ana!, "the nonce is the last guard");
    await held.arrived;
    await first.crash();
    // Reading the gallery fails (past @discordjs/rest's own retries), so the look finds nothing.
    w.discord.fail({ method: "GET", pathPattern: galleryPath(w), status: 500, times: 50 });
    const second = await w.boot();

    await postedOnceEach(w, ["the nonce is the last guard"]);
    expect(w.galleryPosts()).toBe(2); // two requests, one message
    expect(second.logs().some((l) => String(l.msg).startsWith("could not look for an earlier post"))).toBe(true);
  }, 90_000);
});
