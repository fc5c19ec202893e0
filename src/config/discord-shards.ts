/**
 * DISCORD_SHARDS and DISCORD_SHARD_COUNT: which gateway shards this process runs, out of how many across every
 * process. A list needs a count: each process must split the guilds the same way.
 */
import { z } from "zod";

/** A process's part of the bot's gateway shards: guild `g` is on shard `(g >> 22) % count`. */
export interface DiscordShards {
  ids: number[];
  count: number;
}

export const discordShardIds = z.string()
  .regex(/^\d+(\s*,\s*\d+)*$/, "DISCORD_SHARDS must be the shard ids this process runs, separated by commas, e.g. 0,1 (or unset for every shard)")
  .transform((list) => list.split(",").map(Number))
  .optional();

export const discordShardCount = z.string()
  .regex(/^\d+$/, "DISCORD_SHARD_COUNT must be the total number of shards across every process, a whole number from 1 (or unset for Discord's recommendation)")
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65_535, "DISCORD_SHARD_COUNT must be a whole number from 1 to 65535: the total number of shards across every process")
  .optional();

/** DISCORD_SHARDS: no duplicate, each below the count; and a count to go with it. */
export function checkShards(ids: number[], count: number | undefined, problem: (message: string) => void): void {
  if (count === undefined) {
    problem(
      "DISCORD_SHARDS needs DISCORD_SHARD_COUNT, the total number of shards across every process: each process must split the guilds " +
        "the same way, and Discord's recommendation (GET /gateway/bot) can change between one process's start and the next's",
    );
  } else {
    const outside = [...new Set(ids.filter((id) => id >= count))];
    if (outside.length > 0) problem(`DISCORD_SHARDS has ${outside.join(", ")}, but shard ids go from 0 to ${count - 1} with DISCORD_SHARD_COUNT=${count}`);
  }
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (repeated.length > 0) problem(`DISCORD_SHARDS lists ${repeated.join(", ")} more than once; list each shard id once`);
}

