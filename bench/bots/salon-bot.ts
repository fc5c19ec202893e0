/**
 * Child process: Salon itself, started as `npm start` starts it (`startSalon` with a validated config, under the node
 * flags of the start script; loaded through tsx, which costs memory but no time once loaded), against the loopback
 * platforms of a platform host. The only thing added is a counter around `salon.reaction` so the reaction benchmark
 * knows when the last event has been stored. The memory and start-up benchmarks run the built `dist/main.js` instead.
 */
import { startSalon, type RunningSalon } from "../../src/app.js";
import { loadConfig, secretValues } from "../../src/config/config.js";
import { createLogger } from "../../src/runtime/logger.js";
import { epochNow, serve } from "../lib/rpc.js";
import { settledMemory, startLoopDelay, startProfile, stopLoopDelay, stopProfile, waitUntil } from "./bot-common.js";

let running: RunningSalon | null = null;
let handled = 0;

function salon(): RunningSalon {
  if (!running) throw new Error("start() first");
  return running;
}

serve({
  async start(arg: { env: Record<string, string> }) {
    const config = loadConfig(arg.env);
    const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
    running = await startSalon(config, { logger, scheduler: false, drainMs: 1000 });
    const reaction = running.salon.reaction.bind(running.salon);
    running.salon.reaction = (event) =>
      reaction(event).finally(() => {
        handled++;
      });
    return { port: running.port };
  },

  /** Resolves (epoch ms) once `count` reaction events have been handled since start. */
  async waitReactions(arg: { count: number; timeoutMs: number }) {
    await waitUntil(() => handled >= arg.count, arg.timeoutMs, () => `${handled} of ${arg.count} reaction events handled`);
    return epochNow();
  },

  handled: () => handled,

  /** Stored like counts and authors of the community's gallery posts, by message id, and how many reactions the members have stored. */
  async likes(arg: { guildId: string; channelId: string; messageIds: string[]; userIds: string[] }) {
    const { communities, creations, privacy } = salon().salon.deps;
    const community = await communities.findCommunity({ platform: "discord", externalId: arg.guildId });
    if (!community) throw new Error("community not stored");
    const counts: Record<string, number> = {};
    const authors: Record<string, string> = {};
    let reactions = 0;
    const seen = new Set<string>();
    for (const messageId of arg.messageIds) {
      const creation = await creations.findCreationByPost(community.id, arg.channelId, messageId);
      counts[messageId] = creation?.likeCount ?? -1;
      authors[messageId] = creation?.authorUserId ?? "";
    }
    // Stored reactions, through the store's own export of each reacting member.
    for (const userId of arg.userIds) {
      if (seen.has(userId)) continue;
      seen.add(userId);
      reactions += (await privacy.exportMember(community.id, userId)).reactions.length;
    }
    return { counts, authors, reactions };
  },

  async waitGuilds(arg: { count: number; timeoutMs: number }) {
    const client = salon().discord!.client;
    await waitUntil(() => client.guilds.cache.size >= arg.count, arg.timeoutMs, () => `${client.guilds.cache.size} of ${arg.count} guilds`);
    return { guilds: client.guilds.cache.size, channels: client.channels.cache.size };
  },

  memory: () => settledMemory(),
  heapSnapshot: async (arg: { file: string }) => (await import("node:v8")).writeHeapSnapshot(arg.file),
  startProfile: () => startProfile(),
  stopProfile: (arg: { file: string }) => stopProfile(arg.file),
  startLoopDelay: () => startLoopDelay(),
  stopLoopDelay: () => stopLoopDelay(),

  async stop() {
    await running?.stop();
    running = null;
  },
});
