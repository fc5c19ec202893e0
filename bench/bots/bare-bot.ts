/**
 * Child process: the baselines, a bare discord.js 14 client with Salon's intents and partials and default caches, and
 * nothing else. `defer` only defers each slash command (ephemerally, as Salon does); `insert` writes one row per
 * reaction event with better-sqlite3 (WAL, the same settings Salon's connection uses); `insert-pg` one row per event
 * with `pg`, one parameterised INSERT each (a named, so prepared, statement on one connection); `idle` only connects.
 */
import BetterSqlite3 from "better-sqlite3";
import { Client, Events, GatewayIntentBits, MessageFlags, Partials } from "discord.js";
import pg from "pg";
import { epochNow, serve } from "../lib/rpc.js";
import { settledMemory, startLoopDelay, startProfile, stopLoopDelay, stopProfile, waitUntil } from "./bot-common.js";

let client: Client | null = null;
let db: BetterSqlite3.Database | null = null;
let pgClient: pg.Client | null = null;
let handled = 0;

serve({
  async start(arg: { apiUrl: string; token: string; mode: "defer" | "insert" | "insert-pg" | "idle"; dbFile?: string; pgUrl?: string }) {
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions],
      partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
      rest: { api: arg.apiUrl },
    });
    if (arg.mode === "defer") {
      client.on(Events.InteractionCreate, (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        interaction.deferReply({ flags: MessageFlags.Ephemeral }).catch((error: unknown) => console.error("defer failed", error));
      });
    }
    if (arg.mode === "insert") {
      db = new BetterSqlite3(arg.dbFile!, { timeout: 5000 });
      db.pragma("journal_mode = WAL");
      db.exec(
        "CREATE TABLE IF NOT EXISTS reaction_event (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, guildId TEXT, channelId TEXT NOT NULL, messageId TEXT NOT NULL, userId TEXT NOT NULL, emoji TEXT NOT NULL)",
      );
      const insert = db.prepare("INSERT INTO reaction_event (kind, guildId, channelId, messageId, userId, emoji) VALUES (?, ?, ?, ?, ?, ?)");
      const on = (kind: string) => (reaction: { message: { guildId: string | null; channelId: string; id: string }; emoji: { id: string | null; name: string | null } }, user: { id: string }) => {
        const emoji = reaction.emoji.id ? `${reaction.emoji.name}:${reaction.emoji.id}` : (reaction.emoji.name ?? "");
        insert.run(kind, reaction.message.guildId, reaction.message.channelId, reaction.message.id, user.id, emoji);
        handled++;
      };
      client.on(Events.MessageReactionAdd, on("add"));
      client.on(Events.MessageReactionRemove, on("remove"));
    }
    if (arg.mode === "insert-pg") {
      pgClient = new pg.Client({ connectionString: arg.pgUrl });
      await pgClient.connect();
      await pgClient.query(
        `CREATE TABLE IF NOT EXISTS reaction_event (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, "guildId" TEXT, "channelId" TEXT NOT NULL, "messageId" TEXT NOT NULL, "userId" TEXT NOT NULL, emoji TEXT NOT NULL)`,
      );
      const text = `INSERT INTO reaction_event (kind, "guildId", "channelId", "messageId", "userId", emoji) VALUES ($1, $2, $3, $4, $5, $6)`;
      const on = (kind: string) => (reaction: { message: { guildId: string | null; channelId: string; id: string }; emoji: { id: string | null; name: string | null } }, user: { id: string }) => {
        const emoji = reaction.emoji.id ? `${reaction.emoji.name}:${reaction.emoji.id}` : (reaction.emoji.name ?? "");
        pgClient!
          .query({ name: "insert-reaction-event", text, values: [kind, reaction.message.guildId, reaction.message.channelId, reaction.message.id, user.id, emoji] })
          .then(() => handled++, (error: unknown) => console.error("insert failed", error));
      };
      client.on(Events.MessageReactionAdd, on("add"));
      client.on(Events.MessageReactionRemove, on("remove"));
    }
    const ready = new Promise<void>((resolve) => client!.once(Events.ClientReady, () => resolve()));
    await client.login(arg.token);
    await ready;
    return { user: client.user?.id };
  },

  async waitReactions(arg: { count: number; timeoutMs: number }) {
    await waitUntil(() => handled >= arg.count, arg.timeoutMs, () => `${handled} of ${arg.count} reaction events handled`);
    return epochNow();
  },

  handled: () => handled,

  /** The SDK-only baseline of the throughput benchmark: `concurrency` workers sharing `jobs` image requests. */
  async imagePool(arg: { baseURL: string; apiKey: string; concurrency: number; jobs: number }) {
    const { default: OpenAI } = await import("openai");
    const openai = new OpenAI({ apiKey: arg.apiKey, baseURL: arg.baseURL, maxRetries: 0 });
    let next = 0;
    const worker = async () => {
      while (next < arg.jobs) {
        next++;
        await openai.images.generate({ model: "gpt-image-2", prompt: "a lighthouse at dawn", size: "1024x1024", quality: "medium" });
      }
    };
    await Promise.all(Array.from({ length: arg.concurrency }, worker));
    return arg.jobs;
  },

  rows: async () =>
    pgClient
      ? Number((await pgClient.query<{ n: string }>("SELECT COUNT(*) AS n FROM reaction_event")).rows[0]!.n)
      : (db!.prepare("SELECT COUNT(*) AS n FROM reaction_event").get() as { n: number }).n,

  async waitGuilds(arg: { count: number; timeoutMs: number }) {
    await waitUntil(() => client!.guilds.cache.size >= arg.count, arg.timeoutMs, () => `${client!.guilds.cache.size} of ${arg.count} guilds`);
    return { guilds: client!.guilds.cache.size, channels: client!.channels.cache.size };
  },

  memory: () => settledMemory(),
  heapSnapshot: async (arg: { file: string }) => (await import("node:v8")).writeHeapSnapshot(arg.file),
  startProfile: () => startProfile(),
  stopProfile: (arg: { file: string }) => stopProfile(arg.file),
  startLoopDelay: () => startLoopDelay(),
  stopLoopDelay: () => stopLoopDelay(),

  async stop() {
    await client?.destroy();
    db?.close();
    await pgClient?.end();
    client = null;
    db = null;
    pgClient = null;
  },
});
