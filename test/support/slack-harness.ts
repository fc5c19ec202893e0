/**
 * The whole bot on Slack, started as `npm start` would (config → startSalon), against a loopback Slack (HTTP events
 * on the health port, or Socket Mode) and a loopback OpenAI.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSalon, type RunningSalon, type StartOptions } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config/config.js";
import type { Clock } from "../../src/core/ports.js";
import { FakeOpenAI } from "./openai/fake-openai.js";
import { botDatabase } from "./test-database.js";
import { botEnvironment, testStartOptions } from "./test-start-options.js";
import { FakeSlack } from "./slack/index.js";
import type { FakeSlackChannel, FakeSlackMessage, FakeSlackUser } from "./slack/types.js";

export interface SlackHarness {
  slack: FakeSlack;
  openai: FakeOpenAI;
  config: Config;
  running: RunningSalon;
  logs: Array<Record<string, unknown>>;
  logText(): string;
  restart(options?: Partial<StartOptions>): Promise<RunningSalon>;
  close(): Promise<void>;
}

export async function startSlackHarness(options: { mode?: "http" | "socket"; clock?: Clock; env?: Record<string, string>; start?: Partial<StartOptions> } = {}): Promise<SlackHarness> {
  const slack = await FakeSlack.start();
  const openai = await FakeOpenAI.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), "salon-slack-"));
  const database = await botDatabase(dataDir);
  const config = loadConfig({
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    ...(options.mode === "socket" ? { SLACK_APP_TOKEN: slack.appToken } : {}),
    SLACK_API_URL: slack.apiUrl,
    ...botEnvironment(openai, database, dataDir),
    ...options.env,
  });
  const { startOptions, logs, logText } = testStartOptions(config, options);
  const instances: RunningSalon[] = [];
  const begin = async (more: Partial<StartOptions> = {}) => {
    const running = await startSalon(config, { ...startOptions, ...more });
    instances.push(running);
    if (options.mode !== "socket") slack.setBotEndpoint(`http://127.0.0.1:${running.port}/slack/events`);
    return running;
  };
  const running = await begin();
  return {
    slack,
    openai,
    config,
    running,
    logs,
    logText,
    restart: begin,
    async close() {
      for (const instance of instances) await instance.stop();
      await slack.close();
      await openai.close();
      await rm(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

export interface SlackCommunity {
  gallery: FakeSlackChannel;
  admin: FakeSlackUser;
  members: FakeSlackUser[];
}

/** A workspace with a gallery channel, an admin and members, set up with `/salon setup`. */
export async function addSlackCommunity(h: SlackHarness, memberNames = ["ana", "ben", "chloe", "dev"], setup = true): Promise<SlackCommunity> {
  const admin = h.slack.addUser({ name: "admin", isAdmin: true });
  const gallery = h.slack.addChannel({ name: "gallery" });
  const members = memberNames.map((name) => h.slack.addUser({ name }));
  if (setup) {
    const answer = await slashText(h, "/salon", `setup ${h.slack.channelRef(gallery.id)}`, admin.id, gallery.id);
    if (!answer.startsWith("Salon is set up")) throw new Error(`setup failed: ${answer}`);
  }
  return { gallery, admin, members };
}

/** Runs a slash command and resolves with the text of its first answer through the response URL. */
export async function slashText(h: SlackHarness, command: "/imagine" | "/salon", text: string, userId: string, channelId: string): Promise<string> {
  const handle = await h.slack.slashCommand({ command, text, userId, channelId });
  if (handle.status !== 200) throw new Error(`${command} answered ${handle.status}`);
  const response = await handle.waitForResponse(() => true);
  return response.text ?? "";
}

/** `/imagine` through to its gallery post (the uploaded file's message). */
export async function createSlackPost(h: SlackHarness, c: SlackCommunity, user: FakeSlackUser, prompt: string): Promise<FakeSlackMessage> {
  const handle = await h.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: c.gallery.id });
  await handle.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);
  return h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0 && m.text.includes(prompt.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")));
}

/** A `/salon …` command by `user` in the gallery channel, resolving with the text of its first answer. */
export function salonText(h: SlackHarness, c: SlackCommunity, user: FakeSlackUser, text: string): Promise<string> {
  return slashText(h, "/salon", text, user.id, c.gallery.id);
}

/** The stored community of the fake workspace, read through a running Salon (the current one, or one from `restart`). */
export async function storedSlackCommunity(h: SlackHarness, running: RunningSalon = h.running) {
  const community = await running.salon.deps.communities.findCommunity({ platform: "slack", externalId: h.slack.teamId });
  if (!community) throw new Error(`the Slack workspace ${h.slack.teamId} is not stored`);
  return community;
}

/** The creation shown by a gallery post (by its ts), or null when the message is not a gallery post. */
export async function slackCreationOfPost(h: SlackHarness, c: SlackCommunity, ts: string, running: RunningSalon = h.running) {
  const community = await storedSlackCommunity(h, running);
  return running.salon.deps.creations.findCreationByPost(community.id, c.gallery.id, ts);
}

/** The stored like count of a gallery post (throws when the message is not a gallery post). */
export async function slackLikeCountOf(h: SlackHarness, c: SlackCommunity, ts: string, running: RunningSalon = h.running): Promise<number> {
  const creation = await slackCreationOfPost(h, c, ts, running);
  if (!creation) throw new Error(`message ${ts} is not a gallery post`);
  return creation.likeCount;
}

/** The reactions stored for a member as `creationId:emoji` strings, sorted. */
export async function slackReactionsOf(h: SlackHarness, userId: string, running: RunningSalon = h.running): Promise<string[]> {
  const community = await storedSlackCommunity(h, running);
  const data = await running.salon.deps.privacy.exportMember(community.id, userId);
  return data.reactions.map((r) => `${r.creationId}:${r.emoji}`).sort();
}

/** How many of today's creations count against a member's quota (today in UTC, the default timezone). */
export async function slackMemberUsedToday(h: SlackHarness, userId: string): Promise<number> {
  const community = await storedSlackCommunity(h);
  return (await h.running.salon.deps.creations.usage(community.id, userId, new Date().toISOString().slice(0, 10))).memberToday;
}
