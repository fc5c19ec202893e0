/**
 * Child process: the loopback platforms (FakeDiscord and FakeOpenAI from test/support), driven over IPC. It plays
 * Discord and OpenAI for one bot at a time, measures what reaches it (interaction callbacks, image requests) on its own
 * clock, and builds the worlds the benchmarks need.
 */
import { PermissionFlagsBits } from "discord.js";
import { FakeDiscord } from "../../test/support/discord/index.js";
import type { InteractionHandle, RawOption } from "../../test/support/discord/types.js";
import { FakeOpenAI } from "../../test/support/openai/fake-openai.js";
import { epochNow, serve } from "./rpc.js";

/** Shaped like a real bot token (Salon's config check insists), worthless. */
export const BOT_TOKEN = `${Buffer.from("1180000000000000001").toString("base64url")}.GxYzAb.${"t".repeat(38)}`;

let discord: FakeDiscord | null = null;
let openai: FakeOpenAI | null = null;
const handlesByToken = new Map<string, InteractionHandle>();

function fake(): FakeDiscord {
  if (!discord) throw new Error("start() first");
  return discord;
}

/** One reaction event of a plan: indexes into the plan's posts and users. */
export type PlannedEvent = { kind: "add" | "remove" | "duplicate"; post: number; user: number; emoji: string };

serve({
  async start(arg: { interactionDeadlineMs?: number } = {}) {
    discord = await FakeDiscord.start({ botToken: BOT_TOKEN, interactionDeadlineMs: arg.interactionDeadlineMs ?? 3000 });
    openai = await FakeOpenAI.start();
    return { apiUrl: discord.apiUrl, botToken: discord.botToken, applicationId: discord.applicationId, openaiBaseURL: openai.baseURL, openaiKey: openai.apiKey };
  },

  /** A guild with a gallery channel, an admin (Manage Server) and `members` plain members. */
  community(arg: { name: string; members: number; guildId?: string; galleryId?: string }) {
    const d = fake();
    const admin = d.addUser({ username: `${arg.name}-admin` });
    const guild = d.addGuild({ name: arg.name, ownerId: admin.id, ...(arg.guildId ? { id: arg.guildId } : {}) });
    const gallery = d.addChannel(guild.id, { name: "gallery", ...(arg.galleryId ? { id: arg.galleryId } : {}) });
    d.addMember(guild.id, admin.id, { permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages });
    const memberIds: string[] = [];
    for (let i = 0; i < arg.members; i++) {
      const user = d.addUser({ username: `${arg.name}-member-${i}` });
      d.addMember(guild.id, user.id);
      memberIds.push(user.id);
    }
    return { guildId: guild.id, galleryId: gallery.id, adminId: admin.id, memberIds };
  },

  /**
   * `count` guilds of `channels` text channels each (the memory benchmark's world); with `shard: [id, count]`, every
   * one on that gateway shard (ids chosen so; `from` numbers them on from an earlier call's).
   */
  guilds(arg: { count: number; channels: number; shard?: [number, number]; from?: number }) {
    const d = fake();
    const idOf = (g: number) => (arg.shard ? { id: String(BigInt(2 ** 40 + (g + (arg.from ?? 0)) * arg.shard[1] + arg.shard[0]) << 22n) } : {});
    for (let g = 0; g < arg.count; g++) {
      const guild = d.addGuild({ name: `guild-${g + (arg.from ?? 0)}`, ...idOf(g) });
      for (let c = 0; c < arg.channels; c++) d.addChannel(guild.id, { name: `channel-${c}` });
    }
    return { guilds: arg.count, channels: arg.count * arg.channels };
  },

  /** Messages written by a member, without gateway events (they were there before the bot came). */
  messages(arg: { channelId: string; authorId: string; count: number }) {
    return Array.from({ length: arg.count }, (_, i) => fake().addMessage(arg.channelId, { authorId: arg.authorId, content: `post ${i}` }, { silent: true }).id);
  },

  waitForIdentify: () => fake().waitForIdentify(),

  /** Runs a slash command and resolves with the first non-empty reply text. */
  async command(arg: { guildId: string; channelId: string; userId: string; name: string; options?: RawOption[]; admin?: boolean; timeoutMs?: number }) {
    const handle = fake().slashCommand({
      guildId: arg.guildId,
      channelId: arg.channelId,
      userId: arg.userId,
      name: arg.name,
      options: arg.options ?? [],
      ...(arg.admin ? { permissions: PermissionFlagsBits.ManageGuild } : {}),
    });
    const reply = await handle.waitFor((m) => m.content !== "", arg.timeoutMs ?? 10_000);
    return reply.content;
  },

  /** Like `command`, with when the reply arrived (epoch ms). */
  async commandAt(arg: { guildId: string; channelId: string; userId: string; name: string; options?: RawOption[]; timeoutMs?: number }) {
    const handle = fake().slashCommand({ guildId: arg.guildId, channelId: arg.channelId, userId: arg.userId, name: arg.name, options: arg.options ?? [] });
    const reply = await handle.waitFor((m) => m.content !== "", arg.timeoutMs ?? 10_000);
    return { content: reply.content, at: epochNow() };
  },

  /**
   * Dispatches one slash command per user, all in the same tick, and waits for every interaction's first callback.
   * Latency = the callback's arrival at this loopback Discord − the dispatch, both on this process's clock.
   */
  async burst(arg: { guildId: string; channelId: string; userIds: string[]; name: string; options?: RawOption[]; waitMs?: number }) {
    const d = fake();
    const startedAt = epochNow();
    const handles: InteractionHandle[] = arg.userIds.map((userId) =>
      d.slashCommand({ guildId: arg.guildId, channelId: arg.channelId, userId, name: arg.name, options: arg.options ?? [] }),
    );
    const dispatchMs = epochNow() - startedAt;
    for (const h of handles) handlesByToken.set(h.token, h);
    const answers = await Promise.all(
      handles.map((h) =>
        h.response(arg.waitMs ?? 60_000).then(
          (callback) => ({ ms: callback.at - h.dispatchedAt, type: callback.type }),
          () => ({ ms: Number.POSITIVE_INFINITY, type: 0 }),
        ),
      ),
    );
    return { latencies: answers.map((a) => a.ms), types: answers.map((a) => a.type), dispatchMs, tokens: handles.map((h) => h.token) };
  },

  /**
   * The text of each burst interaction's original response once every one has some (the deferral is empty until the bot
   * edits it): `/imagine`'s status message, or the apology of one that failed.
   */
  async waitOriginals(arg: { tokens: string[]; timeoutMs: number }) {
    const until = Date.now() + arg.timeoutMs;
    const texts = () => arg.tokens.map((token) => handlesByToken.get(token)?.original()?.content ?? "");
    while (texts().some((t) => t === "") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return texts();
  },

  /** The text of each burst interaction's original response (e.g. `/imagine`'s status message), by token. */
  originals(arg: { tokens: string[] }) {
    return arg.tokens.map((token) => handlesByToken.get(token)?.original()?.content ?? "");
  },

  /**
   * Plays reaction events as the gateway would send them: `add` and `remove` change the fake's state and dispatch,
   * `duplicate` re-sends the previous dispatch with a new sequence number (a redelivery). Returns when every event
   * has been handed to the socket.
   */
  reactions(arg: { channelId: string; posts: string[]; users: string[]; events: PlannedEvent[] }) {
    const d = fake();
    const startedAt = epochNow();
    let dispatched = 0;
    for (const e of arg.events) {
      const post = arg.posts[e.post]!;
      const user = arg.users[e.user]!;
      if (e.kind === "add") d.react(arg.channelId, post, user, e.emoji);
      else if (e.kind === "remove") d.unreact(arg.channelId, post, user, e.emoji);
      else d.replayLastDispatch();
      dispatched++;
    }
    return { startedAt, dispatchMs: epochNow() - startedAt, dispatched };
  },

  /** Ids of the channel's gallery posts (the bot's messages with an image), oldest first. */
  posts(arg: { channelId: string }) {
    const d = fake();
    return d.messages(arg.channelId).filter((m) => !m.deleted && m.authorId === d.botUser.id && m.attachments.length > 0).map((m) => m.id);
  },

  /** Waits until the channel has `count` gallery posts; resolves with each post's arrival (epoch ms), oldest first. */
  async waitForPosts(arg: { channelId: string; count: number; timeoutMs: number }) {
    const d = fake();
    const arrivals = new Map<string, number>();
    const until = Date.now() + arg.timeoutMs;
    for (;;) {
      for (const m of d.messages(arg.channelId)) {
        if (m.authorId === d.botUser.id && m.attachments.length > 0 && !arrivals.has(m.id)) arrivals.set(m.id, epochNow());
      }
      if (arrivals.size >= arg.count) return [...arrivals.values()];
      if (Date.now() > until) throw new Error(`only ${arrivals.size} of ${arg.count} posts within ${arg.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  },

  setImageDelay(arg: { ms: number }) {
    openai!.setImageDelay(arg.ms);
  },

  /** Image requests as they arrived: prompt, hashed user, and arrival (epoch ms). */
  imageRequests() {
    const offset = epochNow() - Date.now();
    return openai!.imageRequests.map((r) => ({ prompt: String(r.body?.prompt ?? ""), user: String(r.body?.user ?? ""), at: r.at + offset }));
  },

  async close() {
    await discord?.close();
    await openai?.close();
    discord = null;
    openai = null;
  },
});
