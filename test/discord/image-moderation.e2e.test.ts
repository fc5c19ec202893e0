/**
 * Images checked before anyone sees them, on Discord: the finished image goes with its prompt to OpenAI's moderation
 * before it is posted. A flagged image is held back (never posted, refunded, its spend still counted, its file kept 7
 * days for the operator, then deleted); a moderation outage makes the job wait and check the stored image again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BUILT_IN_PRICES } from "../../src/config/prices.js";
import { usd } from "../../src/core/format.js";
import { priceMicroUsd } from "../../src/core/pricing.js";
import type { Creation } from "../../src/core/types.js";
import type { FakeUser, InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, imagine, startHarness, storedCommunity, type Community, type Harness } from "../support/harness.js";
import { MovableClock } from "../support/movable-clock.js";
import { databaseRows } from "../support/test-database.js";

const IMAGE_PRICE = usd(priceMicroUsd(BUILT_IN_PRICES, "gpt-image-2", "medium", "1024x1024"));
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

let h: Harness;
let open: Harness | undefined;
let c: Community;
let clock: MovableClock;

async function start(): Promise<void> {
  clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
  h = open = await startHarness({ clock });
  c = await addCommunity(h);
}
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** The status message's final text once it no longer says queued or generating. */
async function outcome(handle: InteractionHandle, timeoutMs = 10_000): Promise<string> {
  return (await handle.waitFor((m) => /^(✅|⚠️|Cancelled)/.test(m.content), timeoutMs)).content;
}

async function memberUsedToday(user: FakeUser): Promise<number> {
  const stored = await storedCommunity(h.running, c);
  return (await h.running.salon.deps.creations.usage(stored.id, user.id, "2026-11-25")).memberToday;
}

/** The only creation stored. */
async function theCreation(): Promise<Creation> {
  const rows = await databaseRows<{ id: number }>(h.config.database.url, `SELECT "id" FROM "Creation" ORDER BY "id"`);
  expect(rows).toHaveLength(1);
  return (await h.running.salon.deps.creations.getCreation(Number(rows[0]!.id)))!;
}

const galleryPosts = () => h.discord.messages(c.gallery.id).filter((m) => m.attachments.length > 0);
const galleryPostRequests = () => h.discord.requests.filter((r) => r.method === "POST" && r.path === `/channels/${c.gallery.id}/messages`);

/** Runs the maintenance sweep as its scheduler does, at the clock's time: ten minutes on until a sweep is this one's. */
async function sweep(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    if ((await h.running.salon.maintain(0)).pruned) return;
    clock.advance(10 * 60_000);
  }
  throw new Error("the maintenance sweep never ran");
}

describe("images checked before they are posted, on Discord", () => {
  it("sends the finished image, as made, with its prompt to omni-moderation before posting it", async () => {
    await start();
    const [ana] = c.members;

    expect(await outcome(imagine(h, c, ana!, "a lighthouse at dusk"))).toContain("Posted to the gallery");

    const [post] = galleryPosts();
    expect(h.openai.imageModerations).toHaveLength(1);
    const checked = h.openai.imageModerations[0]!;
    expect(checked.texts).toEqual(["a lighthouse at dusk"]);
    expect(checked.mimeType).toBe("image/png");
    expect(checked.bytes!.equals(post!.attachments[0]!.bytes)).toBe(true);
    const request = h.openai.moderationRequests.at(-1)!.body;
    expect(request).toEqual({
      model: "omni-moderation-latest",
      input: [
        { type: "text", text: "a lighthouse at dusk" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${post!.attachments[0]!.bytes.toString("base64")}` } },
      ],
    });
    // The check came after the image was made and before the post.
    expect(h.openai.moderationRequests.at(-1)!.at).toBeGreaterThanOrEqual(h.openai.imageRequests[0]!.at);
    expect(await theCreation()).toMatchObject({ status: "posted", imageChecked: true, heldUntil: null });
  });

  it("holds a flagged image back: never posted, the categories told, the quota refunded, the spend counted, the file kept 7 days then deleted", async () => {
    await start();
    const [ana] = c.members;
    h.openai.flagImages({ ketchup: ["violence", "violence/graphic"] });

    const text = await outcome(imagine(h, c, ana!, "a picnic with far too much ketchup"));

    expect(text).toContain("held your image back");
    expect(text).toContain("flagged for violence and graphic violence");
    expect(text).toContain("It was not posted, and your quota was refunded.");
    expect(galleryPosts()).toHaveLength(0);
    expect(galleryPostRequests()).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(h.openai.imageModerations).toHaveLength(1);
    expect(await memberUsedToday(ana!)).toBe(0);
    const held = await theCreation();
    expect(held).toMatchObject({ status: "held", imageChecked: false, galleryMessageId: null, statusRef: null });
    expect(held.heldUntil!.getTime() - clock.now().getTime()).toBeGreaterThan(7 * DAY_MS - HOUR_MS);
    expect(held.heldUntil!.getTime() - clock.now().getTime()).toBeLessThanOrEqual(7 * DAY_MS);
    // The image that was checked is the file kept for the operator.
    const kept = await h.running.salon.deps.files.get(held.imageHash!);
    expect(kept!.bytes.equals(h.openai.imageModerations[0]!.bytes!)).toBe(true);

    const settings = await adminCommand(h, c, "settings");
    expect(settings).toContain(`Budget today: ${IMAGE_PRICE} spent of $5.00`);
    expect(settings).toContain("Held back by the image safety check in the last 7 days: 1 image");

    // Kept until 7 days later...
    clock.advance(7 * DAY_MS - 2 * HOUR_MS);
    await sweep();
    expect(await h.running.salon.deps.files.get(held.imageHash!)).not.toBeNull();
    // ...then deleted by the sweep.
    clock.advance(3 * HOUR_MS);
    await sweep();
    expect(await h.running.salon.deps.files.get(held.imageHash!)).toBeNull();
    expect(await theCreation()).toMatchObject({ status: "held", imageHash: null });
    expect(await adminCommand(h, c, "settings")).toContain("Held back by the image safety check in the last 7 days: 0 images");
  });

  it("waits while image moderation is down and checks the stored image again: the image is made once and posted once", async () => {
    await start();
    const [ana] = c.members;
    // The prompt's check passes; then the image's check fails twice (a 503, then a 429 with its retry-after).
    h.openai.scriptModerations({ delayMs: 0 }, { status: 503 }, { status: 429, headers: { "retry-after-ms": "200" } });

    const handle = imagine(h, c, ana!, "a lighthouse through the storm");

    expect(await outcome(handle)).toContain("Posted to the gallery");
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(h.openai.moderationRequests).toHaveLength(4); // the prompt, two failed checks of the image, the one that passed
    expect(galleryPosts()).toHaveLength(1);
    expect(galleryPostRequests()).toHaveLength(1);
    expect(h.openai.imageModerations.at(-1)!.bytes!.equals(galleryPosts()[0]!.attachments[0]!.bytes)).toBe(true);
    expect(await theCreation()).toMatchObject({ status: "posted", imageChecked: true });
    expect(await memberUsedToday(ana!)).toBe(1);
    expect(h.logs.filter((l) => l.msg === "image moderation failed: the stored image is checked again after a backoff")).toHaveLength(1);
    expect(h.logs.filter((l) => l.msg === "image moderation rate limited: waiting for retry-after").map((l) => l.retryAfterMs)).toEqual([200]);
  });

  it("never posts an image unchecked: moderation down past the attempts fails the job, refunded, the spend counted", async () => {
    await start();
    const [ana] = c.members;
    h.openai.scriptModerations({ delayMs: 0 }, { status: 503 }, { status: 500 }, { status: 502 });

    const text = await outcome(imagine(h, c, ana!, "a lighthouse nobody may see"));

    expect(text).toContain("The safety check on images kept failing, so your image was not posted");
    expect(text).toContain("Your quota was refunded");
    expect(h.openai.moderationRequests).toHaveLength(4); // the harness allows 3 attempts
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(galleryPostRequests()).toHaveLength(0);
    expect(await memberUsedToday(ana!)).toBe(0);
    expect(await theCreation()).toMatchObject({ status: "failed", imageChecked: false });
    expect(await adminCommand(h, c, "settings")).toContain(`Budget today: ${IMAGE_PRICE} spent of $5.00`);
  });
});
