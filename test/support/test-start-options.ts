/** What both end-to-end harnesses share: a logger whose JSON lines tests can read, and quick retry settings. */
import { Writable } from "node:stream";
import type { StartOptions } from "../../src/app.js";
import { secretValues, type Config } from "../../src/config/config.js";
import type { Clock } from "../../src/core/ports.js";
import { createLogger } from "../../src/runtime/logger.js";

export interface CapturedStart {
  startOptions: StartOptions;
  logs: Array<Record<string, unknown>>;
  logText(): string;
}

export function testStartOptions(config: Config, options: { clock?: Clock; start?: Partial<StartOptions> }): CapturedStart {
  const logs: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        raw.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = createLogger({ level: "debug", secrets: secretValues(config), destination: sink });
  return {
    logs,
    logText: () => raw.join("\n"),
    startOptions: {
      logger,
      scheduler: false,
      drainMs: 2_000,
      retry: { maxAttempts: 3, retryBaseMs: 20 },
      ...(options.clock ? { clock: options.clock } : {}),
      ...options.start,
    },
  };
}

/** The variables every whole-bot harness sets besides its platform's: loopback OpenAI, its own database and data folder. */
export function botEnvironment(openai: { apiKey: string; baseURL: string }, database: { url: string }, dataDir: string): Record<string, string> {
  return { OPENAI_API_KEY: openai.apiKey, OPENAI_BASE_URL: openai.baseURL, DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "debug", PREVIEW_IMAGES: "0" };
}
