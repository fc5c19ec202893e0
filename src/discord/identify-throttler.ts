/**
 * When a shard may IDENTIFY, across every process on one database. Discord lets a bot start one session per bucket
 * (shard id % `max_concurrency`) every 5 seconds and answers a faster one with Invalid Session (opcode 9); discord.js's
 * own throttler (`SimpleIdentifyThrottler` of @discordjs/ws) counts only the shards of its process, so two processes
 * starting together would be refused. This one takes the bucket's slot in the database instead, through discord.js's
 * extension point (`ClientOptions.ws.buildIdentifyThrottler`).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { WebSocketOptions } from "discord.js";

/** The database's record of each bucket's last identify. */
export interface IdentifySlots {
  /**
   * Takes the bucket's slot at `now` when its last identify is at least `windowMs` old (resolves 0), or tells how
   * many milliseconds remain before it frees (nothing is recorded then).
   */
  take(bucket: number, now: Date, windowMs: number): Promise<number>;
}

type BuildThrottler = NonNullable<WebSocketOptions["buildIdentifyThrottler"]>;
type IdentifyThrottler = Awaited<ReturnType<BuildThrottler>>;

/** Discord's window per bucket. */
const IDENTIFY_WINDOW_MS = 5_000;
/**
 * Added to the window: each process stamps the slot with its own clock, so hosts whose clocks differ by up to this much
 * (NTP keeps them within milliseconds) still leave Discord a full 5 s between two identifies of one bucket.
 */
const CLOCK_MARGIN_MS = 250;

export class DatabaseIdentifyThrottler implements IdentifyThrottler {
  constructor(
    private readonly slots: IdentifySlots,
    private readonly maxConcurrency: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
    const bucket = shardId % this.maxConcurrency;
    for (;;) {
      signal.throwIfAborted();
      const wait = await this.slots.take(bucket, this.now(), IDENTIFY_WINDOW_MS + CLOCK_MARGIN_MS);
      if (wait === 0) return;
      // A little jitter, so that processes waiting on one bucket don't all ask again at the same moment.
      await sleep(wait + Math.random() * 100, undefined, { signal });
    }
  }
}

/** `ClientOptions.ws.buildIdentifyThrottler`: the session's `max_concurrency` comes from `GET /gateway/bot`. */
export function databaseIdentifyThrottler(slots: IdentifySlots): BuildThrottler {
  return async (manager) => {
    const info = await manager.fetchGatewayInformation();
    return new DatabaseIdentifyThrottler(slots, Math.max(1, info.session_start_limit.max_concurrency));
  };
}
