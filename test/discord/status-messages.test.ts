/**
 * The member's status message through DiscordPublisher.updateStatus, against the loopback Discord: once the
 * interaction token is spent, a final outcome is told exactly once however often the core sends it, and statusRefs
 * stored before this change (only the application id and the token) keep working.
 */
import { once } from "node:events";
import { Client, Events, GatewayIntentBits, MessageFlags, type Interaction } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { JobStatus } from "../../src/core/ports.js";
import { createDiscordPublisher } from "../../src/discord/discord-bot.js";
import type { DiscordPublisher } from "../../src/discord/discord-publisher.js";
import { SilentLogger } from "../support/core-fakes.js";
import { FakeDiscord } from "../support/discord/index.js";
import type { FakeChannel, FakeUser, InteractionHandle } from "../support/discord/types.js";
import { MovableClock } from "../support/movable-clock.js";

let fake: FakeDiscord | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

const MINUTE = 60_000;

interface World {
  fake: FakeDiscord;
  chat: FakeChannel;
  ana: FakeUser;
  publisher: DiscordPublisher;
  clock: MovableClock;
  logger: SilentLogger;
  /** Runs `/imagine` as ana and resolves once it is deferred, with its handle and the statusRef Salon would store. */
  imagine(): Promise<{ handle: InteractionHandle; statusRef: string; oldStatusRef: string }>;
}

async function world(): Promise<World> {
  const f = (fake = await FakeDiscord.start());
  const guild = f.addGuild({ name: "Salon HQ" });
  const chat = f.addChannel(guild.id, { name: "general" });
  const ana = f.addUser({ username: "ana" });
  f.addMember(guild.id, ana.id);
  const c = (client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: f.apiUrl } }));
  const deferred: Interaction[] = [];
  c.on(Events.InteractionCreate, async (interaction) => {
    if (!interaction.isChatInputCommand()) return;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    deferred.push(interaction);
  });
  const ready = once(c, Events.ClientReady);
  await c.login(f.botToken);
  await ready;
  const clock = new MovableClock(new Date());
  const logger = new SilentLogger();
  const publisher = createDiscordPublisher({ token: f.botToken, apiUrl: f.apiUrl }, logger, clock);
  return {
    fake: f, chat, ana, publisher, clock, logger,
    async imagine() {
      const handle = f.slashCommand({ guildId: guild.id, channelId: chat.id, userId: ana.id, name: "imagine" });
      await handle.response();
      const statusRef = JSON.stringify({ applicationId: f.applicationId, token: handle.token, channelId: chat.id, userId: ana.id, receivedAt: clock.now().getTime() });
      return { handle, statusRef, oldStatusRef: JSON.stringify({ applicationId: f.applicationId, token: handle.token }) };
    },
  };
}

const posted = (creationId: number): JobStatus => ({ state: "posted", creationId, url: `https://discord.com/channels/1/2/${creationId}` });

describe("the /imagine status message on Discord", () => {
  it("tells a final outcome once when the core sends it twice after the token died, at once or one after the other", async () => {
    const w = await world();
    const { statusRef } = await w.imagine();
    w.fake.advanceTime(16 * MINUTE); // Discord's clock only: Salon learns it from the refusal

    await Promise.all([w.publisher.updateStatus(statusRef, posted(7)), w.publisher.updateStatus(statusRef, posted(7))]);
    await w.publisher.updateStatus(statusRef, posted(7));
    // Every update has been answered: a second message would be there by now.
    expect(w.fake.messages(w.chat.id).map((m) => m.content)).toEqual([`<@${w.ana.id}> ✅ Your \`/imagine\` is posted to the gallery: https://discord.com/channels/1/2/7`]);
    expect(w.fake.requests.filter((r) => r.method === "POST" && r.path === `/channels/${w.chat.id}/messages`)).toHaveLength(1);
  });

  it("does not tell the member again in the channel when the final edit got through before the token died", async () => {
    const w = await world();
    const { handle, statusRef } = await w.imagine();
    await w.publisher.updateStatus(statusRef, posted(8));
    expect(handle.original()!.content).toContain("Posted to the gallery");
    w.fake.advanceTime(16 * MINUTE);
    w.clock.advance(16 * MINUTE);

    await w.publisher.updateStatus(statusRef, posted(8));
    expect(w.fake.messages(w.chat.id)).toEqual([]);
  });

  it("drops queued and generating once the token is dead, and tells nothing elsewhere for them", async () => {
    const w = await world();
    const { handle, statusRef } = await w.imagine();
    await w.publisher.updateStatus(statusRef, { state: "queued", position: 2, creationId: 9 });
    w.fake.advanceTime(16 * MINUTE);
    w.clock.advance(16 * MINUTE);
    const before = w.fake.requests.length;

    await w.publisher.updateStatus(statusRef, { state: "generating", creationId: 9 });
    expect(w.fake.requests.length).toBe(before); // known dead by Salon's clock: not even tried
    expect(handle.original()!.content).toContain("Queued");
    expect(w.fake.messages(w.chat.id)).toEqual([]);
  });

  it("keeps editing with a statusRef stored before (application id and token only), and logs, without the token, when it died", async () => {
    const w = await world();
    const { handle, oldStatusRef, statusRef } = await w.imagine();
    await w.publisher.updateStatus(oldStatusRef, { state: "generating", creationId: 10 });
    expect(handle.original()!.content).toContain("Generating");
    w.fake.advanceTime(16 * MINUTE);

    await w.publisher.updateStatus(oldStatusRef, posted(10));
    expect(w.fake.messages(w.chat.id)).toEqual([]);
    const said = JSON.stringify(w.logger.entries);
    expect(said).toContain("names no channel or member");
    expect(said).not.toContain(JSON.parse(statusRef).token);
  });
});
