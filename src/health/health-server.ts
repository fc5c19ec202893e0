/**
 * The process's HTTP port: `GET /healthz` reports whether each platform is ready; every other request goes to an
 * optional fallback handler (Slack's HTTP events share the port) or gets a 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../core/ports.js";
import type { ShardHealth } from "../discord/shards.js";

/** One platform's state as `/healthz` shows it. */
export interface PlatformHealth {
  ready: boolean;
  /** A short, secret-free explanation, e.g. "connecting to the gateway". */
  detail?: string;
  /** Discord: each gateway shard of this process. */
  shards?: ShardHealth[];
}

/** Handles a request that is not `/healthz`; it must answer the request. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HealthServerOptions {
  /** 0 picks a free port (see {@link HealthServer.port}). */
  port: number;
  /** Interface to listen on; every interface when absent. */
  host?: string;
  /** The state of each configured platform, read on every request. */
  status: () => Record<string, PlatformHealth>;
  logger: Logger;
  fallback?: RequestHandler;
  /** `GET /metrics` in Prometheus' text format; 404 when absent. */
  metrics?: Registry;
  /** Age in seconds of the oldest queued job, shown in `/healthz` (null when nothing is queued). */
  oldestQueuedAgeSeconds?: () => Promise<number | null>;
  /** An oldest queued job older than this (seconds) makes the status `degraded`; 0 or absent: never. */
  queueDegradedSeconds?: number;
  /** What this process runs (`SALON_ROLES`), shown in `/healthz`. */
  roles?: readonly string[];
}

export interface HealthServer {
  /** The port actually listened on. */
  port: number;
  /**
   * Stops accepting connections and resolves once open requests have been answered, or after a second (the
   * connections still open are then closed: shutdown must not wait on a client).
   */
  close(): Promise<void>;
}

/**
 * The body of `/healthz`: 200 when every platform is ready, 503 otherwise. `degraded` (still 200: this process does
 * its own part, and pulling it from a load balancer would not help) says jobs wait longer than they should, in any
 * process: no worker is taking them, or too few.
 */
export interface HealthBody {
  status: "ok" | "degraded" | "unavailable";
  /** Why the status is `degraded`. */
  detail?: string;
  roles?: string[];
  platforms: Record<string, PlatformHealth>;
  /** Age in seconds of the oldest queued job (null when none; absent when the server was not told the queue). */
  oldestQueuedAgeSeconds?: number | null;
}

/** How long closing waits for requests in flight before it closes their connections. */
const CLOSE_GRACE_MS = 1_000;

/** Listens, then resolves with the port; rejects when the port cannot be bound (e.g. EADDRINUSE). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const logger = options.logger.child({ component: "http" });

  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === "/healthz") {
      void answerHealth(req, res, options, logger);
      return;
    }
    if (pathname === "/metrics" && options.metrics) {
      void answerMetrics(res, options.metrics, logger);
      return;
    }
    if (!options.fallback) {
      sendJson(res, 404, { error: "not found" });
      return;
    }
    Promise.resolve()
      .then(() => options.fallback!(req, res))
      .catch((error: unknown) => {
        logger.error({ err: error, method: req.method, path: pathname }, "HTTP request handler failed");
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        else res.end();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => logger.error({ err: error }, "HTTP server error"));
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        const late = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close((error) => {
          clearTimeout(late);
          if (error) reject(error);
          else resolve();
        });
        // Keep-alive connections with no request in flight would otherwise hold `close` open.
        server.closeIdleConnections();
      })),
  };
}

async function answerMetrics(res: ServerResponse, registry: Registry, logger: Logger): Promise<void> {
  try {
    const text = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(text);
  } catch (error) {
    logger.error({ err: error }, "metrics could not be collected");
    sendJson(res, 503, { error: "metrics unavailable" });
  }
}

async function answerHealth(req: IncomingMessage, res: ServerResponse, options: HealthServerOptions, logger: Logger): Promise<void> {
  const { status } = options;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    sendJson(res, 405, { error: "method not allowed" });
    return;
  }
  let platforms: Record<string, PlatformHealth>;
  try {
    platforms = status();
  } catch (error) {
    logger.error({ err: error }, "health status could not be read");
    sendJson(res, 503, { status: "unavailable", platforms: {} } satisfies HealthBody);
    return;
  }
  const ok = Object.values(platforms).every((platform) => platform.ready);
  const body: HealthBody = { status: ok ? "ok" : "unavailable", ...(options.roles ? { roles: [...options.roles] } : {}), platforms };
  if (options.oldestQueuedAgeSeconds) {
    const age = await options.oldestQueuedAgeSeconds().catch((error: unknown) => {
      logger.warn({ err: error }, "queue age could not be read for /healthz");
      return null;
    });
    body.oldestQueuedAgeSeconds = age;
    const limit = options.queueDegradedSeconds ?? 0;
    if (ok && limit > 0 && age !== null && age > limit) {
      body.status = "degraded";
      body.detail = `the oldest queued creation has waited ${Math.round(age)} s, over QUEUE_DEGRADED_SECONDS (${limit}): no worker is taking jobs, or too few (SALON_ROLES)`;
    }
  }
  sendJson(res, ok ? 200 : 503, body, req.method === "HEAD");
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown, headOnly = false): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(headOnly ? undefined : text);
}
