/**
 * The Discord side of Salon: a discord.js client with only non-privileged intents (Guilds, Guild Messages for
 * deletions, Guild Message Reactions) and the partials that let reactions on uncached posts through.
 */
import { Client, Collection, Events, GatewayIntentBits, LimitedCollection, Partials, REST, RESTEvents, type CacheFactory } from "discord.js";
import type { DiscordShards } from "../config/config.js";
import type { Clock, Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import { DiscordPublisher } from "./discord-publisher.js";
import { createInteractionHandler } from "./interaction-handlers.js";
import { databaseIdentifyThrottler, type IdentifySlots } from "./identify-throttler.js";
import { attachReactionHandlers } from "./reaction-handlers.js";
import { ShardStates, type ShardHealth } from "./shards.js";

export interface DiscordOptions {
  token: string;
  /** REST base, e.g. https://discord.com/api or a REST proxy; the gateway URL is asked of it. */
  apiUrl: string;
  /** The shards this process runs; every shard Discord recommends when absent. */
  shards?: DiscordShards;
}

export const DISCORD_INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];

/** Longest 429 wait sat out inside one request; a longer one fails the request and the queue retries it later. */
const MAX_INLINE_RATE_LIMIT_MS = 30_000;

/**
 * A REST client on the configured base, for the publisher and `commands:deploy`. It retries a 5xx or a timeout 3
 * times itself and waits out a 429 of up to 30 s: every wait is bounded, so a job never hangs on a rate limit.
 */
export function createDiscordRest(options: DiscordOptions): REST {
  return new REST({ api: options.apiUrl, rejectOnRateLimit: (limit) => limit.retryAfter > MAX_INLINE_RATE_LIMIT_MS }).setToken(options.token);
}

/** The publisher; `clock` tells when an interaction token (15 minutes) is spent. */
export function createDiscordPublisher(options: DiscordOptions, logger: Logger, clock: Clock, onRateLimited?: () => void): DiscordPublisher {
  const rest = createDiscordRest(options);
  if (onRateLimited) onRateLimitedResponse(rest, onRateLimited);
  return new DiscordPublisher(rest, logger, clock);
}

/**
 * Calls `listener` on each 429 Discord answers, waited out or rejected. (`RESTEvents.RateLimited` is not that: it is
 * emitted only when the client holds a request back itself because a bucket it knows is spent.)
 */
export function onRateLimitedResponse(rest: REST, listener: () => void): void {
  rest.on(RESTEvents.Response, (_request, response) => {
    if (response.status === 429) listener();
  });
}

/** A cache that never keeps anything: one instance serves every manager whose cache Salon never reads. */
class NoCache<K, V> extends Collection<K, V> {
  override set(): this {
    return this;
  }
}

/**
 * What the client keeps in memory. Salon reads almost nothing from discord.js's caches: interactions carry the member,
 * the permissions and the resolved options, reactions and deletions arrive as partials, and everything is sent over
 * REST. Guilds, their channels, roles and permission overwrites stay cached, as discord.js requires (it delivers a
 * reaction only in a guild channel it has cached); users and members keep only the bot's own; every other cache
 * (messages, threads, reactions, emoji, presences, voice states, …) holds nothing and costs nothing per guild or channel.
 */
export function salonCacheFactory(): CacheFactory {
  const nothing = new NoCache<unknown, unknown>();
  const ownOnly = () => new LimitedCollection<string, { id: string; client: Client }>({ maxSize: 0, keepOverLimit: (value) => value.id === value.client.user?.id });
  const kept = new Set(["GuildManager", "ChannelManager", "GuildChannelManager", "RoleManager", "PermissionOverwriteManager"]);
  return ((managerType, _holds, manager) => {
    if (kept.has(manager.name) || kept.has(managerType.name)) return new Collection();
    if (manager.name === "UserManager" || manager.name === "GuildMemberManager") return ownOnly();
    return nothing;
  }) as CacheFactory;
}

export class DiscordBot {
  readonly client: Client;
  private readyAt: Date | null = null;
  private readonly shardStates: ShardStates;

  /** `identifySlots`: where the processes of one bot take turns to identify (each process alone when absent). */
  constructor(
    private readonly options: DiscordOptions,
    private readonly salon: Salon,
    private readonly logger: Logger,
    identifySlots?: IdentifySlots,
  ) {
    this.client = new Client({
      intents: DISCORD_INTENTS,
      ...(options.shards ? { shards: options.shards.ids, shardCount: options.shards.count } : {}),
      ...(identifySlots ? { ws: { buildIdentifyThrottler: databaseIdentifyThrottler(identifySlots) } } : {}),
      partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
      rest: { api: options.apiUrl },
      allowedMentions: { parse: [] },
      makeCache: salonCacheFactory(),
    });
    this.client.on(Events.InteractionCreate, createInteractionHandler(salon, logger.child({ platform: "discord" })));
    attachReactionHandlers(this.client, salon, logger.child({ platform: "discord" }));
    this.client.on(Events.Error, (error) => logger.error({ err: error, platform: "discord" }, "discord client error"));
    this.shardStates = new ShardStates(this.client);
    this.client.on(Events.ShardDisconnect, (event, id) => {
      this.readyAt = null;
      logger.error({ platform: "discord", shard: id, code: event.code }, "discord shard closed for good (see the close code)");
    });
    this.client.on(Events.ShardResume, () => {
      this.readyAt = new Date();
    });
  }

  get ready(): boolean {
    return this.readyAt !== null;
  }

  /** Each shard of this process: ready, latency, last resume. */
  shards(): ShardHealth[] {
    return this.shardStates.list();
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
