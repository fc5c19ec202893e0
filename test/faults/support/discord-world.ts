/**
 * A loopback Discord and OpenAI, a data folder, and the real bot process (`src/main.ts`) pointed at them: what the
 * fault tests kill and start again. The guild is there before the bot connects; `setUp` runs `/salon setup`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PermissionFlagsBits } from "discord.js";
import { literal } from "../../../src/discord/render.js";
import { FakeDiscord } from "../../support/discord/index.js";
import type { FakeChannel, FakeGuild, FakeMessage, FakeUser } from "../../support/discord/types.js";
import { FakeOpenAI } from "../../support/openai/fake-openai.js";
import { freePort, startSalonProcess, type SalonProcess } from "../../support/salon-process.js";
import { botDatabase, databaseRows } from "../../support/test-database.js";

const TOKEN = `${Buffer.from("1180000000000000001").toString("base64url")}.GxYzAb.${"t".repeat(38)}`;

export interface CreationRow {
  id: number;
  status: string;
  prompt: string;
  imageHash: string | null;
  galleryMessageId: string | null;
  claimedBy: string | null;
  attempts: number;
}

export interface DiscordWorld {
  discord: FakeDiscord;
  openai: FakeOpenAI;
  dir: string;
  /** The bot's DATABASE_URL: a SQLite file in `dir`, or in the project `bot-postgresql` a PostgreSQL database of its own. */
  databaseUrl: string;
  env: Record<string, string>;
  guild: FakeGuild;
  gallery: FakeChannel;
  admin: FakeUser;
  members: FakeUser[];
  /** Starts the bot process and resolves once it has started (Discord ready, workers running). */
  boot(moreEnv?: Record<string, string>): Promise<SalonProcess>;
  setUp(): Promise<void>;
  imagine(user: FakeUser, prompt: string): ReturnType<FakeDiscord["slashCommand"]>;
  creations(): Promise<CreationRow[]>;
  /** The gallery posts of a prompt (messages of the bot with that embed description), deleted ones excluded. */
  postsOf(prompt: string): FakeMessage[];
  /** REST requests that created a message in the gallery. */
  galleryPosts(): number;
  close(): Promise<void>;
}

export async function discordWorld(options: { nonceWindowMs?: number; env?: Record<string, string> } = {}): Promise<DiscordWorld> {
  const discord = await FakeDiscord.start({ botToken: TOKEN, ...(options.nonceWindowMs === undefined ? {} : { nonceWindowMs: options.nonceWindowMs }) });
  const openai = await FakeOpenAI.start();
  const dir = await mkdtemp(path.join(tmpdir(), "salon-faults-"));
  const database = await botDatabase(dir);
  const admin = discord.addUser({ username: "admin" });
  const guild = discord.addGuild({ name: "Salon HQ", ownerId: admin.id });
  const gallery = discord.addChannel(guild.id, { name: "gallery" });
  discord.addMember(guild.id, admin.id, { permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages });
  const members = ["ana", "ben", "chloe"].map((username) => {
    const user = discord.addUser({ username });
    discord.addMember(guild.id, user.id);
    return user;
  });
  const env = {
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.baseURL,
    DATABASE_URL: database.url,
    DATA_DIR: dir,
    PORT: String(await freePort()),
    PREVIEW_IMAGES: "0",
    ...options.env,
  };
  const processes: SalonProcess[] = [];
  const galleryPath = new RegExp(`^/channels/${gallery.id}/messages$`);

  const world: DiscordWorld = {
    discord,
    openai,
    dir,
    databaseUrl: database.url,
    env,
    guild,
    gallery,
    admin,
    members,
    async boot(moreEnv = {}) {
      const proc = startSalonProcess({ ...env, ...moreEnv }, dir);
      processes.push(proc);
      await proc.waitForLog((l) => l.msg === "salon started");
      return proc;
    },
    async setUp() {
      const handle = discord.slashCommand({
        guildId: guild.id,
        channelId: gallery.id,
        userId: admin.id,
        name: "salon",
        permissions: PermissionFlagsBits.ManageGuild,
        options: [{ type: 1, name: "setup", options: [{ type: 7, name: "gallery", value: gallery.id }] }],
      });
      await handle.waitFor((m) => m.content.startsWith("Salon is set up"), 10_000);
    },
    imagine(user, prompt) {
      return discord.slashCommand({ guildId: guild.id, channelId: gallery.id, userId: user.id, name: "imagine", options: [{ type: 3, name: "prompt", value: prompt }] });
    },
    creations() {
      return databaseRows<CreationRow>(database.url, `SELECT c.id, c.status, c.prompt, c."imageHash", c."galleryMessageId", c."claimedBy", c.attempts FROM "Creation" c ORDER BY c.id`);
    },
    postsOf(prompt) {
      return discord.messages(gallery.id).filter((m) => !m.deleted && m.authorId === discord.botUser.id && m.embeds.some((e: { description?: string }) => e.description === literal(prompt, 4096)));
    },
    galleryPosts() {
      return discord.requests.filter((r) => r.method === "POST" && galleryPath.test(r.path) && r.status === 200).length;
    },
    async close() {
      for (const proc of processes) await proc.crash();
      await discord.close();
      await openai.close();
      await rm(dir, { recursive: true, force: true });
      await database.drop();
    },
  };
  return world;
}
