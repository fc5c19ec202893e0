/**
 * Salon's configuration: one zod schema over the environment, read once by the composition root. This is the only
 * module that looks at `process.env`; everything else receives a {@link Config}.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { z } from "zod";
import { AppError } from "../core/errors.js";
import { LOG_LEVELS, type Config } from "./config-types.js";
import { checkShards, discordShardCount, discordShardIds } from "./discord-shards.js";
import { checkImageStore, imageStoreConfig, imageStoreVariables } from "./image-store-config.js";
import { rolesVariable } from "./roles.js";
import { checkSlackOAuth, SLACK_OAUTH_VARIABLES, slackOAuthConfig, slackOAuthVariables } from "./slack-oauth-config.js";
import { textModelOf, textModelVariables } from "./text-model-config.js";
import { httpUrl, integer } from "./value-schemas.js";

export { LOG_LEVELS, type Config, type DiscordConfig, type LogLevel, type OpenAIConfig, type SlackConfig } from "./config-types.js";
export type { DiscordShards } from "./discord-shards.js";
export { parseBucketUrl, type ImageStoreConfig } from "./image-store-config.js";
export { ROLES, type Role } from "./roles.js";
export type { SlackOAuthConfig } from "./slack-oauth-config.js";

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
  ...textModelVariables,
  IMAGE_RATE_PER_MINUTE: z
    .string()
    .regex(/^\d+$/, { error: (issue) => `IMAGE_RATE_PER_MINUTE must be a whole number of image requests per minute from 1 to 100000, shared by every process, or unset for no limit; not "${String(issue.input)}"` })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100_000, { error: (issue) => `IMAGE_RATE_PER_MINUTE must be from 1 to 100000 image requests per minute, or unset for no limit; not ${String(issue.input)}` })
    .optional(),
  IMAGE_RATE_WINDOW_SECONDS: integer("IMAGE_RATE_WINDOW_SECONDS", 1, 3600, 60, " seconds"),
  PREVIEW_IMAGES: integer("PREVIEW_IMAGES", 0, 2, 1, " partial images per creation"),
  DATABASE_URL: z.string()
    .refine(
      (url) => /^file:.+/.test(url) || /^postgres(ql)?:\/\/[^/]/i.test(url),
      "DATABASE_URL must be a SQLite file URL (file:./data/salon.db relative, file:/var/lib/salon/salon.db absolute) or a PostgreSQL URL (postgresql://role:password@host:5432/database, or postgres://…)",
    )
    .default("file:./data/salon.db"),
  DATABASE_POOL_SIZE: integer("DATABASE_POOL_SIZE", 1, 100, 10, " connections"),
  DATA_DIR: z.string().default("./data"),
  ...imageStoreVariables,
  PORT: integer("PORT", 0, 65_535, 3000),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: (issue) => `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (default info), not "${String(issue.input)}"` })
    .default("info"),
  GENERATION_CONCURRENCY: integer("GENERATION_CONCURRENCY", 1, 32, 2),
  RECONCILE_DAYS: integer("RECONCILE_DAYS", 0, 90, 7, " days"),
  RECONCILE_EVERY_MINUTES: integer("RECONCILE_EVERY_MINUTES", 0, 1440, 60, " minutes"),
  PRICES_FILE: z.string().optional(),
  REMIX_MAX_DEPTH: integer("REMIX_MAX_DEPTH", 0, 1000, 10, " remixes"),
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
  checkImageStore(v, problem);
};

function toConfig(v: Variables): Config {
  const config: Config = {
    openai: {
      apiKey: v.OPENAI_API_KEY ?? "",
      ...(v.OPENAI_BASE_URL ? { baseUrl: v.OPENAI_BASE_URL } : {}),
      imageModel: v.IMAGE_MODEL,
      ...(textModelOf(v) ? { textModel: textModelOf(v) } : {}),
      timeoutMs: v.OPENAI_TIMEOUT_MS,
      previewImages: v.PREVIEW_IMAGES as 0 | 1 | 2,
      ...(v.IMAGE_RATE_PER_MINUTE ? { imageRate: { limit: v.IMAGE_RATE_PER_MINUTE, windowMs: v.IMAGE_RATE_WINDOW_SECONDS * 1000 } } : {}),
    },
    database: { url: v.DATABASE_URL, poolSize: v.DATABASE_POOL_SIZE },
    dataDir: v.DATA_DIR,
    ...(v.IMAGE_STORE_URL ? { imageStore: imageStoreConfig({ ...v, IMAGE_STORE_URL: v.IMAGE_STORE_URL }) } : {}),
    port: v.PORT,
    logLevel: v.LOG_LEVEL,
    generationConcurrency: v.GENERATION_CONCURRENCY,
    reconcileDays: v.RECONCILE_DAYS,
    reconcileEveryMinutes: v.RECONCILE_EVERY_MINUTES,
    userHashSalt: v.USER_HASH_SALT,
    roles: v.SALON_ROLES,
    queueDegradedSeconds: v.QUEUE_DEGRADED_SECONDS,
    ...(v.PRICES_FILE ? { pricesFile: v.PRICES_FILE } : {}),
    remixMaxDepth: v.REMIX_MAX_DEPTH,
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
