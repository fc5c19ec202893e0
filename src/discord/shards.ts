/**
 * Gateway shards: which shard holds a guild, and each shard's state for `/healthz` and `/metrics`. Discord routes a
 * guild's events to shard `(guild_id >> 22) % num_shards` only, so processes that run disjoint sets of shards together
 * see every guild once.
 */
import { Events, type Client } from "discord.js";
import type { DiscordShards } from "../config/config.js";

/** The shard of a guild among `count`. */
export function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** Whether a guild's events reach this process: always when it runs every shard (`shards` absent). */
export function holdsGuild(shards: DiscordShards | undefined, guildId: string): boolean {
  return !shards || shards.ids.includes(shardOf(guildId, shards.count));
}

/** One shard as `/healthz` shows it. */
export interface ShardHealth {
  id: number;
  /** Connected and past READY (or RESUMED). */
  ready: boolean;
  /** The last heartbeat's round trip; null before the first. */
  latencyMs: number | null;
  /** When the shard last resumed its session (ISO 8601); null when it never did. */
  lastResumeAt: string | null;
}

/** Follows the client's shard events; {@link ShardStates.list} reads them with each shard's heartbeat latency. */
export class ShardStates {
  private readonly ready = new Set<number>();
  private readonly resumedAt = new Map<number, Date>();

  constructor(
    private readonly client: Client,
    now: () => Date = () => new Date(),
  ) {
    client.on(Events.ShardReady, (id) => this.ready.add(id));
    client.on(Events.ShardResume, (id) => {
      this.ready.add(id);
      this.resumedAt.set(id, now());
    });
    client.on(Events.ShardDisconnect, (_event, id) => this.ready.delete(id));
    client.on(Events.ShardReconnecting, (id) => this.ready.delete(id));
  }

  /** Every shard this process runs, known once the client has logged in (it then knows the count). */
  list(): ShardHealth[] {
    const ids = this.client.options.shards;
    if (!Array.isArray(ids)) return [];
    return ids.map((id) => {
      const ping = this.client.ws.shards.get(id)?.ping ?? -1;
      return { id, ready: this.ready.has(id), latencyMs: ping >= 0 ? ping : null, lastResumeAt: this.resumedAt.get(id)?.toISOString() ?? null };
    });
  }
}
