/**
 * SALON_ROLES across real processes on one database: a gateway-only process answers and queues `/imagine` with no
 * worker anywhere (and its `/healthz` and `/metrics` show the job waiting, then `degraded`), and a worker-only process
 * started beside it makes and posts the job once, editing the member's status message through Discord's REST API.
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

interface Health {
  status: string;
  roles: string[];
  platforms: Record<string, { ready: boolean }>;
  oldestQueuedAgeSeconds: number | null;
  detail?: string;
}

const health = async (port: unknown): Promise<Health> => (await (await fetch(`http://127.0.0.1:${String(port)}/healthz`)).json()) as Health;

describe("processes with different roles on one database", () => {
  it("queues /imagine in a gateway-only process, shows it waiting until a worker-only process posts it once", async () => {
    w = await discordWorld({ env: { QUEUE_DEGRADED_SECONDS: "1" } });
    const [ana, ben] = w.members;
    const gateway = await w.boot({ SALON_ROLES: "gateway" });
    await w.setUp();

    const handle = w.imagine(ana!, "a lighthouse made of glass");
    expect((await handle.response()).type).toBe(5); // deferred at once, ephemeral
    await handle.waitFor((m) => m.content.includes("Queued"), 10_000);
    const first = await until(async () => {
      const body = await health(w!.env.PORT);
      return body.oldestQueuedAgeSeconds !== null && body;
    }, "the queued job in /healthz");
    expect(first).toMatchObject({ roles: ["gateway"], platforms: { discord: { ready: true } } });
    const stalled = await until(async () => {
      const body = await health(w!.env.PORT);
      return body.status === "degraded" && body.oldestQueuedAgeSeconds! > first.oldestQueuedAgeSeconds! && body;
    }, "/healthz to say degraded");
    expect(stalled.detail).toMatch(/^the oldest queued creation has waited \d+ s, over QUEUE_DEGRADED_SECONDS \(1\)/);
    const metrics = await (await fetch(`http://127.0.0.1:${w.env.PORT}/metrics`)).text();
    expect(metrics).toMatch(/^salon_process_role\{role="gateway"\} 1$/m);
    expect(metrics).not.toMatch(/^salon_process_role\{role="worker"\}/m);
    expect(Number(/^salon_queue_oldest_age_seconds (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(1);
    expect(w.openai.imageRequests).toHaveLength(0);

    const worker = await w.boot({ SALON_ROLES: "worker", PORT: "0" });
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 20_000);
    await until(async () => (await w!.creations())[0]?.status === "posted", "the creation recorded as posted");
    expect(w.postsOf("a lighthouse made of glass")).toHaveLength(1);
    expect(w.galleryPosts()).toBe(1);
    expect(w.openai.imageRequests).toHaveLength(1);
    await worker.waitForLog((l) => l.msg === "creation posted");

    // The worker, idle now, finds a job the gateway queues in its own process (it polls the database).
    const next = w.imagine(ben!, "a second lighthouse");
    await next.waitFor((m) => m.content.includes("Posted to the gallery"), 20_000);
    expect(w.postsOf("a second lighthouse")).toHaveLength(1);
    expect(gateway.logs().some((l) => l.msg === "creation posted")).toBe(false);

    const workerPort = (await worker.waitForLog((l) => l.msg === "salon started")).port;
    expect(await health(workerPort)).toEqual({ status: "ok", roles: ["worker"], platforms: {}, oldestQueuedAgeSeconds: null });
    expect((await health(w.env.PORT)).status).toBe("ok");
  }, 90_000);
});
