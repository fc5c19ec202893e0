import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports.js";
import { createLogger, REDACTED, redactor } from "../../src/runtime/logger.js";

const DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789";
const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const QUOTED_SECRET = 'pa"ss\\word-42';

/** A logger writing into an array of parsed lines, and the raw text. */
function capture(level: "info" | "debug" | "warn" = "info", secrets = [DISCORD_TOKEN, SIGNING_SECRET, QUOTED_SECRET]) {
  const raw: string[] = [];
  const logger = createLogger({ level, secrets, destination: { write: (line: string) => void raw.push(line) } });
  const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, raw, lines };
}

describe("createLogger", () => {
  it("writes one JSON object per line with the level's name, an ISO time and the message", () => {
    const { logger, raw, lines } = capture();
    logger.info({ eventId: "evt-1" }, "imagine received");
    expect(raw).toHaveLength(1);
    expect(raw[0]!.endsWith("\n")).toBe(true);
    expect(lines()[0]).toMatchObject({ level: "info", msg: "imagine received", eventId: "evt-1" });
    expect(new Date(lines()[0]!.time as string).toISOString()).toBe(lines()[0]!.time);
  });

  it("satisfies the core's Logger port, children included", () => {
    const { logger, lines } = capture();
    const port: Logger = logger;
    port.child({ eventId: "evt-2" }).warn({ communityId: 3 }, "slow");
    expect(lines()[0]).toMatchObject({ level: "warn", eventId: "evt-2", communityId: 3, msg: "slow" });
  });

  it("writes nothing below the configured level", () => {
    const { logger, raw } = capture("warn");
    logger.info({}, "hidden");
    logger.debug({}, "hidden");
    logger.warn({}, "shown");
    expect(raw).toHaveLength(1);
  });

  it("redacts a secret in the message, in nested fields and in child bindings", () => {
    const { logger, raw } = capture();
    logger.child({ auth: `Bot ${DISCORD_TOKEN}` }).info({ request: { headers: { "x-slack-signature": SIGNING_SECRET }, list: [SIGNING_SECRET] } }, `token is ${DISCORD_TOKEN}`);
    const line = raw.join("");
    expect(line).not.toContain(DISCORD_TOKEN);
    expect(line).not.toContain(SIGNING_SECRET);
    expect(JSON.parse(line)).toMatchObject({ msg: `token is ${REDACTED}`, request: { headers: { "x-slack-signature": REDACTED }, list: [REDACTED] } });
  });

  it("redacts secrets inside error messages, stacks and causes, under err or error", () => {
    const { logger, raw, lines } = capture();
    const cause = new Error(`401 for key ${SIGNING_SECRET}`);
    const error = new Error(`request with ${DISCORD_TOKEN} failed`, { cause });
    logger.error({ err: error }, "gateway failed");
    logger.error({ error }, "gateway failed");
    expect(raw.join("")).not.toContain(DISCORD_TOKEN);
    expect(raw.join("")).not.toContain(SIGNING_SECRET);
    for (const line of lines()) {
      const serialized = (line.err ?? line.error) as { message: string; stack: string; cause: { message: string } };
      expect(serialized.message).toBe(`request with ${REDACTED} failed`);
      expect(serialized.stack).toContain(`request with ${REDACTED} failed`);
      expect(serialized.cause.message).toBe(`401 for key ${REDACTED}`);
    }
  });

  it("redacts a secret holding quotes or backslashes, which JSON escapes", () => {
    const { logger, raw, lines } = capture();
    logger.info({ password: QUOTED_SECRET }, `login with ${QUOTED_SECRET}`);
    expect(raw.join("")).not.toContain(JSON.stringify(QUOTED_SECRET).slice(1, -1));
    expect(lines()[0]).toMatchObject({ password: REDACTED, msg: `login with ${REDACTED}` });
  });

  it("redacts key- and token-shaped strings even when they are not configured", () => {
    const { logger, lines } = capture("info", []);
    logger.info(
      { openai: "sk-proj-abcdefghijklmnopqrstuvwx", slack: "xoxb-1111-2222-abcdefabcdef", app: "xapp-1-A111-222-abcdef", header: "Bearer abcdefghijklmnopqrstuvwxyz" },
      `pasted ${DISCORD_TOKEN}`,
    );
    expect(lines()[0]).toMatchObject({ openai: REDACTED, slack: REDACTED, app: REDACTED, header: `Bearer ${REDACTED}`, msg: `pasted ${REDACTED}` });
  });

  it("keeps ordinary text, ids and content hashes as they are", () => {
    const { logger, lines } = capture("info", []);
    const fields = { guildId: "123456789012345678", hash: "a".repeat(64), prompt: "a sketch of a skier", url: "https://discord.com/channels/1/2/3" };
    logger.info(fields, "Bot started");
    expect(lines()[0]).toMatchObject({ ...fields, msg: "Bot started" });
  });
});

describe("redactor", () => {
  it("ignores secrets too short to be real, which would blank out ordinary words", () => {
    expect(redactor(["abc", ""])("abc is fine")).toBe("abc is fine");
  });

  it("replaces a secret that contains another secret whole", () => {
    expect(redactor(["secret", "my-secret-value"])("x my-secret-value y secret")).toBe(`x ${REDACTED} y ${REDACTED}`);
  });
});
