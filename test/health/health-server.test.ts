import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports.js";
import { startHealthServer, type HealthServer, type HealthServerOptions, type PlatformHealth } from "../../src/health/health-server.js";

interface Entry {
  level: string;
  fields: object;
  msg: string | undefined;
}

function recordingLogger(entries: Entry[] = []): Logger & { entries: Entry[] } {
  const at = (level: string) => (fields: object, msg?: string) => void entries.push({ level, fields, msg });
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => recordingLogger(entries) };
}

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(platforms: Record<string, PlatformHealth> | (() => Record<string, PlatformHealth>), extra: Partial<HealthServerOptions> = {}) {
  const logger = recordingLogger();
  const server = await startHealthServer({ port: 0, host: "127.0.0.1", logger, status: typeof platforms === "function" ? platforms : () => platforms, ...extra });
  servers.push(server);
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  return { server, logger, url };
}

describe("startHealthServer", () => {
  it("answers GET /healthz with 200 and each platform's state when every platform is ready", async () => {
    const { url, server } = await start({ discord: { ready: true }, slack: { ready: true, detail: "socket mode" } });
    expect(server.port).toBeGreaterThan(0);
    const res = await fetch(url("/healthz"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok", platforms: { discord: { ready: true }, slack: { ready: true, detail: "socket mode" } } });
  });

  it("answers 503 with the same shape while any platform is not ready", async () => {
    const { url } = await start({ discord: { ready: true }, slack: { ready: false, detail: "connecting" } });
    const res = await fetch(url("/healthz?probe=k8s"));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", platforms: { discord: { ready: true }, slack: { ready: false, detail: "connecting" } } });
  });

  it("shows the process's roles, and says degraded (still 200) while the oldest queued job waits past the limit", async () => {
    let age: number | null = 30;
    const { url } = await start({ discord: { ready: true } }, { roles: ["gateway"], oldestQueuedAgeSeconds: async () => age, queueDegradedSeconds: 600 });
    expect(await (await fetch(url("/healthz"))).json()).toEqual({ status: "ok", roles: ["gateway"], platforms: { discord: { ready: true } }, oldestQueuedAgeSeconds: 30 });
    age = 601.4;
    const res = await fetch(url("/healthz"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "degraded",
      detail: "the oldest queued creation has waited 601 s, over QUEUE_DEGRADED_SECONDS (600): no worker is taking jobs, or too few (SALON_ROLES)",
      roles: ["gateway"],
      platforms: { discord: { ready: true } },
      oldestQueuedAgeSeconds: 601.4,
    });
  });

  it("reads the status on every request, so it turns healthy once the platforms are ready", async () => {
    let ready = false;
    const { url } = await start(() => ({ discord: { ready } }));
    expect((await fetch(url("/healthz"))).status).toBe(503);
    ready = true;
    expect((await fetch(url("/healthz"))).status).toBe(200);
  });

  it("answers 503 and logs when the status cannot be read", async () => {
    const { url, logger } = await start(() => {
      throw new Error("not wired yet");
    });
    const res = await fetch(url("/healthz"));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", platforms: {} });
    expect(logger.entries.map((e) => e.level)).toEqual(["error"]);
  });

  it("answers HEAD /healthz with the status code only, and other methods with 405", async () => {
    const { url } = await start({ discord: { ready: true } });
    const head = await fetch(url("/healthz"), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(url("/healthz"), { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("answers 404 on other paths when nothing else is mounted", async () => {
    const { url } = await start({ discord: { ready: true } });
    const res = await fetch(url("/slack/events"), { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });

  it("hands every other path to the fallback handler, such as Slack's HTTP events", async () => {
    const seen: string[] = [];
    const fallback = (req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "content-type": "text/plain" }).end("ack");
    };
    const { url } = await start({ slack: { ready: true } }, { fallback });
    const res = await fetch(url("/slack/events"), { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ack");
    expect((await fetch(url("/healthz"))).status).toBe(200);
    expect(seen).toEqual(["POST /slack/events"]);
  });

  it("answers 500 and logs when the fallback handler fails", async () => {
    const { url, logger } = await start({ slack: { ready: true } }, { fallback: async () => Promise.reject(new Error("verification crashed")) });
    const res = await fetch(url("/slack/events"), { method: "POST", body: "{}" });
    expect(res.status).toBe(500);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: "error", msg: "HTTP request handler failed" }));
  });

  it("frees its port on close, even with a keep-alive connection open", async () => {
    const { server, url } = await start({ discord: { ready: true } });
    await fetch(url("/healthz"), { keepalive: true });
    servers.splice(servers.indexOf(server), 1);
    await server.close();
    await expect(fetch(url("/healthz"))).rejects.toThrow();
    const again = await startHealthServer({ port: server.port, host: "127.0.0.1", logger: recordingLogger(), status: () => ({}) });
    servers.push(again);
    expect(again.port).toBe(server.port);
  });

  it("rejects when the port is taken", async () => {
    const { server } = await start({});
    await expect(startHealthServer({ port: server.port, host: "127.0.0.1", logger: recordingLogger(), status: () => ({}) })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
