/**
 * The shape of Salon's validated configuration ({@link Config}), as `loadConfig` (config.ts) returns it.
 */
import type { DiscordShards } from "./discord-shards.js";
import type { ImageStoreConfig } from "./image-store-config.js";
import type { Role } from "./roles.js";
import type { SlackOAuthConfig } from "./slack-oauth-config.js";

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
  /** TEXT_MODEL: polishes prompts, writes titles and alt text; absent when TEXT_MODEL is `off`. */
  textModel?: string;
  /** Per-request timeout of the image and moderation calls. */
  timeoutMs: number;
  /** Partial images streamed as live previews of each creation (PREVIEW_IMAGES, 0 to 2). */
  previewImages: 0 | 1 | 2;
  /** Image requests allowed per window across every process on the database; none when absent. */
  imageRate?: { limit: number; windowMs: number };
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
  /** How many remixes down from an original a chain may go (REMIX_MAX_DEPTH; 0: no remixes). */
  remixMaxDepth: number;
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
