/**
 * The Discord side of Salon: a discord.js client with only non-privileged intents (Guilds, Guild Messages for
 * deletions, Guild Message Reactions) and the partials that let reactions on uncached posts through.
 */
import { Client, Events, GatewayIntentBits, Partials, REST } from "discord.js";
import type { Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import { DiscordPublisher } from "./discord-publisher.js";
import { createInteractionHandler } from "./interaction-handlers.js";
import { attachReactionHandlers } from "./reaction-handlers.js";

export interface DiscordOptions {
  token: string;
  /** REST base, e.g. https://discord.com/api or a REST proxy; the gateway URL is asked of it. */
  apiUrl: string;
}

export const DISCORD_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];

/** A REST client on the configured base, for the publisher and `commands:deploy`. */
export function createDiscordRest(options: DiscordOptions): REST {
  return new REST({ api: options.apiUrl }).setToken(options.token);
}

export function createDiscordPublisher(options: DiscordOptions, logger: Logger): DiscordPublisher {
  return new DiscordPublisher(createDiscordRest(options), logger);
}

export class DiscordBot {
  readonly client: Client;
  private readyAt: Date | null = null;

  constructor(
    private readonly options: DiscordOptions,
    private readonly salon: Salon,
    private readonly logger: Logger,
  ) {
    this.client = new Client({
      intents: DISCORD_INTENTS,
      partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
      rest: { api: options.apiUrl },
      allowedMentions: { parse: [] },
    });
    this.client.on(Events.InteractionCreate, createInteractionHandler(salon, logger.child({ platform: "discord" })));
    attachReactionHandlers(this.client, salon, logger.child({ platform: "discord" }));
    this.client.on(Events.Error, (error) => logger.error({ err: error, platform: "discord" }, "discord client error"));
    this.client.on(Events.ShardDisconnect, () => {
      this.readyAt = null;
    });
    this.client.on(Events.ShardResume, () => {
      this.readyAt = new Date();
    });
  }

  get ready(): boolean {
    return this.readyAt !== null;
  }

  /** Logs in and resolves once the gateway is ready. */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.options.token);
    await ready;
    this.readyAt = new Date();
    this.logger.info({ platform: "discord", user: this.client.user?.tag, guilds: this.client.guilds.cache.size }, "discord ready");
  }

  async stop(): Promise<void> {
    this.readyAt = null;
    await this.client.destroy();
  }
}
