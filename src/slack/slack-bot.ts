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
import type { InstallationStore } from "../core/store/installations.js";
import { postingClientOptions, readingClientOptions, type SlackClients } from "./slack-clients.js";
import { attachSlackHandlers } from "./slack-handlers.js";
import { attachUninstallHandlers, boltInstallationStore } from "./slack-installations.js";
import { SlackPublisher } from "./slack-routing-publisher.js";
import { SLACK_BOT_SCOPES } from "./slack-scopes.js";
import { buildWorkspace, InstalledWorkspaces, SingleWorkspace, type SlackWorkspace, type SlackWorkspaces, type WorkspaceParts } from "./slack-workspaces.js";
import { TokenCipher } from "./token-cipher.js";

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

/** What the Slack side needs beyond its config. */
export interface SlackWebOptions {
  /** The installations: required with `config.oauth`; in both modes, what an uninstall removes. */
  installations?: InstallationStore;
  /** Called with each pair of Web API clients made (the rate-limit metric listens to them). */
  watch?: (clients: SlackClients) => void;
}

/**
 * The Web API side: each workspace's clients and directory, and the publisher that picks them. Usable before the app
 * starts (the core's publisher needs it). Single-workspace mode has one token; multi-workspace mode one per install.
 */
export function createSlackWeb(config: SlackConfig, clock: Clock, logger: Logger, options: SlackWebOptions = {}) {
  const parts: WorkspaceParts = { apiUrl: config.apiUrl, adminUserIds: config.adminUserIds, clock, logger, sdkLogger: boltLogger(logger), watch: options.watch ?? (() => {}) };
  let installed: { workspaces: InstalledWorkspaces; cipher: TokenCipher; store: InstallationStore } | null = null;
  let workspaces: SlackWorkspaces;
  if (config.oauth) {
    if (!options.installations) throw new Error("multi-workspace Slack needs the installation store");
    const cipher = new TokenCipher(config.oauth.tokenKey, config.oauth.previousTokenKeys);
    const all = new InstalledWorkspaces(options.installations, cipher, parts);
    installed = { workspaces: all, cipher, store: options.installations };
    workspaces = all;
  } else {
    workspaces = new SingleWorkspace(buildWorkspace(config.botToken, parts));
  }
  let tokenless: SlackWorkspace | undefined;
  const publisher = new SlackPublisher(workspaces, () => (tokenless ??= buildWorkspace(undefined, parts)));
  return {
    workspaces,
    installed,
    store: options.installations ?? null,
    clock,
    publisher,
    /** Single-workspace mode: learns the bot's own user id (and checks the token) at start-up. */
    async identify(): Promise<void> {
      if (workspaces instanceof SingleWorkspace) await workspaces.workspace.directory.identify();
    },
  };
}

/** What the Slack handlers need of the Web API side. */
export type SlackWeb = ReturnType<typeof createSlackWeb>;

/**
 * Bolt's own OAuth, in HTTP mode with `config.oauth`: `/slack/install` sends the browser straight to Slack's
 * authorize page (`directInstall`) with a signed state (Bolt's stateless state store, so the redirect may come back to
 * any process) in a cookie; `/slack/oauth_redirect` checks cookie and state, exchanges the code (`oauth.v2.access`),
 * stores the install ({@link boltInstallationStore}), and every incoming request is then authorized from it.
 * The authorize page sits beside the Web API (`https://slack.com/oauth/v2/authorize` for `https://slack.com/api/`).
 */
function oauthOptions(config: SlackConfig, web: SlackWeb, logger: BoltLogger) {
  if (!config.oauth || !web.installed) return {};
  return {
    clientId: config.oauth.clientId,
    clientSecret: config.oauth.clientSecret,
    stateSecret: config.oauth.stateSecret,
    scopes: [...SLACK_BOT_SCOPES],
    installationStore: boltInstallationStore(web.installed.store, web.installed.cipher, web.installed.workspaces, web.clock),
    installerOptions: {
      directInstall: true,
      authorizationUrl: new URL("../oauth/v2/authorize", config.apiUrl).toString(),
      // The code is single-use: a repeated exchange could only fail.
      clientOptions: postingClientOptions(config.apiUrl, logger),
    },
  };
}

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
      ...(config.botToken ? { token: config.botToken } : {}),
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
      this.receiver = new HTTPReceiver({ signingSecret: config.signingSecret, endpoints: "/slack/events", logger: boltLogger(logger), ...oauthOptions(config, web, boltLogger(logger)) });
      this.app = new App({ ...common, receiver: this.receiver });
    }
    attachSlackHandlers(this.app, { salon, web, acks: this.acks, logger: logger.child({ platform: "slack" }) });
    if (web.store) attachUninstallHandlers(this.app, { store: web.store, workspaces: web.workspaces, publisher: web.publisher, clock: web.clock, logger: logger.child({ platform: "slack" }) });
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
