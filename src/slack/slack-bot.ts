/**
 * The Slack side of Salon: a Bolt app in Socket Mode when an app-level token is configured, otherwise receiving
 * HTTP events (signature-verified by Bolt, stale requests refused) on the same port as `/healthz`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import type { SlackConfig } from "../config/config.js";
import type { Clock, Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import { SlackDirectory } from "./slack-directory.js";
import { attachSlackHandlers } from "./slack-handlers.js";
import { SlackPublisher } from "./slack-publisher.js";

/** Bolt's logger interface over ours, so Bolt's own messages are structured JSON too. */
function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => logger.debug({ bolt: true }, m.map(String).join(" ")),
    info: (...m: unknown[]) => logger.info({ bolt: true }, m.map(String).join(" ")),
    warn: (...m: unknown[]) => logger.warn({ bolt: true }, m.map(String).join(" ")),
    error: (...m: unknown[]) => logger.error({ bolt: true }, m.map(String).join(" ")),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** The Web API client and what depends only on it: usable before the app starts (the publisher needs it). */
export function createSlackWeb(config: SlackConfig, clock: Clock, logger: Logger) {
  const client = new WebClient(config.botToken, { slackApiUrl: config.apiUrl, logger: boltLogger(logger), retryConfig: { retries: 3, factor: 2, minTimeout: 500 } });
  let botUserId: string | undefined;
  const directory = new SlackDirectory(client, () => botUserId, config.adminUserIds);
  const publisher = new SlackPublisher(client, directory, clock, logger);
  return {
    client,
    directory,
    publisher,
    /** Learns the bot's own user id (its reactions are a bot's). */
    async identify(): Promise<void> {
      botUserId = (await client.auth.test()).user_id;
    },
  };
}

export class SlackBot {
  readonly app: App;
  private readonly receiver: HTTPReceiver | null;
  private started = false;

  constructor(
    private readonly config: SlackConfig,
    private readonly web: ReturnType<typeof createSlackWeb>,
    salon: Salon,
    private readonly logger: Logger,
  ) {
    const common = {
      token: config.botToken,
      logger: boltLogger(logger),
      clientOptions: { slackApiUrl: config.apiUrl, retryConfig: { retries: 3, factor: 2, minTimeout: 500 } },
      // Bolt would call auth.test in its constructor; we do it in start(), where a failure can be reported.
      tokenVerificationEnabled: false,
    };
    if (config.mode === "socket") {
      this.receiver = null;
      this.app = new App({ ...common, socketMode: true, appToken: config.appToken! });
    } else {
      this.receiver = new HTTPReceiver({ signingSecret: config.signingSecret, endpoints: "/slack/events", logger: boltLogger(logger) });
      this.app = new App({ ...common, receiver: this.receiver });
    }
    attachSlackHandlers(this.app, { salon, directory: web.directory, logger: logger.child({ platform: "slack" }) });
    this.app.error(async (error) => logger.error({ err: error, platform: "slack" }, "slack app error"));
  }

  get ready(): boolean {
    return this.started;
  }

  /** For HTTP mode: the request handler to mount on the shared HTTP server (`/slack/events`). */
  get httpHandler(): ((req: IncomingMessage, res: ServerResponse) => void) | undefined {
    return this.receiver ? (req, res) => this.receiver!.requestListener(req, res) : undefined;
  }

  async start(): Promise<void> {
    await this.web.identify();
    if (this.config.mode === "socket") await this.app.start();
    this.started = true;
    this.logger.info({ platform: "slack", mode: this.config.mode }, "slack ready");
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.config.mode === "socket") await this.app.stop();
  }
}
