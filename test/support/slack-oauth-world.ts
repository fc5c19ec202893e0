/**
 * One Salon in multi-workspace mode (Slack's OAuth install flow, HTTP events on the health port) serving two loopback
 * workspaces, one {@link FakeSlack} each behind one {@link FakeSlackOAuth} (the same app installed in both), and a
 * loopback OpenAI. Workspaces are installed the way a browser does it: GET /slack/install, Slack's authorize page,
 * then GET /slack/oauth_redirect with the code, the state and the state cookie.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startSalon, type RunningSalon } from "../../src/app.js";
import { loadConfig, type Config } from "../../src/config/config.js";
import type { Clock } from "../../src/core/ports.js";
import { FakeOpenAI } from "./openai/fake-openai.js";
import { FakeSlack } from "./slack/index.js";
import { makeSigningSecret } from "./slack/ids.js";
import { FakeSlackOAuth } from "./slack/oauth.js";
import type { FakeSlackChannel, FakeSlackUser } from "./slack/types.js";
import { botDatabase, type BotDatabase } from "./test-database.js";
import { botEnvironment, testStartOptions } from "./test-start-options.js";

export interface Workspace {
  slack: FakeSlack;
  admin: FakeSlackUser;
  gallery: FakeSlackChannel;
  member: FakeSlackUser;
}

export interface OAuthWorld {
  oauth: FakeSlackOAuth;
  openai: FakeOpenAI;
  a: Workspace;
  b: Workspace;
  config: Config;
  database: BotDatabase;
  running: RunningSalon;
  logs: Array<Record<string, unknown>>;
  /**
   * Installs Salon in the workspace as its admin; resolves with the redirect page's status and text. `cookie: false`
   * comes back from Slack in another browser (without the state cookie), as a forged redirect would.
   */
  install(w: Workspace, options?: { cookie?: boolean }): Promise<{ status: number; body: string }>;
  /** Starts another Salon on the same database with these variables changed (e.g. another SLACK_TOKEN_KEY). */
  restart(env?: Record<string, string>): Promise<RunningSalon>;
  close(): Promise<void>;
}

export async function startOAuthWorld(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<OAuthWorld> {
  const signingSecret = makeSigningSecret(); // one app: every workspace's requests are signed with its secret
  const slacks = [await FakeSlack.start({ teamId: "T0WORKSPA", signingSecret }), await FakeSlack.start({ teamId: "T0WORKSPB", signingSecret })];
  let salonUrl = "";
  const oauth = await FakeSlackOAuth.start(slacks, () => `${salonUrl}/slack/oauth_redirect`);
  const openai = await FakeOpenAI.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), "salon-oauth-"));
  const database = await botDatabase(dataDir);
  const env = {
    SLACK_CLIENT_ID: oauth.clientId,
    SLACK_CLIENT_SECRET: oauth.clientSecret,
    SLACK_STATE_SECRET: randomBytes(32).toString("hex"),
    SLACK_TOKEN_KEY: randomBytes(32).toString("base64"),
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: oauth.apiUrl,
    ...botEnvironment(openai, database, dataDir),
    ...options.env,
  };
  const config = loadConfig(env);
  const { startOptions, logs } = testStartOptions(config, options);
  const instances: RunningSalon[] = [];
  const begin = async (more: Record<string, string> = {}) => {
    const running = await startSalon(Object.keys(more).length ? loadConfig({ ...env, ...more }) : config, { ...startOptions, scheduler: false });
    instances.push(running);
    salonUrl = `http://127.0.0.1:${running.port}`;
    for (const slack of slacks) slack.setBotEndpoint(`${salonUrl}/slack/events`);
    return running;
  };
  const running = await begin();
  const workspace = (slack: FakeSlack): Workspace => ({
    slack,
    admin: slack.addUser({ name: "admin", isAdmin: true }),
    gallery: slack.addChannel({ name: "gallery" }),
    member: slack.addUser({ name: "ana" }),
  });
  return {
    oauth,
    openai,
    a: workspace(slacks[0]!),
    b: workspace(slacks[1]!),
    config,
    database,
    running,
    logs,
    async install(w, { cookie: withCookie = true } = {}) {
      const start = await fetch(`${salonUrl}/slack/install`, { redirect: "manual" });
      await start.arrayBuffer();
      const authorize = start.headers.get("location");
      if (start.status !== 302 || !authorize) throw new Error(`/slack/install answered ${start.status} without a redirect`);
      // The browser keeps the state cookie Bolt set and sends it back with the redirect.
      const cookie = start.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const back = await fetch(oauth.approve(authorize, w.slack, w.admin.id), { headers: withCookie ? { cookie } : {}, redirect: "manual" });
      return { status: back.status, body: await back.text() };
    },
    restart: begin,
    async close() {
      for (const instance of instances) await instance.stop();
      for (const slack of slacks) await slack.close();
      await oauth.close();
      await openai.close();
      await rm(dataDir, { recursive: true, force: true });
      await database.drop();
    },
  };
}

/** A slash command in the workspace's gallery, resolving with its first answer's text. */
export async function command(w: Workspace, user: FakeSlackUser, name: "/imagine" | "/salon", text: string): Promise<string> {
  const handle = await w.slack.slashCommand({ command: name, text, userId: user.id, channelId: w.gallery.id });
  if (handle.status !== 200) throw new Error(`${name} answered ${handle.status}`);
  return (await handle.waitForResponse(() => true)).text ?? "";
}
