/**
 * SIGKILL around the check of a finished image, on the real process (`src/main.ts`): a job taken over with its image
 * stored but not checked checks it (the image is not made again) before it posts, and posts once; a job that died
 * after its image passed does not check it again, and posts once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { databaseRows } from "../support/test-database.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const galleryPath = (world: DiscordWorld) => new RegExp(`^/channels/${world.gallery.id}/messages$`);

async function checkState(world: DiscordWorld) {
  const rows = await databaseRows<{ status: string; imageHash: string | null; imageChecked: boolean | number }>(
    world.databaseUrl,
    `SELECT "status", "imageHash", "imageChecked" FROM "Creation" ORDER BY "id"`,
  );
  return rows.map((r) => ({ status: r.status, stored: r.imageHash !== null, checked: Boolean(r.imageChecked) }));
}

/** The prompt became exactly one gallery post, recorded on its creation, with no claim left behind. */
async function postedOnce(world: DiscordWorld, prompt: string): Promise<void> {
  const [creation] = await until(async () => {
    const rows = await world.creations();
    return rows.length === 1 && rows[0]!.status === "posted" && rows;
  }, "the posted creation", 30_000);
  const posts = world.postsOf(prompt);
  expect(posts).toHaveLength(1);
  expect(creation!.galleryMessageId).toBe(posts[0]!.id);
  expect(creation!.claimedBy).toBeNull();
}

describe("a creation whose process is SIGKILLed around its image's check", () => {
  it("checks the stored image after a restart before posting it, without making it again, and posts once", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    // The prompt's check answers; the image's check never does.
    w.openai.scriptModerations({ delayMs: 0 }, { hang: true });
    const handle = w.imagine(ana!, "stored, not yet checked");
    await until(() => w!.openai.moderationRequests.length === 2, "the image's check");
    expect(await checkState(w)).toEqual([{ status: "posting", stored: true, checked: false }]);

    await first.crash();
    await w.boot();

    await postedOnce(w, "stored, not yet checked");
    expect(w.openai.imageRequests).toHaveLength(1); // the stored image is checked, not made again
    expect(w.openai.moderationRequests).toHaveLength(3); // the prompt, the check that hung, the check after the restart
    const [post] = w.postsOf("stored, not yet checked");
    expect(w.openai.imageModerations.at(-1)!.bytes!.equals(post!.attachments[0]!.bytes)).toBe(true);
    expect(w.galleryPosts()).toBe(1);
    expect(await checkState(w)).toEqual([{ status: "posted", stored: true, checked: true }]);
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  }, 90_000);

  it("does not check again after a restart when it died with the image checked and the post on its way, and posts once", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath(w), phase: "before" });
    w.imagine(ana!, "checked, then the crash");
    await held.arrived;
    expect(await checkState(w)).toEqual([{ status: "posting", stored: true, checked: true }]);

    await first.crash();
    held.release(); // Discord never saw the dropped request
    await w.boot();

    await postedOnce(w, "checked, then the crash");
    expect(w.openai.imageRequests).toHaveLength(1);
    expect(w.openai.imageModerations).toHaveLength(1); // checked once, before the crash
  }, 90_000);
});
