/**
 * The logger the OpenAI adapter writes to: the structured `(fields, message)` shape of pino, so a pino logger (or a
 * child bound to an event) can be passed as it is.
 */
import type { ClientOptions } from "openai";

export interface OpenAILogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

type SdkLogger = NonNullable<ClientOptions["logger"]>;

/** Routes the SDK's own `(message, ...details)` log calls into a structured logger. */
export function toSdkLogger(logger: OpenAILogger): SdkLogger {
  const fieldsOf = (details: unknown[]) => (details.length > 0 ? { source: "openai-sdk", details } : { source: "openai-sdk" });
  return {
    error: (message, ...details) => logger.error(fieldsOf(details), message),
    warn: (message, ...details) => logger.warn(fieldsOf(details), message),
    info: (message, ...details) => logger.debug(fieldsOf(details), message),
    debug: (message, ...details) => logger.debug(fieldsOf(details), message),
  };
}
