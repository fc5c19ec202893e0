/**
 * Images checked before anyone sees them, on Slack: the finished image goes with its prompt to OpenAI's moderation
 * before it is uploaded. A flagged image is held back (never uploaded, refunded, its spend still counted, its file kept
 * 7 days for the operator, then deleted); a moderation outage makes the job wait and check the stored image again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BUILT_IN_PRICES } from "../../src/config/prices.js";
import { usd } from "../../src/core/format.js";
import { priceMicroUsd } from "../../src/core/pricing.js";
import type { Creation } from "../../src/core/types.js";
import { MovableClock } from "../support/movable-clock.js";
import type { FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import { addSlackCommunity, salonText, startSlackHarness, storedSlackCommunity, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";
import { databaseRows } from "../support/test-database.js";

const IMAGE_PRICE = usd(priceMicroUsd(BUILT_IN_PRICES, "gpt-image-2", "medium", "1024x1024"));
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

let h: SlackHarness;
let open: SlackHarness | undefined;
let c: SlackCommunity;
let clock: MovableClock;

async function start(env: Record<string, string> = {}): Promise<void> {
  clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
  h = open = await startSlackHarness({ clock, env });
  c = await addSlackCommunity(h);
}
afterEach(async () => {
  await open?.close();
  open = undefined;
});

function imagine(user: FakeSlackUser, prompt: string): Promise<SlackCommandHandle> {
  return h.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: c.gallery.id });
}

/** The status message's final text once it no longer says queued or generating. */
async function outcome(handle: SlackCommandHandle, timeoutMs = 10_000): Promise<string> {
  return (await handle.waitForResponse((r) => /^(✅|⚠️|Cancelled)/.test(r.text), timeoutMs)).text;
}

async function memberUsedToday(user: FakeSlackUser): Promise<number> {
  const stored = await storedSlackCommunity(h);
  return (await h.running.salon.deps.creations.usage(stored.id, user.id, "2026-11-25")).memberToday;
}

/** The only creation stored. */
async function theCreation(): Promise<Creation> {
  const rows = await databaseRows<{ id: number }>(h.config.database.url, `SELECT "id" FROM "Creation" ORDER BY "id"`);
  expect(rows).toHaveLength(1);
  return (await h.running.salon.deps.creations.getCreation(Number(rows[0]!.id)))!;
}

const galleryPosts = () => h.slack.messages(c.gallery.id).filter((m) => m.files.length > 0);
const uploads = () => h.slack.callsTo("files.completeUploadExternal");

/** Runs the maintenance sweep as its scheduler does, at the clock's time: ten minutes on until a sweep is this one's. */
async function sweep(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if ((await h.running.salon.maintain(0)).pruned) return;
    clock.advance(10 * 60_000);
  }
  throw new Error("the maintenance sweep never ran");
}

describe("images checked before they are posted, on Slack", () => {
  it("sends the finished image, as uploaded, with its prompt to omni-moderation before uploading it", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];

    expect(await outcome(await imagine(ana, "a lighthouse at dusk"))).toContain("Posted to the gallery");

    const [post] = galleryPosts();
    expect(h.openai.imageModerations).toHaveLength(1);
    expect(h.openai.imageModerations[0]!.texts).toEqual(["a lighthouse at dusk"]);
    expect(h.openai.imageModerations[0]!.bytes!.equals(post!.files[0]!.bytes)).toBe(true);
    expect(await theCreation()).toMatchObject({ status: "posted", imageChecked: true });
  });

  it("holds a flagged image back: never uploaded, the categories told, the quota refunded, the spend counted, the file kept 7 days then deleted", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];
    h.openai.flagImages({ ketchup: ["violence/graphic"], blade: ["self-harm"] });

    const text = await outcome(await imagine(ana, "a picnic with a blade and far too much ketchup"));

    expect(text).toContain("held your image back");
    expect(text).toContain("flagged for self-harm and graphic violence");
    expect(text).toContain("It was not posted, and your quota was refunded.");
    expect(galleryPosts()).toHaveLength(0);
    expect(uploads()).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await memberUsedToday(ana)).toBe(0);
    const held = await theCreation();
    expect(held).toMatchObject({ status: "held", galleryMessageId: null });
    const kept = await h.running.salon.deps.files.get(held.imageHash!);
    expect(kept!.bytes.equals(h.openai.imageModerations[0]!.bytes!)).toBe(true);

    const settings = await salonText(h, c, c.admin, "settings");
    expect(settings).toContain(`Budget today: ${IMAGE_PRICE} spent of $5.00`);
    expect(settings).toContain("Held back by the image safety check in the last 7 days: 1 image");

    clock.advance(7 * DAY_MS - 2 * HOUR_MS);
    await sweep();
    expect(await h.running.salon.deps.files.get(held.imageHash!)).not.toBeNull();
    clock.advance(3 * HOUR_MS);
    await sweep();
    expect(await h.running.salon.deps.files.get(held.imageHash!)).toBeNull();
    expect(await theCreation()).toMatchObject({ status: "held", imageHash: null });
  });

  it("waits while image moderation is down (a timeout, then a 502) and checks the stored image again: made once, uploaded once", async () => {
    await start({ OPENAI_TIMEOUT_MS: "1000" }); // moderation's deadline is the image deadline, at most 30 s
    const [ana] = c.members as [FakeSlackUser];
    h.openai.scriptModerations({ delayMs: 0 }, { hang: true }, { status: 502 });

    const handle = await imagine(ana, "a lighthouse through the storm");

    expect(await outcome(handle)).toContain("Posted to the gallery");
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(h.openai.moderationRequests).toHaveLength(4); // the prompt, the hung check, the 502, the check that passed
    const retries = h.logs.filter((l) => l.msg === "image moderation failed: the stored image is checked again after a backoff");
    expect(retries.map((l) => (l.err as { message?: string }).message)).toEqual([expect.stringContaining("did not answer in time"), expect.stringContaining("502")]);
    expect(uploads()).toHaveLength(1);
    expect(galleryPosts()).toHaveLength(1);
    expect(h.openai.imageModerations.at(-1)!.bytes!.equals(galleryPosts()[0]!.files[0]!.bytes)).toBe(true);
    expect(await theCreation()).toMatchObject({ status: "posted", imageChecked: true });
    expect(await memberUsedToday(ana)).toBe(1);
  });

  it("never uploads an image unchecked: moderation down past the attempts fails the job, refunded, the spend counted", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];
    h.openai.scriptModerations({ delayMs: 0 }, { status: 503 }, { status: 503 }, { status: 503 });

    const text = await outcome(await imagine(ana, "a lighthouse nobody may see"));

    expect(text).toContain("The safety check on images kept failing, so your image was not posted");
    expect(text).toContain("Your quota was refunded");
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(uploads()).toHaveLength(0);
    expect(await memberUsedToday(ana)).toBe(0);
    expect(await salonText(h, c, c.admin, "settings")).toContain(`Budget today: ${IMAGE_PRICE} spent of $5.00`);
  });
});
