import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeDiscord } from "../support/discord/index.js";
import { FakeOpenAI } from "../support/openai/fake-openai.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = `${Buffer.from("1180000000000000001").toString("base64url")}.GxYzAb.${"t".repeat(38)}`;

/** `npm start`'s command: `node <flags> dist/main.js`, from package.json, so these tests run what users run. */
const startScript = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
const [, ...startArgs] = startScript.split(/\s+/);
const nodeFlags = startArgs.slice(0, -1);
const main = path.join(root, startArgs.at(-1)!);

beforeAll(() => {
  // What `prestart` does: the build (transpile only), into dist/.
  expect(startScript).toMatch(/^node (--[a-z0-9-]+=\S+ )*dist\/main\.js$/);
  execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], { cwd: root, stdio: "pipe" });
}, 60_000);

/** Runs the built bot as `npm start` does, with exactly the given environment, in `cwd`. */
function startProcess(env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [...nodeFlags, main], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += String(d)));
  child.stderr.on("data", (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "salon-start-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("npm start", () => {
  it("exits non-zero with one message listing what to set when no platform is configured (and a role it doesn't know), creating nothing", async () => {
    const dir = await tempDir();
    const proc = startProcess({ SALON_ROLES: "gateway, wrker" }, dir);
    expect(await proc.exited, proc.err()).toBe(1);
    expect(proc.err()).toContain("No chat platform is configured");
    expect(proc.err()).toContain("DISCORD_TOKEN");
    expect(proc.err()).toContain("OPENAI_API_KEY is required");
    expect(proc.err()).toContain('SALON_ROLES has an unknown role "wrker": use each one of gateway, worker, scheduler');
    expect(existsSync(path.join(dir, "data"))).toBe(false);
    expect(proc.err().match(/configuration has \d+ problems/g)).toHaveLength(1);
  });

  it("creates the data folder, migrates, serves /healthz once Discord is ready, and exits cleanly on SIGTERM", async () => {
    const discord = await FakeDiscord.start({ botToken: TOKEN });
    const openai = await FakeOpenAI.start();
    cleanup.push(() => discord.close(), () => openai.close());
    const cwd = await tempDir();
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const proc = startProcess(
      {
        DISCORD_TOKEN: TOKEN,
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_API_URL: discord.apiUrl,
        OPENAI_API_KEY: openai.apiKey,
        OPENAI_BASE_URL: openai.baseURL,
        PORT: String(port),
      },
      cwd,
    );
    cleanup.push(async () => proc.child.kill("SIGKILL"));
    const health = await expect
      .poll(async () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json()).catch(() => null), { timeout: 20_000, interval: 100, message: `${proc.out()}\n${proc.err()}` })
      .toMatchObject({ status: "ok", platforms: { discord: { ready: true } } });
    void health;
    expect(existsSync(path.join(cwd, "data", "salon.db"))).toBe(true);
    // No USER_HASH_SALT: this installation's own random salt, kept beside its data.
    expect(readFileSync(path.join(cwd, "data", "user-hash-salt"), "utf8")).toMatch(/^[0-9a-f]{64}\n$/);
    const lines = proc.out().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
    expect(lines.some((l) => l.msg === "applied database migrations")).toBe(true);
    expect(proc.out()).not.toContain(TOKEN);
    expect(proc.out()).not.toContain(openai.apiKey);

    const stoppedAt = Date.now();
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(proc.out()).toContain("salon stopped");
  });
});
