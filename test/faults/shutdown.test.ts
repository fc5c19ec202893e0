/**
 * SIGTERM on the real process: no new work is taken, a running job finishes or goes back to the queue, and the
 * process exits within 10 s (PRODUCT.md §Operations).
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function terminate(proc: { child: { kill(signal: NodeJS.Signals): boolean }; exited: Promise<number | null> }): Promise<{ code: number | null; ms: number }> {
  const at = Date.now();
  proc.child.kill("SIGTERM");
  const code = await proc.exited;
  return { code, ms: Date.now() - at };
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

    const { code, ms } = await terminate(proc);

    expect(code, proc.output()).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(w.creations().map((c) => [c.prompt, c.status])).toEqual([
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

    const { code, ms } = await terminate(proc);

    expect(code, proc.output()).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(w.creations()).toMatchObject([{ status: "queued", claimedBy: null }]);
    expect(proc.logs().some((l) => l.msg === "returned to the queue on shutdown")).toBe(true);

    await w.boot();
    await until(() => w!.creations()[0]?.status === "posted", "the creation to be posted after the restart");
    expect(w.postsOf("never answered")).toHaveLength(1);
    expect(w.openai.imageRequests).toHaveLength(2);
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  }, 60_000);
});
