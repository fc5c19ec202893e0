/**
 * The whole bot, started as `npm start` would (config → startSalon), against a loopback Discord and a loopback
 * OpenAI. Logs are captured as JSON lines so tests can read them (and scan them for secrets).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PermissionFlagsBits } from "discord.js";
import { startSalon, type RunningSalon, type StartOptions } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config/config.js";
import { literal } from "../../src/discord/render.js";
import type { Clock } from "../../src/core/ports.js";
import { FakeDiscord } from "./discord/index.js";
import type { FakeChannel, FakeGuild, FakeMessage, FakeUser } from "./discord/types.js";
import { FakeOpenAI, type FakeOpenAIOptions } from "./openai/fake-openai.js";
import { botDatabase } from "./test-database.js";
import { botEnvironment, testStartOptions } from "./test-start-options.js";

export interface Harness {
  discord: FakeDiscord;
  openai: FakeOpenAI;
  config: Config;
  running: RunningSalon;
  dataDir: string;
  logs: Array<Record<string, unknown>>;
  logText(): string;
  /** A second Salon over the same database and data directory (a restart, or a second process). */
  restart(options?: Partial<StartOptions>): Promise<RunningSalon>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: Clock;
  start?: Partial<StartOptions>;
  /** Options of the loopback OpenAI (its models and their shutdown dates). */
  openai?: FakeOpenAIOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // Shaped like a real bot token (the config check insists), but worthless.
  const discord = await FakeDiscord.start({ botToken: `${Buffer.from("1180000000000000001").toString("base64url")}.GxYzAb.${"t".repeat(38)}` });
  const openai = await FakeOpenAI.start(options.openai);
  const dataDir = await mkdtemp(path.join(tmpdir(), "salon-e2e-"));
  const database = await botDatabase(dataDir);
  const config = loadConfig({
    DISCORD_TOKEN: discord.botToken,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    ...botEnvironment(openai, database, dataDir),
    ...options.env,
  });
  const { startOptions, logs, logText } = testStartOptions(config, options);
  const instances: RunningSalon[] = [];
  const running = await startSalon(config, startOptions);
  instances.push(running);
  return {
    discord,
    openai,
    config,
    running,
    dataDir,
    logs,
    logText,
    async restart(more = {}) {
      const next = await startSalon(config, { ...startOptions, ...more });
      instances.push(next);
      return next;
    },
    async close() {
      for (const instance of instances) await instance.stop();
      await discord.close();
      await openai.close();
      await rm(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

/** A guild with a gallery channel, an admin and a few members, already set up with `/salon setup`. */
export interface Community {
  guild: FakeGuild;
  gallery: FakeChannel;
  admin: FakeUser;
  members: FakeUser[];
}

export async function addCommunity(h: Harness, name = "Salon HQ", memberNames = ["ana", "ben", "chloe", "dev"], setup = true): Promise<Community> {
  const admin = h.discord.addUser({ username: `${name.toLowerCase().replace(/\W+/g, "-")}-admin` });
  const guild = h.discord.addGuild({ name, ownerId: admin.id });
  const gallery = h.discord.addChannel(guild.id, { name: "gallery" });
  h.discord.addMember(guild.id, admin.id, { permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages });
  const members = memberNames.map((username) => {
    const user = h.discord.addUser({ username });
    h.discord.addMember(guild.id, user.id);
    return user;
  });
  // Wait until discord.js has the guild (GUILD_CREATE after the bot connected).
  for (let i = 0; i < 200 && !h.running.discord!.client.guilds.cache.has(guild.id); i++) await new Promise((r) => setTimeout(r, 10));
  if (setup) {
    const handle = h.discord.slashCommand({
      guildId: guild.id,
      channelId: gallery.id,
      userId: admin.id,
      name: "salon",
      permissions: PermissionFlagsBits.ManageGuild,
      options: [{ type: 1, name: "setup", options: [{ type: 7, name: "gallery", value: gallery.id }] }],
    });
    await handle.waitFor((m) => m.content.startsWith("Salon is set up"));
  }
  return { guild, gallery, admin, members };
}

/** Runs `/imagine` and returns the interaction handle. */
export function imagine(h: Harness, c: Community, user: FakeUser, prompt: string, extra: Array<{ type: number; name: string; value: string }> = []) {
  return h.discord.slashCommand({
    guildId: c.guild.id,
    channelId: c.gallery.id,
    userId: user.id,
    name: "imagine",
    options: [{ type: 3, name: "prompt", value: prompt }, ...extra],
  });
}

/** `/imagine` through to its gallery post. */
export async function createPost(h: Harness, c: Community, user: FakeUser, prompt: string): Promise<FakeMessage> {
  const handle = imagine(h, c, user, prompt);
  await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  // The post shows the prompt literal to markdown (escaped), which reads as typed.
  return h.discord.waitForMessage(c.gallery.id, (m) => m.embeds.some((e: { description?: string }) => e.description === literal(prompt, 4096)));
}

/** Runs a slash command as a member and resolves with the final ephemeral reply text. */
export async function command(h: Harness, c: Community, user: FakeUser, name: string, options: unknown[] = [], permissions?: bigint): Promise<string> {
  const handle = h.discord.slashCommand({ guildId: c.guild.id, channelId: c.gallery.id, userId: user.id, name, options: options as never, ...(permissions === undefined ? {} : { permissions }) });
  await handle.response();
  const reply = await handle.waitFor((m) => m.content !== "" || (m.attachments?.length ?? 0) > 0);
  return reply.content;
}

/** Polls until `check` passes (for effects of gateway events, which have no reply to wait for). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** The stored community of `c`, read through a running Salon's store (the current one, or one from `restart`). */
export async function storedCommunity(running: RunningSalon, c: Community) {
  const community = await running.salon.deps.communities.findCommunity({ platform: "discord", externalId: c.guild.id });
  if (!community) throw new Error(`community ${c.guild.name} is not stored`);
  return community;
}

/** The creation shown by a gallery post of `c`, or null when the post is not a gallery post. */
export async function creationOfPost(running: RunningSalon, c: Community, messageId: string) {
  const community = await storedCommunity(running, c);
  return running.salon.deps.creations.findCreationByPost(community.id, c.gallery.id, messageId);
}

/** The stored like count of a gallery post (throws when the post is not a gallery post). */
export async function likeCountOf(running: RunningSalon, c: Community, messageId: string): Promise<number> {
  const creation = await creationOfPost(running, c, messageId);
  if (!creation) throw new Error(`message ${messageId} is not a gallery post of ${c.guild.name}`);
  return creation.likeCount;
}

/** The reactions stored for a member of `c` as `creationId:emoji` strings, sorted. */
export async function storedReactionsOf(running: RunningSalon, c: Community, userId: string): Promise<string[]> {
  const community = await storedCommunity(running, c);
  const data = await running.salon.deps.privacy.exportMember(community.id, userId);
  return data.reactions.map((r) => `${r.creationId}:${r.emoji}`).sort();
}

/** A Salon admin's slash command (the `/salon` subcommands), resolving with the final ephemeral reply text. */
export function adminCommand(h: Harness, c: Community, sub: string, options: unknown[] = []): Promise<string> {
  return command(h, c, c.admin, "salon", [{ type: 1, name: sub, options }], PermissionFlagsBits.ManageGuild);
}
