/**
 * Proves the loopback Discord (test/support/discord) against the real discord.js 14 client.
 */
import { once } from 'node:events';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  Partials,
  PermissionFlagsBits,
  type TextChannel,
} from 'discord.js';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord, type FakeDiscordOptions } from './support/discord/index.js';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions];
const PARTIALS = [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember];

let fake: FakeDiscord | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

/** Waits for one client event (2s cap so a missing event fails fast). */
function next<T extends unknown[]>(emitter: Client, event: string, ms = 2000): Promise<T> {
  return once(emitter, event, { signal: AbortSignal.timeout(ms) }) as Promise<T>;
}

async function setup(options: FakeDiscordOptions = {}) {
  const f = await FakeDiscord.start(options);
  fake = f;
  const guild = f.addGuild({ name: 'Salon HQ' });
  const gallery = f.addChannel(guild.id, { name: 'gallery' });
  const alice = f.addUser({ username: 'alice' });
  const bob = f.addUser({ username: 'bob' });
  const carol = f.addUser({ username: 'carol' });
  for (const u of [alice, bob, carol]) f.addMember(guild.id, u.id);
  const c = new Client({ intents: INTENTS, partials: PARTIALS, rest: { api: f.apiUrl } });
  client = c;
  const ready = next(c, Events.ClientReady);
  await c.login(f.botToken);
  await ready;
  const channel = c.channels.cache.get(gallery.id) as TextChannel;
  return { fake: f, client: c, guild, gallery, channel, alice, bob, carol };
}

describe('FakeDiscord with the real discord.js client', () => {
  it('logs in and becomes ready with the guild cached, without privileged intents', async () => {
    const { fake, client, guild, gallery } = await setup();
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.guilds.cache.get(guild.id)?.name).toBe('Salon HQ');
    expect(client.channels.cache.get(gallery.id)?.isTextBased()).toBe(true);
    expect(client.guilds.cache.get(guild.id)?.members.me?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(fake.connected).toBe(true);
    const intents = fake.identifyIntents ?? 0;
    expect(intents).toBe(INTENTS.reduce((a, b) => a | b, 0));
    const privileged = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
    expect(intents & privileged).toBe(0);
    expect(fake.requests.find((r) => r.path === '/gateway/bot')?.authorized).toBe(true);
    expect(fake.unhandled).toEqual([]);
  });

  it('answers a slash command with an ephemeral deferReply then editReply', async () => {
    const { fake, client, guild, gallery, alice, bob } = await setup();
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const member = interaction.options.getUser('member', true);
      await interaction.editReply(`Profile of ${member.username} for ${interaction.user.username}`);
    });
    const handle = fake.slashCommand({
      guildId: guild.id,
      channelId: gallery.id,
      userId: alice.id,
      name: 'profile',
      options: [{ name: 'member', type: 6, value: bob.id }],
    });
    const callback = await handle.response();
    expect(callback.type).toBe(5);
    expect(callback.data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(callback.at - handle.dispatchedAt).toBeLessThan(3000);
    const reply = await handle.waitFor((m) => m.content.startsWith('Profile'));
    expect(reply.content).toBe('Profile of bob for alice');
    expect(reply.flags).toBe(MessageFlags.Ephemeral); // loading flag gone after the edit
    expect(handle.original()?.revisions.map((r) => r.content)).toEqual(['', 'Profile of bob for alice']);
    expect(fake.messages(gallery.id)).toEqual([]); // ephemeral: not in the channel
    const callbackRequest = fake.requests.find((r) => r.path.endsWith('/callback'));
    expect(callbackRequest?.authorized).toBe(false);
  });

  it('delivers subcommands with resolved channels and member permissions', async () => {
    const { fake, client, guild, gallery, alice } = await setup();
    const seen: unknown[] = [];
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const channel = interaction.options.getChannel('gallery', true);
      seen.push([
        interaction.options.getSubcommand(),
        channel.id,
        interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild),
        interaction.inGuild() && interaction.member.permissions instanceof Object,
      ]);
      await interaction.reply({ content: `Gallery is #${'name' in channel ? channel.name : '?'}`, flags: MessageFlags.Ephemeral });
    });
    const admin = fake.slashCommand({
      guildId: guild.id,
      channelId: gallery.id,
      userId: alice.id,
      name: 'salon',
      options: [{ name: 'setup', type: 1, options: [{ name: 'gallery', type: 7, value: gallery.id }] }],
      permissions: PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ViewChannel,
    });
    expect((await admin.waitFor((m) => m.content !== '')).content).toBe('Gallery is #gallery');
    expect(seen).toEqual([['setup', gallery.id, true, true]]);
    // A second callback for the same interaction is refused like Discord does.
    await expect(
      client.rest.post(`/interactions/${admin.id}/${admin.token}/callback`, { body: { type: 4, data: { content: 'x' } }, auth: false }),
    ).rejects.toMatchObject({ code: 40060 });
  });

  it('stores channel.send attachments and allowed_mentions', async () => {
    const { fake, channel, gallery, alice, bob } = await setup();
    const sent = await channel.send({
      content: `<@${alice.id}> made this (cc <@${bob.id}>)`,
      files: [new AttachmentBuilder(PNG_1X1, { name: 'art.png', description: 'a tiny image' })],
      allowedMentions: { users: [alice.id] },
    });
    expect(sent.attachments.first()?.name).toBe('art.png');
    expect(sent.attachments.first()?.width).toBe(1);
    expect([...sent.mentions.users.keys()]).toEqual([alice.id]);
    const [stored] = fake.messages(gallery.id);
    expect(stored?.id).toBe(sent.id);
    expect(stored?.allowedMentions).toEqual({ users: [alice.id] });
    expect(stored?.attachments[0]?.contentType).toBe('image/png');
    expect(stored?.attachments[0]?.description).toBe('a tiny image');
    expect(stored?.attachments[0]?.bytes.equals(PNG_1X1)).toBe(true);
    const download = Buffer.from(await (await fetch(sent.attachments.first()!.url)).arrayBuffer());
    expect(download.equals(PNG_1X1)).toBe(true);
    expect(fake.requests.find((r) => r.method === 'POST')?.files).toEqual([
      { field: 'files[0]', filename: 'art.png', contentType: expect.any(String), size: PNG_1X1.length },
    ]);
  });

  it('delivers reactions on uncached messages through partials (unicode and custom emoji)', async () => {
    const { fake, client, gallery, alice, bob } = await setup();
    const post = fake.addMessage(gallery.id, { authorId: alice.id, content: 'old post' }, { silent: true });
    const added = next<[any, any]>(client, Events.MessageReactionAdd); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.react(gallery.id, post.id, bob.id, '👍');
    const [reaction, user] = await added;
    expect(reaction.message.partial).toBe(true);
    expect(reaction.message.id).toBe(post.id);
    expect(reaction.emoji.name).toBe('👍');
    expect(user.id).toBe(bob.id);
    expect(reaction.message.guildId).toBe(gallery.guildId);

    const custom = next<[any, any]>(client, Events.MessageReactionAdd); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.react(gallery.id, post.id, alice.id, 'salon:123456789012345678');
    const [customReaction] = await custom;
    expect(customReaction.emoji.id).toBe('123456789012345678');
    const fetched = await customReaction.message.fetch();
    expect(fetched.reactions.cache.get('123456789012345678')?.count).toBe(1);
    expect(fetched.reactions.cache.get('👍')?.count).toBe(1);
    const users = await fetched.reactions.cache.get('123456789012345678')!.users.fetch();
    expect([...users.keys()]).toEqual([alice.id]);

    const duplicate = next<[any, any]>(client, Events.MessageReactionAdd); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.replayLastDispatch();
    expect((await duplicate)[1].id).toBe(alice.id);
  });

  it('lets the bot reconcile reactions made while it was offline (message fetch + users.fetch, paginated)', async () => {
    const { fake, channel, gallery, alice, bob, carol } = await setup();
    const sent = await channel.send('a creation');
    await sent.react('👍'); // the bot's own reaction (echoed as MESSAGE_REACTION_ADD, like Discord)
    for (const u of [carol, alice, bob]) fake.react(gallery.id, sent.id, u.id, '👍', { silent: true });
    fake.react(gallery.id, sent.id, alice.id, '❤️', { silent: true });
    channel.messages.cache.clear();

    const message = await channel.messages.fetch(sent.id);
    const thumbs = message.reactions.cache.get('👍')!;
    expect(thumbs.count).toBe(4);
    expect(thumbs.me).toBe(true);
    expect(message.reactions.cache.get('❤️')?.count).toBe(1);
    const everyone = await thumbs.users.fetch();
    const expected = [fake.botUser.id, alice.id, bob.id, carol.id].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect([...everyone.keys()]).toEqual(expected);
    const firstPage = await thumbs.users.fetch({ limit: 2 });
    const secondPage = await thumbs.users.fetch({ limit: 2, after: [...firstPage.keys()].at(-1) });
    expect([...firstPage.keys(), ...secondPage.keys()]).toEqual(expected);
    expect(fake.requests.some((r) => r.path === `/channels/${gallery.id}/messages/${sent.id}/reactions/👍`)).toBe(true);

    const raw = (await channel.client.rest.get(`/channels/${gallery.id}/messages/${sent.id}`)) as { reactions: unknown[] };
    expect(raw.reactions[0]).toEqual({
      emoji: { id: null, name: '👍' },
      count: 4,
      count_details: { burst: 0, normal: 4 },
      burst_colors: [],
      me_burst: false,
      me: true,
    });
  });

  it('delivers reaction removals (one, one emoji, all) to discord.js', async () => {
    const { fake, client, gallery, alice, bob } = await setup();
    const post = fake.addMessage(gallery.id, { authorId: alice.id, content: 'p' }, { silent: true });
    fake.react(gallery.id, post.id, bob.id, '👍', { silent: true });
    fake.react(gallery.id, post.id, bob.id, 'salon:123456789012345678', { silent: true });
    const removed = next<[any, any]>(client, Events.MessageReactionRemove); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.unreact(gallery.id, post.id, bob.id, '👍');
    const [reaction, user] = await removed;
    expect([reaction.emoji.name, user.id]).toEqual(['👍', bob.id]);
    const emojiRemoved = next<[any]>(client, Events.MessageReactionRemoveEmoji); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.removeEmoji(gallery.id, post.id, 'salon:123456789012345678');
    expect((await emojiRemoved)[0].emoji.id).toBe('123456789012345678');
    fake.react(gallery.id, post.id, alice.id, '🎨', { silent: true });
    const allRemoved = next<[any]>(client, Events.MessageReactionRemoveAll); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.removeAllReactions(gallery.id, post.id);
    expect((await allRemoved)[0].id).toBe(post.id);
    expect(fake.messages(gallery.id)[0]?.reactions).toEqual([]);
  });

  it('takes files in an editReply (multipart webhook PATCH)', async () => {
    const { fake, client, guild, gallery, alice } = await setup();
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const json = Buffer.from(JSON.stringify({ creations: [] }));
      await interaction.editReply({ content: 'Your data', files: [new AttachmentBuilder(json, { name: 'salon-export.json' })] });
      await interaction.followUp({ content: 'Anything else?', flags: MessageFlags.Ephemeral });
    });
    const handle = fake.slashCommand({
      guildId: guild.id,
      channelId: gallery.id,
      userId: alice.id,
      name: 'privacy',
      options: [{ name: 'export', type: 1 }],
    });
    const reply = await handle.waitFor((m) => m.attachments.length > 0);
    expect(reply.attachments[0]?.filename).toBe('salon-export.json');
    expect(JSON.parse(reply.attachments[0]!.bytes.toString('utf8'))).toEqual({ creations: [] });
    await handle.waitFor((m) => m.content === 'Anything else?');
    expect(handle.followups().map((m) => m.flags & MessageFlags.Ephemeral)).toEqual([MessageFlags.Ephemeral]);
  });

  it('emits MESSAGE_DELETE for uncached messages', async () => {
    const { fake, client, gallery, alice } = await setup();
    const post = fake.addMessage(gallery.id, { authorId: alice.id, content: 'bye' }, { silent: true });
    const deleted = next<[any]>(client, Events.MessageDelete); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.deleteMessage(gallery.id, post.id);
    const [message] = await deleted;
    expect(message.id).toBe(post.id);
    expect(message.partial).toBe(true);
    expect(fake.messages(gallery.id)[0]?.deleted).toBe(true);
    await expect(client.rest.get(`/channels/${gallery.id}/messages/${post.id}`)).rejects.toMatchObject({ code: 10008 });
  });

  it('answers a button click with deferUpdate and edits the message', async () => {
    const { fake, client, channel, guild, gallery, bob } = await setup();
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('like').setLabel('Like').setStyle(ButtonStyle.Primary),
    );
    const sent = await channel.send({ content: 'vote', components: [row] });
    client.on(Events.InteractionCreate, async (interaction: Interaction) => {
      if (!interaction.isButton()) return;
      await interaction.deferUpdate();
      await interaction.editReply({ content: `liked by ${interaction.user.username}`, components: [] });
    });
    const handle = fake.clickButton({ guildId: guild.id, channelId: gallery.id, userId: bob.id, messageId: sent.id, customId: 'like' });
    expect((await handle.response()).type).toBe(6);
    const edited = await handle.waitFor((m) => m.content.startsWith('liked'));
    expect(edited.id).toBe(sent.id);
    expect(edited.components).toEqual([]);
    expect(edited.editedTimestamp).not.toBeNull();
    expect(() => fake.clickButton({ guildId: guild.id, channelId: gallery.id, userId: bob.id, messageId: sent.id, customId: 'nope' })).toThrow(/no button/);
  });

  it('returns Discord errors for forbidden and deleted channels, bad tokens and unknown routes', async () => {
    const { fake, channel, client, guild } = await setup();
    fake.forbidChannel(channel.id);
    await expect(channel.send('hi')).rejects.toMatchObject({ code: 50013, status: 403 });
    const other = fake.addChannel(guild.id, { name: 'digest' });
    fake.deleteChannel(other.id, { silent: true });
    await expect(client.rest.post(`/channels/${other.id}/messages`, { body: { content: 'x' } })).rejects.toMatchObject({
      code: 10003,
      status: 404,
    });
    const noAuth = await fetch(`${fake.apiUrl}/v10/users/@me`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    const unknown = await fetch(`${fake.apiUrl}/v10/nope`, { headers: { authorization: `Bot ${fake.botToken}` } });
    expect(unknown.status).toBe(404);
    expect(fake.unhandled.map((u) => u.path)).toEqual(['/nope']);
    await expect(client.rest.post(`/channels/${guild.id}/messages`, { body: {} })).rejects.toBeInstanceOf(DiscordAPIError);
  });

  it('injects 429 and 5xx failures that discord.js retries', async () => {
    const { fake, channel, gallery } = await setup();
    fake.fail({ method: 'POST', pathPattern: /\/messages$/, status: 429, headers: { 'retry-after': '0.01' } });
    fake.fail({ method: 'POST', pathPattern: /\/messages$/, status: 502 });
    await channel.send('eventually');
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${gallery.id}/messages`);
    expect(posts.map((r) => r.status)).toEqual([429, 502, 200]);
    expect(fake.messages(gallery.id)).toHaveLength(1);
  });

  it('stores application commands (bulk overwrite keeps ids and versions when unchanged)', async () => {
    const { fake, client, guild } = await setup();
    const definitions = [
      { name: 'imagine', description: 'Create an image', options: [{ type: 3, name: 'prompt', description: 'What to draw', required: true }] },
      { name: 'salon', description: 'Admin', default_member_permissions: PermissionFlagsBits.ManageGuild.toString() },
    ];
    const first = await client.application!.commands.set(definitions);
    const again = await client.application!.commands.set(definitions);
    expect([...again.keys()]).toEqual([...first.keys()]);
    expect(fake.commands().map((c) => (c as { version: string }).version)).toEqual([...first.values()].map((c) => c.version));
    expect(fake.commands()[1]).toMatchObject({ name: 'salon', default_member_permissions: '32' });
    await client.application!.commands.create({ name: 'top', description: 'Leaderboard' }, guild.id);
    expect(fake.commands(guild.id)).toHaveLength(1);
    await expect(client.application!.commands.set([{ name: 'Bad Name', description: 'x' }])).rejects.toMatchObject({ code: 50035 });
  });

  it('resumes after a dropped connection and replays events missed meanwhile', async () => {
    const { fake, client, gallery, alice } = await setup();
    const post = fake.addMessage(gallery.id, { authorId: alice.id, content: 'p' }, { silent: true });
    const resumed = next(client, Events.ShardResume, 3000);
    fake.disconnectAll();
    fake.react(gallery.id, post.id, alice.id, '🔥'); // buffered for the resumable session
    const added = next<[any, any]>(client, Events.MessageReactionAdd, 3000); // eslint-disable-line @typescript-eslint/no-explicit-any
    await resumed;
    expect((await added)[0].emoji.name).toBe('🔥');
    expect(fake.identifies).toHaveLength(1);
  });

  it('closes an IDENTIFY with privileged intents with 4014, like an app without them enabled', async () => {
    const f = await FakeDiscord.start();
    fake = f;
    const ws = new WebSocket(`${f.gatewayUrl}?v=10&encoding=json`);
    const hello = await new Promise<{ op: number; d: { heartbeat_interval: number } }>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    expect(hello).toMatchObject({ op: 10, d: { heartbeat_interval: 41250 } });
    ws.send(JSON.stringify({ op: 2, d: { token: f.botToken, intents: GatewayIntentBits.GuildMembers, properties: {} } }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4014);
    expect(f.identifyIntents).toBe(GatewayIntentBits.GuildMembers);
  });

  it('keeps super reactions apart from normal ones: counts, users by type, and burst gateway events', async () => {
    const { fake, client, channel, gallery, alice, bob } = await setup();
    const sent = await channel.send('a creation');
    const added = next<[any, any, { type: number; burst: boolean }]>(client, Events.MessageReactionAdd); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.react(gallery.id, sent.id, alice.id, '🔥', { burst: true });
    const [reaction, user, details] = await added;
    expect([reaction.emoji.name, user.id, details]).toEqual(['🔥', alice.id, { type: 1, burst: true }]);
    fake.react(gallery.id, sent.id, alice.id, '🔥'); // the same member's normal reaction is a second reaction
    fake.react(gallery.id, sent.id, bob.id, '🔥', { silent: true });

    const raw = (await client.rest.get(`/channels/${gallery.id}/messages/${sent.id}`)) as { reactions: unknown[] };
    expect(raw.reactions).toEqual([
      { emoji: { id: null, name: '🔥' }, count: 3, count_details: { burst: 1, normal: 2 }, burst_colors: ['#f1c40f', '#e67e22'], me_burst: false, me: false },
    ]);
    const users = async (type?: string) =>
      ((await client.rest.get(`/channels/${gallery.id}/messages/${sent.id}/reactions/${encodeURIComponent('🔥')}`, { query: new URLSearchParams(type ? { type } : {}) })) as { id: string }[]).map((u) => u.id);
    expect(await users()).toEqual([alice.id, bob.id]);
    expect(await users('0')).toEqual([alice.id, bob.id]);
    expect(await users('1')).toEqual([alice.id]);
    await expect(users('2')).rejects.toMatchObject({ status: 400, code: 50035 });

    const removed = next<[any, any, { type: number; burst: boolean }]>(client, Events.MessageReactionRemove); // eslint-disable-line @typescript-eslint/no-explicit-any
    fake.unreact(gallery.id, sent.id, alice.id, '🔥', { burst: true });
    expect((await removed)[2]).toEqual({ type: 1, burst: true });
    expect(await users('1')).toEqual([]);
    expect(await users()).toEqual([alice.id, bob.id]);
  });

  it('reads an emoji from the path as Discord does: percent-encoded arrives whole, a raw # never reaches the route', async () => {
    const { fake, client, gallery, alice } = await setup();
    const post = fake.addMessage(gallery.id, { authorId: alice.id, content: 'p' }, { silent: true });
    fake.react(gallery.id, post.id, alice.id, '#️⃣', { silent: true });
    const route = (emoji: string): `/${string}` => `/channels/${gallery.id}/messages/${post.id}/reactions/${emoji}`;
    expect(((await client.rest.get(route(encodeURIComponent('#️⃣')))) as { id: string }[]).map((u) => u.id)).toEqual([alice.id]);
    // Unencoded, "#️⃣" and everything after it (the query too) is the URL's fragment: the request ends at "/reactions/".
    await expect(client.rest.get(route('#️⃣'), { query: new URLSearchParams({ limit: '100' }) })).rejects.toMatchObject({ status: 404 });
    expect(fake.requests.at(-1)).toMatchObject({ path: `/channels/${gallery.id}/messages/${post.id}/reactions/`, status: 404 });
    expect(String(fake.requests.at(-1)!.query)).toBe('');
  });

  it('dedupes an enforced nonce by author across channels, for a bounded window on its own clock', async () => {
    const { fake, client, guild, gallery } = await setup({ nonceWindowMs: 60_000 });
    const other = fake.addChannel(guild.id, { name: 'other' });
    const post = (channelId: string, nonce: string) =>
      client.rest.post(`/channels/${channelId}/messages`, { body: { content: `in ${channelId}`, nonce, enforce_nonce: true } }) as Promise<{ id: string; channel_id: string }>;
    const first = await post(gallery.id, 'same-nonce');
    // Another channel, same author, same nonce: Discord returns the first message.
    expect(await post(other.id, 'same-nonce')).toMatchObject({ id: first.id, channel_id: gallery.id });
    expect(fake.messages(other.id)).toHaveLength(0);
    const elsewhere = await post(other.id, 'other-nonce');
    expect(elsewhere.channel_id).toBe(other.id);
    // Without enforce_nonce a nonce dedupes nothing.
    await client.rest.post(`/channels/${other.id}/messages`, { body: { content: 'again', nonce: 'other-nonce' } });
    expect(fake.messages(other.id)).toHaveLength(2);
    fake.advanceTime(60_001);
    expect((await post(other.id, 'same-nonce')).id).not.toBe(first.id);
    expect(fake.messages(other.id)).toHaveLength(3);
  });

  it('refuses an interaction token 15 minutes after the interaction, with 401 50027, for edits and follow-ups alike', async () => {
    const { fake, client, guild, gallery, alice } = await setup();
    const deferred = new Promise<Interaction>((resolve) => {
      client.on(Events.InteractionCreate, async (interaction: Interaction) => {
        if (!interaction.isChatInputCommand()) return;
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        resolve(interaction);
      });
    });
    const handle = fake.slashCommand({ guildId: guild.id, channelId: gallery.id, userId: alice.id, name: 'imagine' });
    const interaction = (await deferred) as Interaction & { editReply(o: unknown): Promise<unknown>; followUp(o: unknown): Promise<unknown> };
    fake.advanceTime(15 * 60_000 - 1_000);
    await interaction.editReply({ content: 'still in time' });
    expect(handle.original()?.content).toBe('still in time');
    fake.advanceTime(1_000);
    await expect(interaction.editReply({ content: 'too late' })).rejects.toMatchObject({ status: 401, code: 50027, message: 'Invalid Webhook Token' });
    await expect(interaction.followUp({ content: 'too late' })).rejects.toMatchObject({ status: 401, code: 50027 });
    expect(handle.original()?.content).toBe('still in time');
    // A token Discord never issued is a different error.
    await expect(client.rest.patch(`/webhooks/${fake.applicationId}/not-a-token/messages/@original`, { body: { content: 'x' }, auth: false })).rejects.toMatchObject({ status: 404, code: 10015 });
  });

  it('opens a DM channel and delivers the bot\'s DMs, unless the member closed them (403 50007)', async () => {
    const { fake, client, alice, bob } = await setup();
    const dm = (await client.rest.post('/users/@me/channels', { body: { recipient_id: alice.id } })) as { id: string; type: number; recipients: { id: string }[] };
    expect(dm).toMatchObject({ type: 1, recipients: [{ id: alice.id }] });
    expect(((await client.rest.post('/users/@me/channels', { body: { recipient_id: alice.id } })) as { id: string }).id).toBe(dm.id);
    await client.rest.post(`/channels/${dm.id}/messages`, { body: { content: 'hello alice' } });
    expect(fake.dms(alice.id).map((m) => [m.content, m.guildId])).toEqual([['hello alice', null]]);
    fake.closeDms(bob.id);
    const bobs = (await client.rest.post('/users/@me/channels', { body: { recipient_id: bob.id } })) as { id: string };
    await expect(client.rest.post(`/channels/${bobs.id}/messages`, { body: { content: 'hello bob' } })).rejects.toMatchObject({ status: 403, code: 50007 });
    expect(fake.dms(bob.id)).toEqual([]);
  });

  it('refuses interaction callbacks after the deadline', async () => {
    const { fake, client, guild, gallery, alice } = await setup({ interactionDeadlineMs: 20 });
    const failure = new Promise<unknown>((resolve) => {
      client.on(Events.InteractionCreate, async (interaction: Interaction) => {
        if (!interaction.isChatInputCommand()) return;
        await new Promise((r) => setTimeout(r, 40));
        resolve(await interaction.reply('late').catch((error: unknown) => error));
      });
    });
    fake.slashCommand({ guildId: guild.id, channelId: gallery.id, userId: alice.id, name: 'top' });
    expect(await failure).toMatchObject({ code: 10062 });
  });
});
