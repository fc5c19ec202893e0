/**
 * The Slack side of Salon: a Bolt app in Socket Mode when an app-level token is configured, otherwise receiving
 * HTTP events (signature-verified by Bolt, stale requests refused) on the same port as `/healthz`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger, type ReceiverEvent } from "@slack/bolt";
import type { SlackConfig } from "../config/config.js";
import { AcknowledgementsFirst } from "../core/acknowledgements-first.js";
import type { Clock, Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import { createSlackClients, postingClientOptions, readingClientOptions } from "./slack-clients.js";
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

/** The Web API clients and what depends only on them: usable before the app starts (the publisher needs them). */
export function createSlackWeb(config: SlackConfig, clock: Clock, logger: Logger) {
  const clients = createSlackClients(config.botToken, config.apiUrl, boltLogger(logger));
  const directory = new SlackDirectory(clients.client, config.adminUserIds, clock);
  const publisher = new SlackPublisher(clients, directory, clock, logger);
  return {
    clients,
    clock,
    directory,
    publisher,
    /** Learns the bot's own user id (its reactions are a bot's, its messages Salon's own). */
    async identify(): Promise<void> {
      await directory.identify();
    },
  };
}

/** What the Slack handlers need of the Web API side. */
export type SlackWeb = ReturnType<typeof createSlackWeb>;

export class SlackBot {
  readonly app: App;
  private readonly receiver: HTTPReceiver | null;
  /** Commands' work waits while a burst of requests is still to be acknowledged (acknowledgements-first.ts). */
  private readonly acks = new AcknowledgementsFirst();
  private started = false;

  constructor(
    private readonly config: SlackConfig,
    private readonly web: SlackWeb,
    salon: Salon,
    private readonly logger: Logger,
  ) {
    const common = {
      token: config.botToken,
      logger: boltLogger(logger),
      // Salon calls the Web API through its own clients (slack-clients.ts); Bolt's is left a client that never repeats a
      // call, should Bolt ever post with it.
      clientOptions: postingClientOptions(config.apiUrl, boltLogger(logger)),
      // Bolt would call auth.test in its constructor; we do it in start(), where a failure can be reported.
      tokenVerificationEnabled: false,
    };
    if (config.mode === "socket") {
      this.receiver = null;
      // Socket Mode's own client only opens connections (`apps.connections.open`), which is safe to repeat: it retries.
      this.app = new App({ ...common, socketMode: true, appToken: config.appToken!, installerOptions: { clientOptions: readingClientOptions(config.apiUrl, boltLogger(logger)) } });
      this.countAcknowledgements(this.app);
    } else {
      this.receiver = new HTTPReceiver({ signingSecret: config.signingSecret, endpoints: "/slack/events", logger: boltLogger(logger) });
      this.app = new App({ ...common, receiver: this.receiver });
    }
    attachSlackHandlers(this.app, { salon, web, acks: this.acks, logger: logger.child({ platform: "slack" }) });
    this.app.error(async (error) => logger.error({ err: error, platform: "slack" }, "slack app error"));
  }

  get ready(): boolean {
    return this.started;
  }

  /**
   * For HTTP mode: the request handler to mount on the shared HTTP server (`/slack/events`). A request's
   * acknowledgement is in flight from its arrival (its body still to be read and its signature checked) until its
   * response is sent.
   */
  get httpHandler(): ((req: IncomingMessage, res: ServerResponse) => void) | undefined {
    const receiver = this.receiver;
    if (!receiver) return undefined;
    return (req, res) => {
      res.once("close", this.acks.begin());
      receiver.requestListener(req, res);
    };
  }

  /**
   * Socket Mode: an event's acknowledgement is in flight from the moment Bolt starts on it until it is acknowledged
   * (or Bolt is done with it without an ack).
   */
  private countAcknowledgements(app: App): void {
    const processEvent = app.processEvent.bind(app);
    app.processEvent = async (event: ReceiverEvent) => {
      const end = this.acks.begin();
      try {
        return await processEvent({
          ...event,
          ack: async (response) => {
            try {
              return await event.ack(response);
            } finally {
              end();
            }
          },
        });
      } finally {
        end();
      }
    };
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
