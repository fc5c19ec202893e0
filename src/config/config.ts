/**
 * Salon's configuration: one zod schema over the environment, read once by the composition root. This is the only
 * module that looks at `process.env`; everything else receives a {@link Config}.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { z } from "zod";
import { checkSlackOAuth, SLACK_OAUTH_VARIABLES, slackOAuthConfig, slackOAuthVariables, type SlackOAuthConfig } from "./slack-oauth-config.js";
export type { SlackOAuthConfig } from "./slack-oauth-config.js";
import { AppError } from "../core/errors.js";
import { rolesVariable, type Role } from "./roles.js";
import { checkShards, discordShardCount, discordShardIds, type DiscordShards } from "./discord-shards.js";

export { ROLES, type Role } from "./roles.js";
export type { DiscordShards } from "./discord-shards.js";

/** pino's level names. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Discord is enabled when this is present. */
export interface DiscordConfig {
  /** Bot token (Developer Portal → Bot), sent as `Authorization: Bot …`. */
  token: string;
  /** Application id (a snowflake), used to register and route slash commands. */
  applicationId: string;
  /** REST base without a trailing slash, e.g. `https://discord.com/api` or a REST proxy; the gateway URL comes from it. */
  apiUrl: string;
  /** When set, `npm run commands:deploy` registers guild commands in this guild (instant, for development) instead of global ones. */
  devGuildId?: string;
  /**
   * The gateway shards this process runs (`ids`) out of `count` across every process. Absent: every shard, as many
   * as Discord recommends (`GET /gateway/bot`).
   */
  shards?: DiscordShards;
}


/** Slack is enabled when this is present. */
export interface SlackConfig {
  /** Single-workspace mode: the Bot User OAuth Token (`xoxb-…`). Absent in multi-workspace (OAuth) mode. */
  botToken?: string;
  /** Multi-workspace mode: Slack's OAuth install flow; absent in single-workspace mode. */
  oauth?: SlackOAuthConfig;
  /** Verifies that HTTP requests come from Slack. */
  signingSecret: string;
  /** App-level token (`xapp-…`); when present Slack is reached over Socket Mode. */
  appToken?: string;
  /** `socket` when an app token is set, otherwise `http` (events arrive on {@link Config.port}). */
  mode: "socket" | "http";
  /** Web API base with a trailing slash, e.g. `https://slack.com/api/` (GovSlack: `https://slack-gov.com/api/`). */
  apiUrl: string;
  /** Users who are Salon admins in addition to workspace admins and owners. */
  adminUserIds: string[];
}

export interface OpenAIConfig {
  apiKey: string;
  /** Absent means the SDK's default (OpenAI's own API). */
  baseUrl?: string;
  imageModel: string;
  /** Per-request timeout of the image and moderation calls. */
  timeoutMs: number;
  /** Image requests allowed per window across every process on the database; none when absent. */
  imageRate?: { limit: number; windowMs: number };
}

/**
 * An S3-compatible bucket for the images (`IMAGE_STORE_URL=s3://bucket/prefix`). Credentials are the AWS SDK's
 * default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, a role), read by the SDK itself.
 */
export interface ImageStoreConfig {
  bucket: string;
  /** Key prefix without slashes at either end; "" for the bucket's root. */
  prefix: string;
  /** `AWS_REGION`; with an endpoint and no region, `us-east-1` (what S3-compatible stores expect). */
  region?: string;
  /** An S3-compatible store's URL (`IMAGE_STORE_ENDPOINT`); absent: AWS S3 (or the SDK's AWS_ENDPOINT_URL_S3). */
  endpoint?: string;
  /** Path-style addressing (`IMAGE_STORE_PATH_STYLE`; default on with an endpoint, off for AWS). */
  forcePathStyle: boolean;
}

/** The validated configuration. At least one of `discord` and `slack` is present. */
export interface Config {
  discord?: DiscordConfig;
  slack?: SlackConfig;
  openai: OpenAIConfig;
  database: {
    /**
     * A SQLite URL (`file:./relative.db` or `file:/absolute.db`) or a PostgreSQL one
     * (`postgresql://role:password@host:5432/database`, or `postgres://…`).
     */
    url: string;
    /** The most connections Salon opens to PostgreSQL at once (unused with SQLite). */
    poolSize: number;
  };
  /** Where images and other files live; created at start when missing. */
  dataDir: string;
  /** Images in a bucket. Absent: in the database on PostgreSQL (every host reads them), as files in `dataDir` on SQLite. */
  imageStore?: ImageStoreConfig;
  /** Port of `GET /healthz` and of Slack's HTTP events; 0 picks a free port. */
  port: number;
  logLevel: LogLevel;
  /** Images generated at the same time. */
  generationConcurrency: number;
  /** Days of gallery posts whose likes are re-read from the platform at start-up and on `/salon recount`; 0 turns it off. */
  reconcileDays: number;
  /** Minutes between periodic re-reads of those likes (each community at its own moment of the period); 0: none. */
  reconcileEveryMinutes: number;
  /** A JSON price table that overrides the built-in one (see `loadPriceTable`). */
  pricesFile?: string;
  /** Salt of the hashed member id sent to OpenAI as `user`. */
  /** Unset: a random salt kept in the data folder (`src/runtime/user-hash-salt.ts`). */
  userHashSalt?: string | undefined;
  /** What this process runs, each role once, in {@link ROLES} order. */
  roles: Role[];
  /** `/healthz` says `degraded` when the oldest queued creation is older than this (0: never). */
  queueDegradedSeconds: number;
}

/** Every configuration problem found, listed in one message, each with how to fix it. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super("config", formatProblems(problems));
    this.name = "ConfigError";
  }
}

function formatProblems(problems: string[]): string {
  const heading = problems.length === 1 ? "Salon's configuration has 1 problem:" : `Salon's configuration has ${problems.length} problems:`;
  return [heading, ...problems.map((p) => `  - ${p}`), "Set these environment variables (see .env.example) and start again."].join("\n");
}

// Where each value is found, so that every message says how to fix it.
const WHERE = {
  discordToken: "Discord Developer Portal → your app → Bot → Reset Token",
  discordAppId: "Discord Developer Portal → your app → General Information → Application ID",
  slackBotToken: "api.slack.com/apps → your app → OAuth & Permissions → Bot User OAuth Token, starts with xoxb-",
  slackSigningSecret: "api.slack.com/apps → your app → Basic Information → App Credentials → Signing Secret",
  slackAppToken: "api.slack.com/apps → your app → Basic Information → App-Level Tokens, scope connections:write, starts with xapp-",
  openaiKey: "platform.openai.com → API keys",
} as const;

const SNOWFLAKE = /^\d{17,20}$/;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

const httpUrl = (name: string, example: string) =>
  z.string().refine(
    (value) => URL.canParse(value) && ["http:", "https:"].includes(new URL(value).protocol),
    // The value is not echoed: a URL may carry credentials.
    `${name} is not a valid http(s) URL; use a full URL such as ${example}`,
  );

const integer = (name: string, min: number, max: number, fallback: number, unit = "") => {
  const expected = `${name} must be a whole number from ${min} to ${max}${unit} (default ${fallback})`;
  return z
    .string()
    .regex(/^-?\d+$/, { error: (issue) => `${expected}, not "${String(issue.input)}"` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: (issue) => `${expected}, not ${String(issue.input)}` })
    .default(fallback);
};

const discordToken = z
  .string()
  .refine((t) => !/^bot\s/i.test(t), `DISCORD_TOKEN must be the bare token, without the "Bot " prefix (${WHERE.discordToken})`)
  .refine((t) => /^bot\s/i.test(t) || /^[\w-]+\.[\w-]+\.[\w-]+$/.test(t), `DISCORD_TOKEN does not look like a bot token (three dot-separated parts); the OAuth2 client secret is not the bot token (${WHERE.discordToken})`);

/** One entry per environment variable Salon reads. Blank values arrive here as `undefined`. */
const variables = z.object({
  DISCORD_TOKEN: discordToken.optional(),
  DISCORD_APPLICATION_ID: z.string()
    .regex(SNOWFLAKE, `DISCORD_APPLICATION_ID must be a numeric id of 17 to 20 digits (${WHERE.discordAppId})`)
    .optional(),
  DISCORD_API_URL: httpUrl("DISCORD_API_URL", "https://discord.com/api").default("https://discord.com/api"),
  DISCORD_DEV_GUILD_ID: z.string()
    .regex(SNOWFLAKE, "DISCORD_DEV_GUILD_ID must be a numeric server id of 17 to 20 digits (Discord → User Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID), or unset for global commands")
    .optional(),
  DISCORD_SHARDS: discordShardIds,
  DISCORD_SHARD_COUNT: discordShardCount,
  SLACK_BOT_TOKEN: z.string()
    .startsWith("xoxb-", `SLACK_BOT_TOKEN must be the bot token (${WHERE.slackBotToken})`)
    .optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string()
    .startsWith("xapp-", `SLACK_APP_TOKEN must be an app-level token (${WHERE.slackAppToken}); unset it to receive events over HTTP instead`)
    .optional(),
  ...slackOAuthVariables,
  SLACK_API_URL: httpUrl("SLACK_API_URL", "https://slack.com/api/").default("https://slack.com/api/"),
  SLACK_ADMIN_USERS: z.string()
    .transform((list) => list.split(",").map((id) => id.trim()).filter((id) => id.length > 0))
    .refine((ids) => ids.every((id) => SLACK_USER_ID.test(id)), "SLACK_ADMIN_USERS must be Slack user ids separated by commas, e.g. U012ABCDEF,U034GHIJKL (Slack → a member's profile → ⋮ → Copy member ID)")
    .optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: httpUrl("OPENAI_BASE_URL", "https://api.openai.com/v1").optional(),
  OPENAI_TIMEOUT_MS: integer("OPENAI_TIMEOUT_MS", 1_000, 600_000, 120_000, " milliseconds"),
  IMAGE_MODEL: z.string().default("gpt-image-2"),
  IMAGE_RATE_PER_MINUTE: z
    .string()
    .regex(/^\d+$/, { error: (issue) => `IMAGE_RATE_PER_MINUTE must be a whole number of image requests per minute from 1 to 100000, shared by every process, or unset for no limit; not "${String(issue.input)}"` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100_000, { error: (issue) => `IMAGE_RATE_PER_MINUTE must be from 1 to 100000 image requests per minute, or unset for no limit; not ${String(issue.input)}` })
    .optional(),
  IMAGE_RATE_WINDOW_SECONDS: integer("IMAGE_RATE_WINDOW_SECONDS", 1, 3600, 60, " seconds"),
  DATABASE_URL: z.string()
    .refine(
      (url) => /^file:.+/.test(url) || /^postgres(ql)?:\/\/[^/]/i.test(url),
      "DATABASE_URL must be a SQLite file URL (file:./data/salon.db relative, file:/var/lib/salon/salon.db absolute) or a PostgreSQL URL (postgresql://role:password@host:5432/database, or postgres://…)",
    )
    .default("file:./data/salon.db"),
  DATABASE_POOL_SIZE: integer("DATABASE_POOL_SIZE", 1, 100, 10, " connections"),
  DATA_DIR: z.string().default("./data"),
  IMAGE_STORE_URL: z.string()
    .refine((url) => parseBucketUrl(url) !== null, "IMAGE_STORE_URL must be s3://bucket/prefix (e.g. s3://salon-images/prod): a bucket name of 3 to 63 lowercase letters, digits, dots and hyphens, then an optional key prefix, with no query or credentials; unset it to keep the images in the database (PostgreSQL) or in DATA_DIR (SQLite)")
    .optional(),
  IMAGE_STORE_ENDPOINT: httpUrl("IMAGE_STORE_ENDPOINT", "http://minio.internal:9000").optional(),
  IMAGE_STORE_PATH_STYLE: z.enum(["true", "false"], { error: "IMAGE_STORE_PATH_STYLE must be true or false (default true with IMAGE_STORE_ENDPOINT, false for AWS S3)" }).optional(),
  AWS_REGION: z.string().regex(/^[a-z0-9-]+$/, "AWS_REGION must be a region name such as eu-west-3 (the bucket's region)").optional(),
  PORT: integer("PORT", 0, 65_535, 3000),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: (issue) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (default info), not "${String(issue.input)}"` })
    .default("info"),
  GENERATION_CONCURRENCY: integer("GENERATION_CONCURRENCY", 1, 32, 2),
  RECONCILE_DAYS: integer("RECONCILE_DAYS", 0, 90, 7, " days"),
  RECONCILE_EVERY_MINUTES: integer("RECONCILE_EVERY_MINUTES", 0, 1440, 60, " minutes"),
  PRICES_FILE: z.string().optional(),
  SALON_ROLES: rolesVariable,
  QUEUE_DEGRADED_SECONDS: integer("QUEUE_DEGRADED_SECONDS", 0, 86_400, 600, " seconds"),
  USER_HASH_SALT: z
    .string()
    .min(16, "USER_HASH_SALT must be a random value of at least 16 characters (e.g. `openssl rand -hex 32`), or unset for a random salt kept in DATA_DIR")
    .optional(),
});

/** The names of every environment variable Salon reads, in schema order. */
export const CONFIG_VARIABLES = Object.keys(variables.shape) as (keyof typeof variables.shape)[];

type Variables = z.output<typeof variables>;

/** Values are trimmed and blank ones become `undefined`, so `FOO=` in a `.env` file means "unset". */
function blankToUnset(env: unknown): Record<string, string | undefined> {
  const input = (env ?? {}) as Record<string, unknown>;
  const cleaned: Record<string, string | undefined> = {};
  for (const name of CONFIG_VARIABLES) {
    const value = input[name];
    const trimmed = typeof value === "string" ? value.trim() : undefined;
    cleaned[name] = trimmed === "" ? undefined : trimmed;
  }
  return cleaned;
}

/** What the caller needs: `npm start` needs OpenAI, `commands:deploy` only Discord. */
export interface ConfigNeeds {
  openai: boolean;
}

/** Rules across variables; they run even when single variables failed, so every problem is reported at once. */
const checkCombinations = (needs: ConfigNeeds) => (v: Partial<Variables>, ctx: z.RefinementCtx): void => {
  const problem = (message: string) => ctx.addIssue({ code: "custom", message });
  const discordAny = v.DISCORD_TOKEN !== undefined || v.DISCORD_APPLICATION_ID !== undefined;
  const oauthAny = SLACK_OAUTH_VARIABLES.some((name) => v[name] !== undefined);
  const slackAny = v.SLACK_BOT_TOKEN !== undefined || v.SLACK_SIGNING_SECRET !== undefined || v.SLACK_APP_TOKEN !== undefined || oauthAny;

  if (!discordAny && !slackAny) {
    problem(
      "No chat platform is configured. For Discord set DISCORD_TOKEN " +
        `(${WHERE.discordToken}) and DISCORD_APPLICATION_ID (${WHERE.discordAppId}); ` +
        `for Slack set SLACK_BOT_TOKEN (${WHERE.slackBotToken}) and SLACK_SIGNING_SECRET (${WHERE.slackSigningSecret}), ` +
        "or, for many workspaces, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_TOKEN_KEY and SLACK_SIGNING_SECRET; or both platforms",
    );
  }
  if (discordAny) {
    if (v.DISCORD_TOKEN === undefined) problem(`DISCORD_TOKEN is required when DISCORD_APPLICATION_ID is set (${WHERE.discordToken})`);
    if (v.DISCORD_APPLICATION_ID === undefined) problem(`DISCORD_APPLICATION_ID is required when DISCORD_TOKEN is set (${WHERE.discordAppId})`);
  }
  // A variable that failed its own check arrives here unparsed: its message is already out.
  if (Array.isArray(v.DISCORD_SHARDS) && (v.DISCORD_SHARD_COUNT === undefined || typeof v.DISCORD_SHARD_COUNT === "number")) {
    checkShards(v.DISCORD_SHARDS, v.DISCORD_SHARD_COUNT, problem);
  }
  if (slackAny && oauthAny) checkSlackOAuth(v, problem, WHERE.slackSigningSecret);
  else if (slackAny) {
    const because = v.SLACK_BOT_TOKEN !== undefined ? "SLACK_BOT_TOKEN" : v.SLACK_SIGNING_SECRET !== undefined ? "SLACK_SIGNING_SECRET" : "SLACK_APP_TOKEN";
    if (v.SLACK_BOT_TOKEN === undefined) problem(`SLACK_BOT_TOKEN is required when ${because} is set (${WHERE.slackBotToken}); or, for many workspaces, set SLACK_CLIENT_ID and the other OAuth variables instead`);
    if (v.SLACK_SIGNING_SECRET === undefined) problem(`SLACK_SIGNING_SECRET is required when ${because} is set (${WHERE.slackSigningSecret})`);
  }
  if (needs.openai && v.OPENAI_API_KEY === undefined) problem(`OPENAI_API_KEY is required (${WHERE.openaiKey})`);
  if (v.IMAGE_STORE_URL === undefined) {
    for (const name of ["IMAGE_STORE_ENDPOINT", "IMAGE_STORE_PATH_STYLE"] as const) {
      if (v[name] !== undefined) problem(`${name} is set but IMAGE_STORE_URL is not: set IMAGE_STORE_URL=s3://bucket/prefix to keep the images in that bucket, or unset ${name}`);
    }
  }
};

function toConfig(v: Variables): Config {
  const config: Config = {
    openai: {
      apiKey: v.OPENAI_API_KEY ?? "",
      ...(v.OPENAI_BASE_URL ? { baseUrl: v.OPENAI_BASE_URL } : {}),
      imageModel: v.IMAGE_MODEL,
      timeoutMs: v.OPENAI_TIMEOUT_MS,
      ...(v.IMAGE_RATE_PER_MINUTE ? { imageRate: { limit: v.IMAGE_RATE_PER_MINUTE, windowMs: v.IMAGE_RATE_WINDOW_SECONDS * 1000 } } : {}),
    },
    database: { url: v.DATABASE_URL, poolSize: v.DATABASE_POOL_SIZE },
    dataDir: v.DATA_DIR,
    ...(v.IMAGE_STORE_URL ? { imageStore: imageStoreConfig(v) } : {}),
    port: v.PORT,
    logLevel: v.LOG_LEVEL,
    generationConcurrency: v.GENERATION_CONCURRENCY,
    reconcileDays: v.RECONCILE_DAYS,
    reconcileEveryMinutes: v.RECONCILE_EVERY_MINUTES,
    userHashSalt: v.USER_HASH_SALT,
    roles: v.SALON_ROLES,
    queueDegradedSeconds: v.QUEUE_DEGRADED_SECONDS,
    ...(v.PRICES_FILE ? { pricesFile: v.PRICES_FILE } : {}),
  };
  if (v.DISCORD_TOKEN && v.DISCORD_APPLICATION_ID) {
    config.discord = {
      token: v.DISCORD_TOKEN,
      applicationId: v.DISCORD_APPLICATION_ID,
      apiUrl: v.DISCORD_API_URL.replace(/\/+$/, ""),
      ...(v.DISCORD_DEV_GUILD_ID ? { devGuildId: v.DISCORD_DEV_GUILD_ID } : {}),
      ...(v.DISCORD_SHARD_COUNT === undefined
        ? {}
        : { shards: { ids: v.DISCORD_SHARDS ?? Array.from({ length: v.DISCORD_SHARD_COUNT }, (_, i) => i), count: v.DISCORD_SHARD_COUNT } }),
    };
  }
  const oauth = slackOAuthConfig(v);
  if ((v.SLACK_BOT_TOKEN || oauth) && v.SLACK_SIGNING_SECRET) {
    config.slack = {
      ...(v.SLACK_BOT_TOKEN ? { botToken: v.SLACK_BOT_TOKEN } : {}),
      ...(oauth ? { oauth } : {}),
      signingSecret: v.SLACK_SIGNING_SECRET,
      ...(v.SLACK_APP_TOKEN ? { appToken: v.SLACK_APP_TOKEN } : {}),
      mode: v.SLACK_APP_TOKEN ? "socket" : "http",
      // Slack's WebClient joins method names onto the base, so it needs exactly one trailing slash.
      apiUrl: `${v.SLACK_API_URL.replace(/\/+$/, "")}/`,
      adminUserIds: v.SLACK_ADMIN_USERS ?? [],
    };
  }
  return config;
}

/** `s3://bucket/some/prefix/` → the bucket and `some/prefix`; null when it is not such a URL. */
export function parseBucketUrl(url: string): { bucket: string; prefix: string } | null {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/([^?#]*))?$/.exec(url);
  if (!match || match[1]!.includes("..")) return null;
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix.split("/").some((part) => part === "." || part === "..") || /\/\//.test(prefix)) return null;
  return { bucket: match[1]!, prefix };
}

function imageStoreConfig(v: Variables): ImageStoreConfig {
  const { bucket, prefix } = parseBucketUrl(v.IMAGE_STORE_URL!)!;
  const region = v.AWS_REGION ?? (v.IMAGE_STORE_ENDPOINT ? "us-east-1" : undefined);
  return {
    bucket,
    prefix,
    ...(region ? { region } : {}),
    ...(v.IMAGE_STORE_ENDPOINT ? { endpoint: v.IMAGE_STORE_ENDPOINT } : {}),
    forcePathStyle: v.IMAGE_STORE_PATH_STYLE ? v.IMAGE_STORE_PATH_STYLE === "true" : v.IMAGE_STORE_ENDPOINT !== undefined,
  };
}

/** The environment schema: blank values unset, each variable checked, then the rules across variables. */
export const configSchemaFor = (needs: ConfigNeeds) =>
  z.preprocess(blankToUnset, variables.superRefine(checkCombinations(needs), { when: () => true })).transform(toConfig);

export const configSchema = configSchemaFor({ openai: true });

/**
 * Reads and validates the configuration. Throws one {@link ConfigError} that lists every problem, each with how to
 * fix it; secret values are never repeated in it.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, needs: ConfigNeeds = { openai: true }): Config {
  const result = configSchemaFor(needs).safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => issue.message));
}

/**
 * The process environment, after loading a `.env` file from the working directory when there is one (values
 * already in the environment win, as with dotenv).
 */
export function readEnvironment(envFile = ".env"): Record<string, string | undefined> {
  if (existsSync(envFile)) {
    const fromFile = parseEnv(readFileSync(envFile, "utf8"));
    for (const [name, value] of Object.entries(fromFile)) if (process.env[name] === undefined) process.env[name] = value;
  }
  return process.env;
}

/** Every secret in the configuration, for the logger to redact wherever it appears. */
export function secretValues(config: Config): string[] {
  const secrets = [
    config.discord?.token,
    config.slack?.botToken,
    config.slack?.signingSecret,
    config.slack?.appToken,
    config.slack?.oauth?.clientSecret,
    config.slack?.oauth?.stateSecret,
    config.openai.apiKey,
    // The salt keeps hashed member ids from being reversed.
    config.userHashSalt,
  ];
  return secrets.filter((s): s is string => typeof s === "string" && s.length > 0);
}
