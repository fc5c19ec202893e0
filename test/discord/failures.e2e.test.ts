import { afterEach, describe, expect, it } from "vitest";
import { BUILT_IN_PRICES } from "../../src/config/prices.js";
import { usd } from "../../src/core/format.js";
import { priceMicroUsd } from "../../src/core/pricing.js";
import type { FakeUser, InteractionHandle } from "../support/discord/types.js";
import {
  addCommunity,
  adminCommand,
  command,
  createPost,
  creationOfPost,
  imagine,
  likeCountOf,
  startHarness,
  storedCommunity,
  type Community,
  type Harness,
} from "../support/harness.js";

/** The built-in price of the default /imagine (gpt-image-2, medium, square). */
const IMAGE_PRICE_USD = priceMicroUsd(BUILT_IN_PRICES, "gpt-image-2", "medium", "1024x1024") / 1_000_000;
const IMAGE_PRICE = usd(IMAGE_PRICE_USD * 1_000_000);

let h: Harness;
let open: Harness | undefined;
let c: Community;

async function start(env: Record<string, string> = {}): Promise<void> {
  h = open = await startHarness({ env });
  c = await addCommunity(h);
}
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

async function memberUsedToday(user: FakeUser): Promise<number> {
  const stored = await storedCommunity(h.running, c);
  const day = new Date().toISOString().slice(0, 10);
  return (await h.running.salon.deps.creations.usage(stored.id, user.id, day)).memberToday;
}

/** The status message's final text once it no longer says queued or generating. */
async function outcome(handle: InteractionHandle, timeoutMs = 10_000): Promise<string> {
  const message = await handle.waitFor((m) => /^(✅|⚠️|Cancelled)/.test(m.content), timeoutMs);
  return message.content;
}

function customIdOf(message: { components: Array<{ components?: Array<{ custom_id?: string; label?: string }> }> }, label: string): string {
  const button = message.components.flatMap((row) => row.components ?? []).find((b) => b.label === label);
  if (!button?.custom_id) throw new Error(`no "${label}" button in ${JSON.stringify(message.components)}`);
  return button.custom_id;
}

describe("failures while creating on Discord", () => {
  it("waits for retry-after on a 429 and then posts, charging the creation", async () => {
    await start();
    const [ana] = c.members;
    h.openai.scriptImages({ status: 429, headers: { "retry-after-ms": "250" } });

    const handle = imagine(h, c, ana!, "patience is a virtue");

    expect(await outcome(handle)).toContain("Posted to the gallery");
    await h.discord.waitForMessage(c.gallery.id, (m) => m.embeds[0]?.description === "patience is a virtue");
    expect(h.openai.imageRequests).toHaveLength(2);
    expect(h.openai.imageRequests[1]!.at - h.openai.imageRequests[0]!.at).toBeGreaterThanOrEqual(240);
    expect(await memberUsedToday(ana!)).toBe(1);
    expect(await adminCommand(h, c, "settings")).not.toContain("Budget today: $0.00 spent");
  });

  it("gives up after repeated server errors, tells the member and refunds the quota", async () => {
    await start();
    const [ana] = c.members;
    h.openai.scriptImages({ status: 500 }, { status: 502 }, { status: 503 }, { status: 500 });

    const text = await outcome(imagine(h, c, ana!, "a server on fire"));

    expect(text).toContain("kept failing, so I gave up");
    expect(text).toContain("quota was refunded");
    expect(h.openai.imageRequests).toHaveLength(3); // the harness allows 3 attempts
    await settle();
    expect(h.openai.imageRequests).toHaveLength(3);
    expect(await memberUsedToday(ana!)).toBe(0);
    expect(await adminCommand(h, c, "settings")).toContain("Budget today: $0.00 spent of $5.00, $5.00 left.");
    expect(h.discord.messages(c.gallery.id).filter((m) => m.attachments.length > 0)).toHaveLength(0);
  });

  it("does not retry a safety refusal and tells the member", async () => {
    await start();
    const [ana] = c.members;
    h.openai.scriptImages({ status: 400, code: "moderation_blocked" });

    const text = await outcome(imagine(h, c, ana!, "something the provider refuses"));

    expect(text).toContain("safety system refused");
    await settle();
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await memberUsedToday(ana!)).toBe(0);
  });

  it("waits out a moderation 429's retry-after, then creates as usual", async () => {
    await start();
    h.openai.scriptModerations({ status: 429, headers: { "retry-after-ms": "200" } });

    expect(await outcome(imagine(h, c, c.members[0]!, "after the queue at the door"))).toContain("Posted to the gallery");
    expect(h.openai.promptModerations).toHaveLength(2);
  });

  it("tells the member image generation is unavailable when moderation keeps failing, and charges nothing", async () => {
    await start();
    const [ana] = c.members;
    h.openai.scriptModerations({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });

    const handle = imagine(h, c, ana!, "while the checker is down");
    const answer = (await handle.waitFor((m) => m.content !== "", 10_000)).content;

    expect(answer).toContain("unavailable");
    expect(answer).toContain("Nothing was charged");
    expect(h.openai.promptModerations).toHaveLength(3); // the harness allows 3 attempts
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await memberUsedToday(ana!)).toBe(0);
    // The member may try again as soon as moderation is back: a refused request starts no cooldown.
    expect(await outcome(imagine(h, c, ana!, "checker back"))).toContain("Posted to the gallery");
  });

  it("reports insufficient_quota to the operator's log and tells the member it is unavailable", async () => {
    await start();
    const [ana] = c.members;
    h.openai.scriptImages({ status: 429, code: "insufficient_quota" });

    const text = await outcome(imagine(h, c, ana!, "no credit left"));

    expect(text).toContain("unavailable");
    expect(text).toContain("refunded");
    await settle();
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(h.logs.some((l) => l.level === "error" && String(l.msg).includes("unavailable"))).toBe(true);
    expect(h.logText()).not.toContain(h.openai.apiKey);
    expect(await memberUsedToday(ana!)).toBe(0);
  });

  it("tells the member and the admin when the gallery channel is forbidden, refunds the quota and counts the image made", async () => {
    await start();
    const [ana] = c.members;
    h.discord.forbidChannel(c.gallery.id);

    const text = await outcome(imagine(h, c, ana!, "nowhere to hang it"));

    expect(text).toContain("couldn't be posted");
    expect(text).toContain("missing permissions");
    expect(text).toContain("refunded");
    expect(await memberUsedToday(ana!)).toBe(0);
    const settings = await adminCommand(h, c, "settings");
    expect(settings).toContain(`⚠️ Problem: I can't post in <#${c.gallery.id}>`);
    // The image was made: OpenAI was paid for it, whatever became of the post.
    expect(settings).toContain(`Budget today: ${IMAGE_PRICE} spent`);

    // Once the permission is back, /salon settings finds the channel usable again and /imagine works.
    h.discord.forbidChannel(c.gallery.id, false);
    expect(await adminCommand(h, c, "settings")).not.toContain("Problem");
    await createPost(h, c, c.members[1]!, "a wall at last");
  });

  it("refuses /imagine before anything is spent while the gallery can't take posts, naming the problem and /salon settings", async () => {
    // Budget for 3 images, no cooldown: without the refusal every /imagine would buy an image that can't be posted.
    await start();
    await adminCommand(h, c, "limits", [
      { type: 10, name: "budget_usd_daily", value: Number((3 * IMAGE_PRICE_USD).toFixed(2)) },
      { type: 4, name: "cooldown_seconds", value: 0 },
      { type: 4, name: "per_member_daily", value: 100 },
    ]);
    h.discord.forbidChannel(c.gallery.id);

    const answers: string[] = [];
    for (let i = 0; i < 10; i++) {
      const handle = imagine(h, c, c.members[i % c.members.length]!, `attempt ${i + 1}`);
      answers.push((await handle.waitFor((m) => m.content !== "" && !/^(⏳|🎨)/.test(m.content), 10_000)).content);
    }

    expect(h.openai.imageRequests.length).toBeLessThanOrEqual(3);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(answers[0]).toContain("couldn't be posted");
    for (const answer of answers.slice(1)) {
      expect(answer).toContain(`I can't post in <#${c.gallery.id}>`);
      expect(answer).toContain("/salon settings");
    }
    expect(h.openai.promptModerations).toHaveLength(1);
  });

  it("tells the member and the admin when the gallery channel was deleted", async () => {
    await start();
    const [ana] = c.members;
    h.discord.deleteChannel(c.gallery.id);

    const text = await outcome(imagine(h, c, ana!, "a gallery that is gone"));

    expect(text).toContain("no longer exists");
    expect(text).toContain("/salon setup");
    expect(await memberUsedToday(ana!)).toBe(0);
    expect(await adminCommand(h, c, "settings")).toContain("⚠️ Problem: The gallery channel");
  });

  it("posts again without generating again when Discord keeps failing the first post with 5xx", async () => {
    await start();
    const [ana] = c.members;
    // @discordjs/rest retries a 5xx three times itself; the fourth failure reaches the bot.
    h.discord.fail({ method: "POST", pathPattern: /^\/channels\/\d+\/messages$/, status: 500, times: 4 });

    const text = await outcome(imagine(h, c, ana!, "posted on the second try"));

    expect(text).toContain("Posted to the gallery");
    const posts = h.discord.requests.filter((r) => r.method === "POST" && /^\/channels\/\d+\/messages$/.test(r.path));
    expect(posts.map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(h.discord.messages(c.gallery.id).filter((m) => m.embeds[0]?.description === "posted on the second try")).toHaveLength(1);
  });

  it("finishes a job interrupted by a restart once the bot is back", async () => {
    await start();
    const [ana] = c.members;
    h.openai.scriptImages({ delayMs: 5_000 });
    const handle = imagine(h, c, ana!, "interrupted mid-brushstroke");
    await handle.waitFor((m) => m.content.includes("Generating"));

    await h.running.stop(); // the harness gives running jobs 2 s, then returns them to the queue
    const back = await h.restart();

    expect(await outcome(handle, 15_000)).toContain("Posted to the gallery");
    expect(h.openai.imageRequests).toHaveLength(2);
    const post = await h.discord.waitForMessage(c.gallery.id, (m) => m.embeds[0]?.description === "interrupted mid-brushstroke");
    expect((await creationOfPost(back, c, post.id))!.status).toBe("posted");
  });

  it("lets the author cancel a queued job with its Cancel button: no image is made and the quota is refunded", async () => {
    await start({ GENERATION_CONCURRENCY: "1" });
    const [ana, ben, chloe] = c.members;
    h.openai.scriptImages({ delayMs: 1500 });
    const first = imagine(h, c, ana!, "a slow first job");
    await first.waitFor((m) => m.content.includes("Generating"));

    const second = imagine(h, c, ben!, "a job that will be cancelled");
    const queued = await second.waitFor((m) => m.content.includes("Queued — position 1"));
    const cancel = customIdOf(queued, "Cancel");

    const stranger = h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: chloe!.id, messageId: queued.id, customId: cancel });
    expect((await stranger.response()).data?.flags).toBe(64);
    expect((await stranger.waitFor((m) => m.content !== "")).content).toContain("Only the member who asked");

    const click = h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: ben!.id, messageId: queued.id, customId: cancel });
    expect((await click.waitFor((m) => m.content !== "")).content).toContain("Cancelled");
    const status = await second.waitFor((m) => m.content.startsWith("Cancelled"));
    expect(status.components).toEqual([]);

    expect(await outcome(first)).toContain("Posted to the gallery");
    await settle(500);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a slow first job"]);
    expect(h.openai.promptModerations).toHaveLength(2);
    expect(await memberUsedToday(ben!)).toBe(0);
    const stored = await storedCommunity(h.running, c);
    const creations = (await h.running.salon.deps.privacy.exportMember(stored.id, ben!.id)).creations;
    expect(creations.map((x) => x.status)).toEqual(["cancelled"]);
  });

  it("refuses another member's click on a post's Delete button and lets the creator delete it from every ranking", async () => {
    await start();
    const [ana, ben] = c.members;
    const post = await createPost(h, c, ana!, "delete me if you can");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);
    const del = customIdOf(post, "Delete");

    const refused = h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: ben!.id, messageId: post.id, customId: del });
    expect((await refused.waitFor((m) => m.content !== "")).content).toContain("Only the creator or an admin");
    expect(h.discord.getMessage(post.id)!.deleted).toBe(false);
    expect((await creationOfPost(h.running, c, post.id))!.status).toBe("posted");

    const accepted = h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: ana!.id, messageId: post.id, customId: del });
    expect((await accepted.waitFor((m) => m.content !== "")).content).toContain("Deleted the post");
    expect(h.discord.getMessage(post.id)!.deleted).toBe(true);
    expect((await creationOfPost(h.running, c, post.id))!.status).toBe("deleted");
    const top = await command(h, c, ben!, "top", [{ type: 3, name: "period", value: "all" }]);
    expect(top).not.toContain(post.id);
    expect(top).toContain("No liked creations");
  });

  it("lets an admin delete any member's post with its Delete button", async () => {
    await start();
    const [ana] = c.members;
    const post = await createPost(h, c, ana!, "moderated away");

    const click = h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: c.admin.id, messageId: post.id, customId: customIdOf(post, "Delete") });

    expect((await click.waitFor((m) => m.content !== "")).content).toContain("Deleted the post");
    expect(h.discord.getMessage(post.id)!.deleted).toBe(true);
  });

  it("keeps a post Discord refuses to delete in every ranking, and tells the member why", async () => {
    await start();
    const [ana, ben] = c.members;
    const post = await createPost(h, c, ana!, "stuck on the wall");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);
    h.discord.forbidChannel(c.gallery.id);

    const click = h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: ana!.id, messageId: post.id, customId: customIdOf(post, "Delete") });

    const answer = (await click.waitFor((m) => m.content !== "")).content;
    expect(answer).toContain("couldn't delete the post");
    expect(answer).toContain("missing permissions");
    expect(h.discord.getMessage(post.id)!.deleted).toBe(false);
    expect((await creationOfPost(h.running, c, post.id))!.status).toBe("posted");
    expect(await command(h, c, ben!, "top", [{ type: 3, name: "period", value: "all" }])).toContain(post.id);
  });
});
