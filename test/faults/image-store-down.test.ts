/**
 * The image bucket goes down under a running Salon (IMAGE_STORE_URL on the loopback S3): the image that came back
 * meanwhile is held and stored once the bucket answers, no new image is paid for while there is nowhere to keep it,
 * nothing is posted without its image, and each creation costs one image request.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startLoopbackS3, type LoopbackS3 } from "../support/s3/loopback-s3.js";
import { until } from "../support/salon-process.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
let s3: LoopbackS3 | undefined;
afterEach(async () => {
  await w?.close();
  await s3?.close();
  w = undefined;
  s3 = undefined;
});

/** The availability probe's key: the address of no image (resilient-images.ts). */
const PROBE = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describe("an image bucket that is down", () => {
  it("holds the image it could not store, makes no new one until the bucket answers, then posts each once", async () => {
    s3 = await startLoopbackS3();
    w = await discordWorld({ env: s3.env("gallery") });
    const [ana, ben] = w.members;
    const salon = await w.boot();
    await w.setUp();
    let imageBack!: () => void;
    w.openai.scriptImages({ until: new Promise<void>((resolve) => (imageBack = resolve)) });
    const anas = w.imagine(ana!, "made while the bucket went down");
    await until(() => w!.openai.imageRequests.length === 1, "ana's image request");

    s3.down();
    imageBack();
    await salon.waitForLog((l) => l.msg === "the image store is unavailable; trying again");
    const bens = w.imagine(ben!, "asked while the bucket is down");
    await until(async () => (await w!.creations()).find((c) => c.prompt === "asked while the bucket is down")?.status === "generating", "ben's job to start");
    // Ben's job now waits on the bucket: it asks whether it is back before paying for an image.
    const probesBefore = s3.requests.filter((r) => r.path.includes(PROBE)).length;
    await until(() => s3!.requests.filter((r) => r.path.includes(PROBE)).length > probesBefore, "ben's job to ask whether the bucket is back");
    expect(w.openai.imageRequests).toHaveLength(1);
    expect(w.galleryPosts()).toBe(0);

    s3.up();
    await until(async () => (await w!.creations()).every((c) => c.status === "posted"), "both posted", 60_000);
    for (const prompt of ["made while the bucket went down", "asked while the bucket is down"]) {
      const posts = w.postsOf(prompt);
      expect(posts, prompt).toHaveLength(1);
      expect(posts[0]!.attachments, prompt).toHaveLength(1);
    }
    expect(w.openai.imageRequests).toHaveLength(2);
    await anas.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    await bens.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(salon.logs().some((l) => l.msg === "the image store answers again")).toBe(true);
  }, 90_000);
});
