/**
 * The member's status message is the deferred reply to `/imagine`, edited with the interaction token, which Discord
 * refuses 15 minutes after the interaction (401 50027). A creation that ends later still tells the member how it
 * ended: in the channel where they ran `/imagine`, mentioning (and pinging) only them, or in a DM when that channel
 * refuses. The loopback Discord's clock is moved instead of waiting 16 minutes.
 */
import { PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../support/movable-clock.js";
import type { FakeChannel, FakeMessage, FakeUser, InteractionHandle, RecordedRequest } from "../support/discord/types.js";
import { addCommunity, startHarness, type Community, type Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MINUTE = 60_000;

/** A second text channel, where members chat and run commands. */
async function general(harness: Harness, c: Community): Promise<FakeChannel> {
  const channel = harness.discord.addChannel(c.guild.id, { name: "general" });
  await expect.poll(() => harness.running.discord!.client.channels.cache.has(channel.id)).toBe(true);
  return channel;
}

function imagineIn(harness: Harness, c: Community, channel: FakeChannel, user: FakeUser, prompt: string) {
  return harness.discord.slashCommand({ guildId: c.guild.id, channelId: channel.id, userId: user.id, name: "imagine", options: [{ type: 3, name: "prompt", value: prompt }] });
}

/** Waits until the creation is being made (its status says so, its image is asked for), and resolves with the handle. */
async function generating(harness: Harness, handle: InteractionHandle): Promise<InteractionHandle> {
  await handle.waitFor((m) => m.content.includes("Generating"), 10_000);
  await expect.poll(() => harness.openai.imageRequests.length).toBe(1);
  return handle;
}

/** Edits of status messages (interaction webhooks) Discord answered, with their status. */
const statusEdits = (harness: Harness): RecordedRequest[] => harness.discord.requests.filter((r) => r.method === "PATCH" && r.path.startsWith("/webhooks/") && r.status !== undefined);

/** Requests to post in a channel, answered or not. */
const postsIn = (harness: Harness, channelId: string) => harness.discord.requests.filter((r) => r.method === "POST" && r.path === `/channels/${channelId}/messages`).length;

function expectPingsOnly(message: FakeMessage, user: FakeUser): void {
  expect(message.authorId).toBe(h!.discord.botUser.id);
  expect(message.content.startsWith(`<@${user.id}> `)).toBe(true);
  expect(message.allowedMentions).toEqual({ parse: [], users: [user.id] });
}

describe("a creation that ends after its interaction token died", () => {
  it("tells the member in the channel, with a mention and the link, when the image comes back 16 minutes after /imagine", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    const chat = await general(h, c);
    const [ana] = c.members;
    h.openai.scriptImages({ delayMs: 500 });
    const handle = await generating(h, imagineIn(h, c, chat, ana!, "a slow sunrise"));
    h.discord.advanceTime(16 * MINUTE);

    const told = await h.discord.waitForMessage(chat.id, (m) => m.content.includes("posted to the gallery"), 10_000);
    const post = h.discord.messages(c.gallery.id).find((m) => m.embeds.length > 0)!;
    expectPingsOnly(told, ana!);
    expect(told.content).toBe(`<@${ana!.id}> ✅ Your \`/imagine\` is posted to the gallery: https://discord.com/channels/${c.guild.id}/${c.gallery.id}/${post.id}`);
    // Discord refused the edit (the status message still says "Generating") and Salon told the member instead.
    expect(statusEdits(h).at(-1)).toMatchObject({ status: 401 });
    expect(handle.original()!.content).toContain("Generating");
    expect(h.discord.messages(chat.id)).toEqual([told]);
  });

  it("tells the member in the channel why it failed and that the quota was refunded, 16 minutes after /imagine", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    const chat = await general(h, c);
    const [ana] = c.members;
    // Rate limited first, then refused by OpenAI's safety system once the token is dead.
    h.openai.scriptImages({ status: 429, retryAfterSeconds: 1 }, { status: 400, code: "moderation_blocked" });
    await generating(h, imagineIn(h, c, chat, ana!, "something the safety system refuses"));
    h.discord.advanceTime(16 * MINUTE);

    const told = await h.discord.waitForMessage(chat.id, (m) => m.content.includes("About your"), 10_000);
    expectPingsOnly(told, ana!);
    expect(told.content).toContain("OpenAI's safety system refused to make this image");
    expect(told.content).toContain("Your quota was refunded");
    expect(h.discord.messages(c.gallery.id).filter((m) => m.embeds.length > 0)).toHaveLength(0);
  });

  it("tells the member in a DM when the channel refuses, without trying the dead token once Salon's clock says it is dead", async () => {
    const clock = new MovableClock(new Date());
    h = await startHarness({ clock });
    const c = await addCommunity(h);
    const chat = await general(h, c);
    const [ana] = c.members;
    h.openai.scriptImages({ delayMs: 500 });
    await generating(h, imagineIn(h, c, chat, ana!, "a quiet harbour"));
    const editsBefore = statusEdits(h).length;
    h.discord.advanceTime(16 * MINUTE);
    clock.advance(16 * MINUTE);
    h.discord.forbidChannel(chat.id); // e.g. a channel where the bot may answer commands but not post

    await expect.poll(() => h!.discord.dms(ana!.id).length, { timeout: 10_000 }).toBe(1);
    const [dm] = h.discord.dms(ana!.id);
    expect(dm!.content).toContain("is posted to the gallery: https://discord.com/channels/");
    expect(dm!.allowedMentions).toEqual({ parse: [], users: [ana!.id] });
    expect(h.discord.messages(chat.id)).toHaveLength(0);
    // Salon knew the token was past its 15 minutes: it never sent it to Discord to be refused.
    expect(statusEdits(h).slice(editsBefore)).toEqual([]);
  });

  it("posts nothing in the channel while the token is alive: the status message says it all", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    const chat = await general(h, c);
    const [ana] = c.members;
    const handle = imagineIn(h, c, chat, ana!, "a quick sketch");
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    // The final edit was answered: nothing after it could make Salon tell the member elsewhere.
    await expect.poll(() => statusEdits(h!).some((r) => r.status === 200 && JSON.stringify(r.body).includes("Posted to the gallery"))).toBe(true);

    expect(statusEdits(h).every((r) => r.status === 200)).toBe(true);
    expect(postsIn(h, chat.id)).toBe(0);
    expect(postsIn(h, c.gallery.id)).toBe(1);
    expect(h.discord.dms(ana!.id)).toEqual([]);
  });

  it("keeps a member who runs /imagine in the gallery told there, and lets an admin's /salon commands alone", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    const [ana] = c.members;
    h.openai.scriptImages({ delayMs: 500 });
    await generating(h, imagineIn(h, c, c.gallery, ana!, "in the gallery"));
    h.discord.advanceTime(16 * MINUTE);

    const told = await h.discord.waitForMessage(c.gallery.id, (m) => m.content.startsWith(`<@${ana!.id}>`), 10_000);
    expectPingsOnly(told, ana!);
    // A fresh interaction has a fresh token: an admin's command after that is answered as usual.
    const settings = h.discord.slashCommand({ guildId: c.guild.id, channelId: c.gallery.id, userId: c.admin.id, name: "salon", permissions: PermissionFlagsBits.ManageGuild, options: [{ type: 1, name: "settings" }] });
    expect((await settings.waitFor((m) => m.content !== "")).content).toContain("Gallery:");
  });
});
