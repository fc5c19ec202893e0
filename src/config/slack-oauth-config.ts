/**
 * The configuration of multi-workspace Slack (Slack's OAuth install flow): its variables, the rules between them and
 * single-workspace Slack, and the token keys' format.
 */
import { z } from "zod";

/** Slack's OAuth install flow (`/slack/install`, `/slack/oauth_redirect`), for one deployment serving many workspaces. */
export interface SlackOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth `state` (Bolt's state store). */
  stateSecret: string;
  /** Seals the bot tokens at rest (AES-256-GCM): 32 bytes. */
  tokenKey: Buffer;
  /** Keys that only open tokens sealed before a rotation. */
  previousTokenKeys: Buffer[];
}

const WHERE_OAUTH = {
  slackClient: "api.slack.com/apps → your app → Basic Information → App Credentials → Client ID and Client Secret",
  slackStateSecret: "any random value of at least 32 characters, e.g. `openssl rand -hex 32`, the same on every process",
  slackTokenKey: "32 random bytes in base64 or hex, e.g. `openssl rand -base64 32`, the same on every process",
};

/** 32 bytes given as base64 (or base64url) or as 64 hex digits; null when it is neither. */
function tokenKeyBytes(value: string): Buffer | null {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, "hex");
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return null;
  const bytes = Buffer.from(value, "base64");
  return bytes.length === 32 ? bytes : null;
}

const tokenKeys = (name: string) =>
  z.string()
    .transform((list) => list.split(",").map((k) => k.trim()).filter((k) => k.length > 0))
    .refine((keys) => keys.every((k) => tokenKeyBytes(k) !== null), `${name} must be 32 random bytes in base64 (44 characters) or hex (64 digits), e.g. \`openssl rand -base64 32\`${name.endsWith("PREVIOUS") ? ", separated by commas" : ""}; the value is not shown here`)
    .transform((keys) => keys.map((k) => tokenKeyBytes(k)!));

/** The OAuth variables, spread into the config schema. */
export const slackOAuthVariables = {
  SLACK_CLIENT_ID: z.string().regex(/^\d+\.\d+$/, `SLACK_CLIENT_ID must be the app's Client ID, digits with a dot (${WHERE_OAUTH.slackClient})`).optional(),
  SLACK_CLIENT_SECRET: z.string().optional(),
  SLACK_STATE_SECRET: z.string().min(32, "SLACK_STATE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)").optional(),
  SLACK_TOKEN_KEY: tokenKeys("SLACK_TOKEN_KEY")
    .refine((keys) => keys.length === 1, "SLACK_TOKEN_KEY must be one key; older keys go into SLACK_TOKEN_KEY_PREVIOUS")
    .optional(),
  SLACK_TOKEN_KEY_PREVIOUS: tokenKeys("SLACK_TOKEN_KEY_PREVIOUS").optional(),
};

/** The values the rules below read (blank ones are already `undefined`). */
type OAuthValues = Partial<{ [K in keyof typeof slackOAuthVariables]: z.output<(typeof slackOAuthVariables)[K]> }> & {
  SLACK_SIGNING_SECRET?: string | undefined;
  SLACK_BOT_TOKEN?: string | undefined;
  SLACK_APP_TOKEN?: string | undefined;
};

/** The variables of multi-workspace Slack (the OAuth install flow). */
export const SLACK_OAUTH_VARIABLES = ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET", "SLACK_TOKEN_KEY", "SLACK_TOKEN_KEY_PREVIOUS"] as const;

/** Multi-workspace Slack: every OAuth variable, the signing secret, HTTP mode, and no single bot token. */
export function checkSlackOAuth(v: OAuthValues, problem: (message: string) => void, signingSecretWhere: string): void {
  const because = SLACK_OAUTH_VARIABLES.find((name) => v[name] !== undefined)!;
  const needed: Array<[keyof OAuthValues, string]> = [
    ["SLACK_CLIENT_ID", WHERE_OAUTH.slackClient],
    ["SLACK_CLIENT_SECRET", WHERE_OAUTH.slackClient],
    ["SLACK_STATE_SECRET", WHERE_OAUTH.slackStateSecret],
    ["SLACK_TOKEN_KEY", WHERE_OAUTH.slackTokenKey],
    ["SLACK_SIGNING_SECRET", signingSecretWhere],
  ];
  for (const [name, where] of needed) if (v[name] === undefined) problem(`${name} is required for Slack's OAuth install flow (many workspaces) when ${because} is set (${where})`);
  if (v.SLACK_BOT_TOKEN !== undefined) {
    problem("SLACK_BOT_TOKEN and SLACK_CLIENT_ID… are two modes: keep SLACK_BOT_TOKEN for one workspace, or the OAuth variables for many (each workspace's token then comes from its install); unset the other");
  }
  if (v.SLACK_APP_TOKEN !== undefined) {
    problem("Slack's OAuth install flow needs HTTP mode (browsers reach /slack/install and /slack/oauth_redirect on PORT, and Slack the events at /slack/events): unset SLACK_APP_TOKEN, or use SLACK_BOT_TOKEN for one workspace over Socket Mode");
  }
}

/** The OAuth configuration, when every OAuth variable is there. */
export function slackOAuthConfig(v: OAuthValues): SlackOAuthConfig | undefined {
  if (!v.SLACK_CLIENT_ID || !v.SLACK_CLIENT_SECRET || !v.SLACK_STATE_SECRET || !v.SLACK_TOKEN_KEY) return undefined;
  return {
    clientId: v.SLACK_CLIENT_ID,
    clientSecret: v.SLACK_CLIENT_SECRET,
    stateSecret: v.SLACK_STATE_SECRET,
    tokenKey: v.SLACK_TOKEN_KEY[0]!,
    previousTokenKeys: v.SLACK_TOKEN_KEY_PREVIOUS ?? [],
  };
}
