/**
 * Looking before reposting matches only Salon's own messages. Any bot or webhook can post a message carrying Salon's
 * Delete button id or its digest title line; taken for Salon's own post, it would stand in for the post that was
 * never made. Run on the real process (`src/main.ts`), SIGKILLed before its post reached Discord.
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { databaseRows } from "../support/test-database.js";
import type { FakeUser } from "../support/discord/types.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";
import { seedDueDigest } from "./support/seed-digest.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const galleryPath = (world: DiscordWorld) => new RegExp(`^/channels/${world.gallery.id}/messages$`);

/**
 * Another bot in the server, and a webhook of the gallery (its messages' author is the webhook's own bot user). Their
 * messages mention Salon: without the Message Content intent that is what lets Salon read them (as on Discord).
 */
function impostors(world: DiscordWorld): { bot: FakeUser; hook: FakeUser } {
  const bot = world.discord.addUser({ username: "copycat", bot: true });
  world.discord.addMember(world.guild.id, bot.id);
  const hook = world.discord.addUser({ username: "Captain Hook", bot: true });
  return { bot, hook };
}

describe("a post taken over after a SIGKILL, with look-alikes in the channel", () => {
  it("posts the creation itself when another bot and a webhook posted messages with its Delete button", async () => {
    w = await discordWorld();
    const [ana] = w.members;
    const first = await w.boot();
    await w.setUp();
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath(w), phase: "before" });
    const handle = w.imagine(ana!, "mine, not theirs");
    await held.arrived;
    const [creation] = await w.creations();
    expect(creation).toMatchObject({ status: "posting", galleryMessageId: null });

    const { bot, hook } = impostors(w);
    const lookAlike = {
      content: `🎨 New creation by <@${ana!.id}>, for <@${w.discord.botUser.id}>`,
      embeds: [{ description: "mine, not theirs" }],
      components: [{ type: 1, components: [{ type: 2, style: 2, label: "Delete", custom_id: `salon:delete:${creation!.id}` }] }],
    };
    w.discord.addMessage(w.gallery.id, { authorId: bot.id, ...lookAlike });
    w.discord.addMessage(w.gallery.id, { authorId: hook.id, webhookId: hook.id, ...lookAlike });

    await first.crash();
    held.release(); // Discord never saw the dropped request
    await w.boot();

    await until(async () => (await w!.creations())[0]?.status === "posted", "the creation posted");
    const posts = w.postsOf("mine, not theirs");
    expect(posts).toHaveLength(1);
    expect((await w.creations())[0]!.galleryMessageId).toBe(posts[0]!.id);
    await handle.waitFor((m) => m.content.includes(posts[0]!.id), 10_000);
  }, 90_000);

  it("posts the digest itself when another bot and a webhook posted messages starting with its title line", async () => {
    w = await discordWorld({ env: { RECONCILE_DAYS: "0" } });
    const { day } = await seedDueDigest(w.databaseUrl, { platform: "discord", externalId: w.guild.id, channelId: w.gallery.id, authors: w.members.map((m) => m.id) });
    const title = new Date(`${day}T12:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath(w), phase: "before" });
    const first = await w.boot(); // its start-up tick posts the missed digest
    await held.arrived;

    const { bot, hook } = impostors(w);
    const lookAlike = `🏆 **Salon digest — ${title}**\n\n**1.** “not what <@${w.discord.botUser.id}> ranked”`;
    w.discord.addMessage(w.gallery.id, { authorId: bot.id, content: lookAlike });
    w.discord.addMessage(w.gallery.id, { authorId: hook.id, webhookId: hook.id, content: lookAlike });

    await first.crash();
    held.release();
    await w.boot();

    const [row] = await until(async () => {
      const rows = await databaseRows<{ status: string; messageId: string | null }>(w!.databaseUrl, `SELECT status, "messageId" FROM "Digest"`);
      return rows[0]?.status === "posted" ? rows : null;
    }, "the digest recorded as posted");
    const own = w.discord.messages(w.gallery.id).filter((m) => !m.deleted && m.authorId === w!.discord.botUser.id && m.content.startsWith("🏆 **Salon digest"));
    expect(own).toHaveLength(1);
    expect(own[0]!.content).toContain(title);
    expect(row!.messageId).toBe(own[0]!.id);
  }, 90_000);
});
