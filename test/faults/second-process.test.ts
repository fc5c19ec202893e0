/**
 * Start-up takes over only what a stopped process left: a second live process on the same database leaves the
 * first one's running job alone (it used to return every running job to the queue).
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe("a second process started on the same database", () => {
  it("leaves the job the first process is making alone, and the first one posts it once", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    // The image comes back only once the second process is up (however long it takes to start here).
    let imageBack!: () => void;
    w.openai.scriptImages({ until: new Promise<void>((resolve) => (imageBack = resolve)) });
    w.imagine(ana!, "mine, not yours");
    await until(() => w!.openai.imageRequests.length === 1, "the image request");
    const owner = (await w.creations())[0]!.claimedBy;
    expect(owner).toMatch(new RegExp(`:${first.child.pid}:`));

    const second = await w.boot({ PORT: "0" }); // its own health port

    expect(await w.creations()).toMatchObject([{ status: "generating", claimedBy: owner }]);
    expect(second.logs().some((l) => l.msg === "taking over the work a stopped process left unfinished")).toBe(false);
    imageBack();
    await until(async () => (await w!.creations())[0]?.status === "posted", "the first process to post it", 20_000);
    expect(w.postsOf("mine, not yours")).toHaveLength(1);
    expect(w.openai.imageRequests).toHaveLength(1);
  }, 60_000);
});
