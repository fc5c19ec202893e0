/**
 * OpenAI faults on the running bot: every case of PRODUCT.md §Creating 7 not covered by test/discord/failures
 * (403, content_policy_violation, a request that never answers), and a configured model that does not exist or is
 * scheduled to shut down, reported at start-up with what to do. The bot keeps running with a bad IMAGE_MODEL: likes,
 * rankings and digests don't need it, and /imagine then fails as "unavailable" with a refund.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { InteractionHandle } from "../support/discord/types.js";
import { addCommunity, command, eventually, imagine, startHarness, storedCommunity, type Community, type Harness, type HarnessOptions } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: HarnessOptions = {}): Promise<{ h: Harness; c: Community }> {
  h = await startHarness(options);
  return { h, c: await addCommunity(h) };
}

async function outcome(handle: InteractionHandle, timeoutMs = 15_000): Promise<string> {
  return (await handle.waitFor((m) => /^(✅|⚠️|Cancelled)/.test(m.content), timeoutMs)).content;
}

async function usedToday(running: Harness, c: Community, userId: string): Promise<number> {
  const stored = await storedCommunity(running.running, c);
  return (await running.running.salon.deps.creations.usage(stored.id, userId, new Date().toISOString().slice(0, 10))).memberToday;
}

const LEVEL = { warn: "warn", error: "error" } as const;

describe("the configured image model", () => {
  it("is reported at start-up when it does not exist, naming it and the models to use instead, and the bot keeps serving", async () => {
    const { h, c } = await start({ env: { IMAGE_MODEL: "gpt-image-9" } });

    const line = await eventually(() => {
      const found = h.logs.find((l) => l.level === LEVEL.error && String(l.msg).startsWith("IMAGE_MODEL problem"));
      if (!found) throw new Error("no IMAGE_MODEL log line yet");
      return found;
    });
    expect(line.msg).toContain("model gpt-image-9 does not exist");
    expect(line.msg).toContain("set IMAGE_MODEL to one this key can use: gpt-image-1, gpt-image-2");
    expect(line).toMatchObject({ model: "gpt-image-9" });

    // Everything else works; /imagine fails cleanly, with a refund.
    expect(await command(h, c, c.members[0]!, "top")).toContain("No liked creations");
    const text = await outcome(imagine(h, c, c.members[0]!, "a model that is not there"));
    expect(text).toContain("unavailable");
    expect(text).toContain("refunded");
    expect(await usedToday(h, c, c.members[0]!.id)).toBe(0);
  });

  it("is reported at start-up when OpenAI has scheduled its shutdown (the model's shutdown_date), as a warning with the date", async () => {
    const { h } = await start({ env: { IMAGE_MODEL: "gpt-image-1" }, openai: { shutdownDates: { "gpt-image-1": "2099-03-01" } } });

    const line = await eventually(() => {
      const found = h.logs.find((l) => String(l.msg).startsWith("IMAGE_MODEL gpt-image-1"));
      if (!found) throw new Error("no shutdown warning yet");
      return found;
    });
    expect(line).toMatchObject({ level: LEVEL.warn, model: "gpt-image-1", shutdownDate: "2099-03-01" });
    expect(line.msg).toContain("is scheduled to shut down on 2099-03-01: set IMAGE_MODEL to its replacement");
  });

  it("is an error at start-up when its shutdown date has passed", async () => {
    const { h } = await start({ env: { IMAGE_MODEL: "gpt-image-1" }, openai: { shutdownDates: { "gpt-image-1": "2020-01-01" } } });

    const line = await eventually(() => {
      const found = h.logs.find((l) => String(l.msg).startsWith("IMAGE_MODEL gpt-image-1"));
      if (!found) throw new Error("no shutdown error yet");
      return found;
    });
    expect(line).toMatchObject({ level: LEVEL.error, shutdownDate: "2020-01-01" });
    expect(line.msg).toContain("was shut down on 2020-01-01");
  });
});

describe("OpenAI faults while creating", () => {
  it("retries an image request that never answers once OPENAI_TIMEOUT_MS has passed, and posts", async () => {
    const { h, c } = await start({ env: { OPENAI_TIMEOUT_MS: "1000" } });
    h.openai.scriptImages({ hang: true });

    const text = await outcome(imagine(h, c, c.members[0]!, "worth the wait"));

    expect(text).toContain("Posted to the gallery");
    expect(h.openai.imageRequests).toHaveLength(2);
    expect(h.openai.imageRequests[1]!.at - h.openai.imageRequests[0]!.at).toBeGreaterThanOrEqual(1_000);
  });

  it("gives up with a refund when every attempt times out", async () => {
    const { h, c } = await start({ env: { OPENAI_TIMEOUT_MS: "1000" } });
    h.openai.scriptImages({ hang: true }, { stall: true }, { hang: true });

    const text = await outcome(imagine(h, c, c.members[0]!, "never coming"));

    expect(text).toContain("kept failing, so I gave up");
    expect(text).toContain("refunded");
    expect(h.openai.imageRequests).toHaveLength(3);
    expect(await usedToday(h, c, c.members[0]!.id)).toBe(0);
  });

  it("reports a 403 (organisation not verified) to the operator's log and tells the member it is unavailable, without retrying", async () => {
    const { h, c } = await start();
    h.openai.scriptImages({ status: 403 });

    const text = await outcome(imagine(h, c, c.members[0]!, "behind a locked door"));

    expect(text).toContain("unavailable");
    expect(text).toContain("refunded");
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(h.logs.some((l) => l.level === LEVEL.error && String(l.msg).includes("operator action needed") && l.status === 403)).toBe(true);
    expect(await usedToday(h, c, c.members[0]!.id)).toBe(0);
  });

  it("does not retry a content_policy_violation and tells the member", async () => {
    const { h, c } = await start();
    h.openai.scriptImages({ status: 400, code: "content_policy_violation" });

    const text = await outcome(imagine(h, c, c.members[0]!, "something refused"));

    expect(text).toContain("safety system refused");
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await usedToday(h, c, c.members[0]!.id)).toBe(0);
  });
});
