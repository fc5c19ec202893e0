import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import { CONFIG_VARIABLES, ConfigError, loadConfig, secretValues } from "../../src/config/config.js";

const DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789";
const discord = { DISCORD_TOKEN, DISCORD_APPLICATION_ID: "123456789012345678" };
const slack = { SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefabcdef", SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5" };
const openai = { OPENAI_API_KEY: "sk-test-0123456789abcdefghij" };

/** The ConfigError thrown for an environment, or a failure when none is thrown. */
function problemsOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}

describe("loadConfig", () => {
  it("reads a Discord setup and fills in every documented default", () => {
    expect(loadConfig({ ...discord, ...openai })).toEqual({
      discord: { token: DISCORD_TOKEN, applicationId: "123456789012345678", apiUrl: "https://discord.com/api" },
      openai: { apiKey: openai.OPENAI_API_KEY, imageModel: "gpt-image-2", textModel: "gpt-5.6-luna", timeoutMs: 120_000, previewImages: 1 },
      database: { url: "file:./data/salon.db", poolSize: 10 },
      dataDir: "./data",
      port: 3000,
      logLevel: "info",
      generationConcurrency: 2,
      reconcileDays: 7,
      reconcileEveryMinutes: 60,
      roles: ["gateway", "worker", "scheduler"],
      queueDegradedSeconds: 600,
      remixMaxDepth: 10,
    });
  });

  it("reads every optional variable into the nested camelCase config", () => {
    const config = loadConfig({
      ...discord,
      ...slack,
      ...openai,
      DISCORD_API_URL: "http://nirn-proxy:8080/api/",
      DISCORD_DEV_GUILD_ID: "987654321098765432",
      SLACK_APP_TOKEN: "xapp-1-A111-222-abc",
      SLACK_API_URL: "https://slack-gov.com/api",
      SLACK_ADMIN_USERS: " U012ABCDEF, W034GHIJKL ,",
      OPENAI_BASE_URL: "http://127.0.0.1:9999/v1",
      OPENAI_TIMEOUT_MS: "90000",
      IMAGE_MODEL: "gpt-image-1",
      TEXT_MODEL: "gpt-5.4-nano",
      DATABASE_URL: "file:/var/lib/salon/salon.db",
      DATABASE_POOL_SIZE: "25",
      DATA_DIR: "/var/lib/salon",
      PORT: "8080",
      LOG_LEVEL: "debug",
      GENERATION_CONCURRENCY: "4",
      RECONCILE_DAYS: "0",
      RECONCILE_EVERY_MINUTES: "15",
      PRICES_FILE: "/etc/salon/prices.json",
      USER_HASH_SALT: "pepper-and-salt-4f1b9c",
      SALON_ROLES: " Scheduler, worker,,worker ",
      QUEUE_DEGRADED_SECONDS: "0",
      REMIX_MAX_DEPTH: "3",
    });
    expect(config).toEqual({
      discord: { token: DISCORD_TOKEN, applicationId: "123456789012345678", apiUrl: "http://nirn-proxy:8080/api", devGuildId: "987654321098765432" },
      slack: {
        botToken: slack.SLACK_BOT_TOKEN,
        signingSecret: slack.SLACK_SIGNING_SECRET,
        appToken: "xapp-1-A111-222-abc",
        mode: "socket",
        apiUrl: "https://slack-gov.com/api/",
        adminUserIds: ["U012ABCDEF", "W034GHIJKL"],
      },
      openai: { apiKey: openai.OPENAI_API_KEY, baseUrl: "http://127.0.0.1:9999/v1", imageModel: "gpt-image-1", textModel: "gpt-5.4-nano", timeoutMs: 90_000, previewImages: 1 },
      database: { url: "file:/var/lib/salon/salon.db", poolSize: 25 },
      dataDir: "/var/lib/salon",
      port: 8080,
      logLevel: "debug",
      generationConcurrency: 4,
      reconcileDays: 0,
      reconcileEveryMinutes: 15,
      pricesFile: "/etc/salon/prices.json",
      userHashSalt: "pepper-and-salt-4f1b9c",
      roles: ["worker", "scheduler"],
      queueDegradedSeconds: 0,
      remixMaxDepth: 3,
    });
  });

  it("receives Slack events over HTTP when no app-level token is set", () => {
    const config = loadConfig({ ...slack, ...openai });
    expect(config.discord).toBeUndefined();
    expect(config.slack).toEqual({
      botToken: slack.SLACK_BOT_TOKEN,
      signingSecret: slack.SLACK_SIGNING_SECRET,
      mode: "http",
      apiUrl: "https://slack.com/api/",
      adminUserIds: [],
    });
  });

  it("treats empty and whitespace-only values as unset, as a copied .env.example leaves them", () => {
    const config = loadConfig({ ...discord, ...openai, SLACK_BOT_TOKEN: "", SLACK_SIGNING_SECRET: "  ", PORT: "", LOG_LEVEL: "", DATABASE_URL: "" });
    expect(config.slack).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.logLevel).toBe("info");
    expect(config.database.url).toBe("file:./data/salon.db");
  });

  it("ignores environment variables that are not its own", () => {
    expect(() => loadConfig({ ...discord, ...openai, PATH: "/usr/bin", HOME: "/root" })).not.toThrow();
  });

  it("says what to set for each platform when neither is configured", () => {
    const error = problemsOf({ ...openai });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/No chat platform is configured/);
    for (const name of ["DISCORD_TOKEN", "DISCORD_APPLICATION_ID", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]) {
      expect(error.problems[0]).toContain(name);
    }
  });

  it("asks for the missing half of a platform and says where to find it", () => {
    expect(problemsOf({ DISCORD_TOKEN, ...openai }).problems).toEqual([
      "DISCORD_APPLICATION_ID is required when DISCORD_TOKEN is set (Discord Developer Portal → your app → General Information → Application ID)",
    ]);
    expect(problemsOf({ SLACK_SIGNING_SECRET: slack.SLACK_SIGNING_SECRET, ...openai }).problems).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET is set \(.*OAuth & Permissions.*\); or, for many workspaces, set SLACK_CLIENT_ID/),
    ]);
  });

  it("reports a half-configured platform even when the other platform is complete", () => {
    expect(problemsOf({ ...discord, SLACK_BOT_TOKEN: slack.SLACK_BOT_TOKEN, ...openai }).problems).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set/),
    ]);
  });

  it("requires OPENAI_API_KEY", () => {
    expect(problemsOf({ ...discord }).problems).toEqual(["OPENAI_API_KEY is required (platform.openai.com → API keys)"]);
  });

  it("reads the shards of this process out of the total, and every shard when only the total is set", () => {
    expect(loadConfig({ ...discord, ...openai, DISCORD_SHARDS: "1, 3", DISCORD_SHARD_COUNT: "4" }).discord?.shards).toEqual({ ids: [1, 3], count: 4 });
    expect(loadConfig({ ...discord, ...openai, DISCORD_SHARD_COUNT: "2" }).discord?.shards).toEqual({ ids: [0, 1], count: 2 });
    expect(loadConfig({ ...discord, ...openai }).discord?.shards).toBeUndefined();
  });

  it("refuses shard ids outside the count, repeated ones, and DISCORD_SHARDS without DISCORD_SHARD_COUNT", () => {
    expect(problemsOf({ ...discord, ...openai, DISCORD_SHARDS: "0,2,2", DISCORD_SHARD_COUNT: "2" }).problems).toEqual([
      "DISCORD_SHARDS has 2, but shard ids go from 0 to 1 with DISCORD_SHARD_COUNT=2",
      "DISCORD_SHARDS lists 2 more than once; list each shard id once",
    ]);
    expect(problemsOf({ ...discord, ...openai, DISCORD_SHARDS: "0" }).problems).toEqual([expect.stringMatching(/^DISCORD_SHARDS needs DISCORD_SHARD_COUNT, the total number of shards across every process/)]);
    expect(problemsOf({ ...discord, ...openai, DISCORD_SHARDS: "0;1", DISCORD_SHARD_COUNT: "0" }).problems).toEqual([
      expect.stringMatching(/^DISCORD_SHARDS must be the shard ids this process runs, separated by commas/),
      expect.stringMatching(/^DISCORD_SHARD_COUNT must be a whole number from 1 to 65535/),
    ]);
  });

  it("reports every problem at once in one ConfigError, one line each", () => {
    const error = problemsOf({
      DISCORD_TOKEN,
      SLACK_APP_TOKEN: "xoxb-pasted-into-the-wrong-variable",
      DATABASE_URL: "mysql://salon:hunter2@db/salon",
      PORT: "http",
      GENERATION_CONCURRENCY: "64",
      LOG_LEVEL: "verbose",
      DISCORD_API_URL: "discord.com/api",
    });
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("config");
    expect(error.problems.map((p) => p.split(/[ :]/)[0])).toEqual(
      expect.arrayContaining([
        "DISCORD_APPLICATION_ID",
        "SLACK_APP_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DATABASE_URL",
        "PORT",
        "GENERATION_CONCURRENCY",
        "LOG_LEVEL",
        "DISCORD_API_URL",
        "OPENAI_API_KEY",
      ]),
    );
    expect(error.problems).toHaveLength(10);
    expect(error.message.split("\n")).toHaveLength(error.problems.length + 2);
    expect(error.message).toMatch(/^Salon's configuration has 10 problems:\n {2}- /);
  });

  it("accepts PostgreSQL URLs, both schemes, beside SQLite files", () => {
    for (const url of ["postgresql://salon:hunter2@db:5432/salon", "postgres://salon@127.0.0.1/salon?sslmode=require", "file:./data/salon.db"]) {
      expect(loadConfig({ ...discord, ...openai, DATABASE_URL: url }).database).toEqual({ url, poolSize: 10 });
    }
  });

  it("refuses any other DATABASE_URL with a message listing what is accepted, never echoing a password", () => {
    for (const url of ["./data/salon.db", "file:", "mysql://salon:hunter2@db/salon", "postgresql:salon", "sqlite:salon.db"]) {
      const problems = problemsOf({ ...discord, ...openai, DATABASE_URL: url }).problems;
      expect(problems, url).toEqual([expect.stringMatching(/^DATABASE_URL must be a SQLite file URL \(file:\.\/data\/salon\.db.*or a PostgreSQL URL \(postgresql:\/\/.*postgres:\/\//)]);
      expect(problems[0]).not.toContain("hunter2");
    }
  });

  it("bounds DATABASE_POOL_SIZE from 1 to 100 connections", () => {
    expect(loadConfig({ ...discord, ...openai, DATABASE_POOL_SIZE: "100" }).database.poolSize).toBe(100);
    expect(problemsOf({ ...discord, ...openai, DATABASE_POOL_SIZE: "0" }).problems).toEqual(["DATABASE_POOL_SIZE must be a whole number from 1 to 100 connections (default 10), not 0"]);
    expect(problemsOf({ ...discord, ...openai, DATABASE_POOL_SIZE: "many" }).problems).toEqual(['DATABASE_POOL_SIZE must be a whole number from 1 to 100 connections (default 10), not "many"']);
  });

  it("keeps the images in a bucket named by IMAGE_STORE_URL, path-style with an endpoint, in the region given", () => {
    expect(loadConfig({ ...discord, ...openai, IMAGE_STORE_URL: "s3://salon-images/prod/gallery/", AWS_REGION: "eu-west-3" }).imageStore).toEqual({
      bucket: "salon-images", prefix: "prod/gallery", region: "eu-west-3", forcePathStyle: false,
    });
    expect(loadConfig({ ...discord, ...openai, IMAGE_STORE_URL: "s3://media", IMAGE_STORE_ENDPOINT: "http://minio:9000" }).imageStore).toEqual({
      bucket: "media", prefix: "", region: "us-east-1", endpoint: "http://minio:9000", forcePathStyle: true,
    });
    expect(loadConfig({ ...discord, ...openai, IMAGE_STORE_URL: "s3://media/x", IMAGE_STORE_ENDPOINT: "https://r2.example", IMAGE_STORE_PATH_STYLE: "false" }).imageStore?.forcePathStyle).toBe(false);
    expect(loadConfig({ ...discord, ...openai }).imageStore).toBeUndefined();
  });

  it("refuses an IMAGE_STORE_URL that is not s3://bucket/prefix, and bucket settings without one", () => {
    for (const url of ["https://salon-images.s3.amazonaws.com/prod", "s3://Salon_Images/prod", "s3://ab", "s3://salon-images/a/../b", "s3://key:secret@salon-images/p", "s3://salon-images/p?x=1"]) {
      expect(problemsOf({ ...discord, ...openai, IMAGE_STORE_URL: url }).problems, url).toEqual([expect.stringMatching(/^IMAGE_STORE_URL must be s3:\/\/bucket\/prefix/)]);
    }
    expect(problemsOf({ ...discord, ...openai, IMAGE_STORE_URL: "s3://media", IMAGE_STORE_PATH_STYLE: "yes" }).problems).toEqual([expect.stringMatching(/^IMAGE_STORE_PATH_STYLE must be true or false/)]);
    expect(problemsOf({ ...discord, ...openai, IMAGE_STORE_ENDPOINT: "http://minio:9000", IMAGE_STORE_PATH_STYLE: "true" }).problems).toEqual([
      expect.stringMatching(/^IMAGE_STORE_ENDPOINT is set but IMAGE_STORE_URL is not/),
      expect.stringMatching(/^IMAGE_STORE_PATH_STYLE is set but IMAGE_STORE_URL is not/),
    ]);
  });

  it("refuses unknown roles and an empty role list, naming the roles it accepts", () => {
    const accepted = "use each one of gateway, worker, scheduler, separated by commas (default all three)";
    expect(problemsOf({ ...discord, ...openai, SALON_ROLES: "gateway,wrker" }).problems).toEqual([`SALON_ROLES has an unknown role "wrker": ${accepted}`]);
    expect(problemsOf({ ...discord, ...openai, SALON_ROLES: "web, cron" }).problems).toEqual([`SALON_ROLES has unknown roles "web", "cron": ${accepted}`]);
    expect(problemsOf({ ...discord, ...openai, SALON_ROLES: " , " }).problems).toEqual([`SALON_ROLES lists no role: ${accepted}, or unset it for all three`]);
    expect(loadConfig({ ...discord, ...openai, SALON_ROLES: "gateway" }).roles).toEqual(["gateway"]);
  });

  it("reads IMAGE_RATE_PER_MINUTE as one shared limit per 60 s window, none when unset, and refuses anything but 1 to 100000", () => {
    expect(loadConfig({ ...discord, ...openai }).openai.imageRate).toBeUndefined();
    expect(loadConfig({ ...discord, ...openai, IMAGE_RATE_PER_MINUTE: "50" }).openai.imageRate).toEqual({ limit: 50, windowMs: 60_000 });
    expect(loadConfig({ ...discord, ...openai, IMAGE_RATE_PER_MINUTE: "5", IMAGE_RATE_WINDOW_SECONDS: "2" }).openai.imageRate).toEqual({ limit: 5, windowMs: 2_000 });
    expect(problemsOf({ ...discord, ...openai, IMAGE_RATE_PER_MINUTE: "0" }).problems).toEqual(["IMAGE_RATE_PER_MINUTE must be from 1 to 100000 image requests per minute, or unset for no limit; not 0"]);
    expect(problemsOf({ ...discord, ...openai, IMAGE_RATE_PER_MINUTE: "ten" }).problems).toEqual([
      'IMAGE_RATE_PER_MINUTE must be a whole number of image requests per minute from 1 to 100000, shared by every process, or unset for no limit; not "ten"',
    ]);
  });

  it("reads TEXT_MODEL, none when it is off, and refuses an image or moderation model there", () => {
    expect(loadConfig({ ...discord, ...openai, TEXT_MODEL: "gpt-5.4-mini" }).openai.textModel).toBe("gpt-5.4-mini");
    expect(loadConfig({ ...discord, ...openai, TEXT_MODEL: "OFF" }).openai).not.toHaveProperty("textModel");
    expect(problemsOf({ ...discord, ...openai, TEXT_MODEL: "gpt-image-2" }).problems).toEqual([
      'TEXT_MODEL must be a text (GPT) model such as gpt-5.6-luna, not the image, moderation or audio model "gpt-image-2"; set IMAGE_MODEL for images',
    ]);
    expect(problemsOf({ ...discord, ...openai, TEXT_MODEL: "gpt 5" }).problems).toEqual([
      'TEXT_MODEL must be an OpenAI text model id such as gpt-5.6-luna (the default), or off for none; not "gpt 5"',
    ]);
  });

  it("keeps numbers within their ranges", () => {
    const bad = { PORT: "70000", GENERATION_CONCURRENCY: "0", RECONCILE_DAYS: "-1", OPENAI_TIMEOUT_MS: "12.5" };
    expect([...problemsOf({ ...discord, ...openai, ...bad }).problems].sort()).toEqual([
      "GENERATION_CONCURRENCY must be a whole number from 1 to 32 (default 2), not 0",
      'OPENAI_TIMEOUT_MS must be a whole number from 1000 to 600000 milliseconds (default 120000), not "12.5"',
      "PORT must be a whole number from 0 to 65535 (default 3000), not 70000",
      "RECONCILE_DAYS must be a whole number from 0 to 90 days (default 7), not -1",
    ]);
  });

  it("recognises the usual token mix-ups and says how to fix them", () => {
    const { problems } = problemsOf({
      DISCORD_TOKEN: `Bot ${DISCORD_TOKEN}`,
      DISCORD_APPLICATION_ID: "my-app",
      SLACK_BOT_TOKEN: "xapp-1-A111-222-abc",
      SLACK_SIGNING_SECRET: slack.SLACK_SIGNING_SECRET,
      SLACK_ADMIN_USERS: "@alice",
      ...openai,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^DISCORD_TOKEN must be the bare token, without the "Bot " prefix/),
      expect.stringMatching(/^DISCORD_APPLICATION_ID must be a numeric id/),
      expect.stringMatching(/^SLACK_BOT_TOKEN must be the bot token \(.*xoxb-/),
      expect.stringMatching(/^SLACK_ADMIN_USERS must be Slack user ids/),
    ]);
  });

  it("never repeats a secret in its message", () => {
    const secret = "not-a-discord-token-but-secret";
    const error = problemsOf({ DISCORD_TOKEN: secret, DISCORD_APPLICATION_ID: "1", SLACK_BOT_TOKEN: "xoxp-user-token-secret", OPENAI_API_KEY: "sk-x" });
    expect(error.message).toMatch(/DISCORD_TOKEN does not look like a bot token/);
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain("xoxp-user-token-secret");
  });
});

describe("loadConfig: Slack for many workspaces", () => {
  const key = Buffer.alloc(32, 1).toString("base64");
  const oauthEnv = {
    SLACK_CLIENT_ID: "1234567890.0987654321",
    SLACK_CLIENT_SECRET: "client-secret-value",
    SLACK_STATE_SECRET: "s".repeat(32),
    SLACK_TOKEN_KEY: key,
    SLACK_SIGNING_SECRET: "signing-secret-value",
    ...openai,
  };

  it("reads the OAuth variables into slack.oauth, in HTTP mode, with no single bot token", () => {
    const config = loadConfig({ ...oauthEnv, SLACK_TOKEN_KEY_PREVIOUS: `${"ab".repeat(32)}, ${Buffer.alloc(32, 2).toString("base64")}` });
    expect(config.slack).toMatchObject({ mode: "http", oauth: { clientId: "1234567890.0987654321", clientSecret: "client-secret-value" } });
    expect(config.slack?.botToken).toBeUndefined();
    expect(config.slack?.oauth?.tokenKey).toEqual(Buffer.alloc(32, 1));
    expect(config.slack?.oauth?.previousTokenKeys).toEqual([Buffer.alloc(32, 0xab), Buffer.alloc(32, 2)]);
    expect(secretValues(config)).toEqual(expect.arrayContaining(["client-secret-value", "s".repeat(32)]));
  });

  it("asks for every missing OAuth variable, and refuses a key that is not 32 bytes without showing it", () => {
    const error = (() => {
      try {
        loadConfig({ SLACK_CLIENT_ID: "1234567890.0987654321", SLACK_TOKEN_KEY: "c2hvcnQta2V5", ...openai });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("loadConfig accepted it");
    })();
    expect(error.message).toMatch(/SLACK_CLIENT_SECRET is required for Slack's OAuth install flow/);
    expect(error.message).toMatch(/SLACK_STATE_SECRET is required/);
    expect(error.message).toMatch(/SLACK_SIGNING_SECRET is required/);
    expect(error.message).toMatch(/SLACK_TOKEN_KEY must be 32 random bytes in base64 \(44 characters\) or hex \(64 digits\)/);
    expect(error.message).not.toContain("c2hvcnQta2V5");
  });

  it("says the two modes don't mix, and that OAuth needs HTTP mode", () => {
    expect(() => loadConfig({ ...oauthEnv, SLACK_BOT_TOKEN: "xoxb-1-2-3" })).toThrow(/SLACK_BOT_TOKEN and SLACK_CLIENT_ID… are two modes/);
    expect(() => loadConfig({ ...oauthEnv, SLACK_APP_TOKEN: "xapp-1-2-3" })).toThrow(/OAuth install flow needs HTTP mode/);
  });
});

describe("secretValues", () => {
  it("lists every token, key and signing secret, for the logger to redact", () => {
    const config = loadConfig({ ...discord, ...slack, ...openai, SLACK_APP_TOKEN: "xapp-1-A111-222-abc", USER_HASH_SALT: "pepper-and-salt-4f1b9c" });
    expect(secretValues(config).sort()).toEqual(
      [DISCORD_TOKEN, slack.SLACK_BOT_TOKEN, slack.SLACK_SIGNING_SECRET, "xapp-1-A111-222-abc", openai.OPENAI_API_KEY, "pepper-and-salt-4f1b9c"].sort(),
    );
  });

  it("leaves out platforms that are not configured and the built-in salt", () => {
    expect(secretValues(loadConfig({ ...discord, ...openai }))).toEqual([DISCORD_TOKEN, openai.OPENAI_API_KEY]);
  });
});

describe(".env.example", () => {
  const lines = readFileSync(new URL("../../.env.example", import.meta.url), "utf8").split("\n");
  const declared = lines.map((line) => /^(?:#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter((name): name is string => Boolean(name));

  it("lists exactly the variables of the config schema, each once", () => {
    expect([...declared].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it("explains every variable in a comment just above it", () => {
    for (const name of declared) {
      const index = lines.findIndex((line) => new RegExp(`^(#\\s*)?${name}=`).test(line));
      expect(lines[index - 1], `comment above ${name}`).toMatch(/^# \S/);
      expect(lines[index - 1], `comment above ${name}`).not.toMatch(/^#\s*[A-Z][A-Z0-9_]*=/);
    }
  });

  it("shows each default of the schema on its commented-out line", () => {
    const defaults = loadConfig({ ...discord, ...openai });
    const shown = Object.fromEntries(lines.map((line) => /^#\s*([A-Z][A-Z0-9_]*)=(.+)$/.exec(line)).filter((m) => m !== null).map((m) => [m[1], m[2]]));
    expect(shown).toMatchObject({
      DISCORD_API_URL: defaults.discord!.apiUrl,
      SLACK_API_URL: "https://slack.com/api/",
      IMAGE_MODEL: defaults.openai.imageModel,
      TEXT_MODEL: defaults.openai.textModel,
      OPENAI_TIMEOUT_MS: String(defaults.openai.timeoutMs),
      DATABASE_URL: defaults.database.url,
      DATABASE_POOL_SIZE: String(defaults.database.poolSize),
      DATA_DIR: defaults.dataDir,
      PORT: String(defaults.port),
      LOG_LEVEL: defaults.logLevel,
      GENERATION_CONCURRENCY: String(defaults.generationConcurrency),
      RECONCILE_DAYS: String(defaults.reconcileDays),
      RECONCILE_EVERY_MINUTES: String(defaults.reconcileEveryMinutes),
      SALON_ROLES: defaults.roles.join(","),
      QUEUE_DEGRADED_SECONDS: String(defaults.queueDegradedSeconds),
      PREVIEW_IMAGES: String(defaults.openai.previewImages),
      REMIX_MAX_DEPTH: String(defaults.remixMaxDepth),
    });
  });

  it("is accepted as it is once the required values are filled in", () => {
    const env = Object.fromEntries(lines.map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)).filter((m) => m !== null).map((m) => [m[1], m[2]]));
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, ...discord, ...openai })).not.toThrow();
  });
});
