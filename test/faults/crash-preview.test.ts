/**
 * SIGKILL in the middle of a streamed generation, on the real process (`src/main.ts`): the member's status message
 * already shows a preview, no image is stored yet. After a restart the job is made again from the start and posted
 * exactly once, with the final image (never the preview), and the status message ends on the outcome without it.
 */
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { colourOf } from "../support/openai/fake-openai-images.js";
import { until } from "../support/salon-process.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe("a creation whose process is SIGKILLed mid-stream", () => {
  it("is made again after a restart and posted once, with the final image", async () => {
    w = await discordWorld({ env: { PREVIEW_IMAGES: "2" } });
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    // The first stream sends its first partial and then nothing more, until the process is gone.
    w.openai.scriptStreams({ holdAfter: { partials: 1, until: new Promise(() => {}) } });
    const prompt = "a kite cut loose mid-flight";
    const handle = w.imagine(ana!, prompt);
    await handle.waitFor((m) => m.content.includes("preview 1 of 2") && m.attachments.length === 1, 15_000);
    expect(await w.creations()).toMatchObject([{ status: "generating", imageHash: null }]);

    await first.crash();
    await w.boot();

    const [creation] = await until(async () => {
      const rows = await w!.creations();
      return rows.length === 1 && rows[0]!.status === "posted" && rows;
    }, "the posted creation", 30_000);
    const posts = w.postsOf(prompt);
    expect(posts).toHaveLength(1);
    expect(creation!.galleryMessageId).toBe(posts[0]!.id);
    expect(creation!.claimedBy).toBeNull();
    expect(w.galleryPosts()).toBe(1);
    expect(w.openai.imageRequests).toHaveLength(2); // the one that died, and the one made again
    const { data } = await sharp(posts[0]!.attachments[0]!.bytes).raw().toBuffer({ resolveWithObject: true });
    expect({ r: data[0], g: data[1], b: data[2] }).toEqual(colourOf(prompt));
    const done = await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(done.attachments).toEqual([]);
  }, 90_000);
});
