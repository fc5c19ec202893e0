/**
 * The process's logger: pino writing one JSON object per line to stdout, with every configured secret (and anything
 * shaped like an API key or a bot token) replaced by "[redacted]" wherever it appears in the line — messages,
 * nested fields, error messages, stacks and causes alike.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";
import type { LogLevel } from "../config/config.js";

export const REDACTED = "[redacted]";

export interface LoggerOptions {
  level: LogLevel;
  /** Exact strings never to write, e.g. from `secretValues(config)`. Strings shorter than 4 characters are ignored. */
  secrets: readonly string[];
  /** Where the lines go; stdout (synchronously, so nothing is lost on `process.exit`) when absent. */
  destination?: DestinationStream;
}

// Token shapes redacted even when they are not configured: a member's pasted key, a token echoed back by an API.
const TOKEN_SHAPES: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI keys
  /\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{8,}/g, // Slack bot, user and app-level tokens
  /\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g, // Discord bot tokens
  /\b(Bot|Bearer)\s+[A-Za-z0-9._~+/-]{16,}=*/g, // Authorization header values
];

/** A pino logger (it satisfies the core's `Logger` port) that never writes the given secrets. */
export function createLogger(options: LoggerOptions): PinoLogger {
  const redact = redactor(options.secrets);
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // pino serializes Error objects only under its own `err` key; Salon code also writes `error`.
      serializers: { err: pino.stdSerializers.errWithCause, error: pino.stdSerializers.errWithCause },
      hooks: { streamWrite: redact },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * Replaces each secret, and each token-shaped string, in a serialized log line. Secrets are matched both as they
 * are and as JSON escapes them, so a secret holding a quote or a backslash is still found.
 */
export function redactor(secrets: readonly string[]): (line: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (line) => {
    let result = line;
    for (const form of ordered) {
      if (result.includes(form)) result = result.split(form).join(REDACTED);
    }
    for (const shape of TOKEN_SHAPES) {
      result = result.replace(shape, (match, scheme?: string) => (typeof scheme === "string" ? `${scheme} ${REDACTED}` : REDACTED));
    }
    return result;
  };
}
