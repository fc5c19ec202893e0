/**
 * Salon as real processes on Slack (single-workspace mode): a loopback Slack and OpenAI, one database and data folder,
 * and `boot` to start a process on them (`src/main.ts`, as `npm start` runs it). `close` kills every process it started
 * and removes the rest.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FakeOpenAI } from "./openai/fake-openai.js";
import { startSalonProcess, type SalonProcess } from "./salon-process.js";
import { FakeSlack } from "./slack/index.js";
import { botDatabase } from "./test-database.js";

export async function slackProcesses() {
  const slack = await FakeSlack.start();
  const openai = await FakeOpenAI.start();
  const dir = await mkdtemp(path.join(tmpdir(), "salon-slack-processes-"));
  const database = await botDatabase(dir);
  const processes: SalonProcess[] = [];
  const env = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.baseURL,
    DATABASE_URL: database.url,
    DATA_DIR: dir,
    RECONCILE_DAYS: "0",
    PREVIEW_IMAGES: "0",
  };
  return {
    slack,
    openai,
    databaseUrl: database.url,
    /** Starts a process with these variables added (its PORT at least) and resolves once it has started. */
    async boot(more: Record<string, string>): Promise<SalonProcess> {
      const proc = startSalonProcess({ ...env, ...more }, dir);
      processes.push(proc);
      await proc.waitForLog((l) => l.msg === "salon started");
      return proc;
    },
    async close(): Promise<void> {
      for (const proc of processes) await proc.crash();
      await slack.close();
      await openai.close();
      await rm(dir, { recursive: true, force: true });
      await database.drop();
    },
  };
}
