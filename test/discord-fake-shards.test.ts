/**
 * The loopback Discord's sharding, as Discord documents it: `GET /gateway/bot` tells the shards and
 * `max_concurrency`, IDENTIFY's `shard` is checked (4010, 4011), each guild's events reach only its shard's session, and
 * a bucket that identifies again within 5 s gets Invalid Session.
 */
import { once } from 'node:events';
import { GatewayIntentBits } from 'discord.js';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDiscord, type FakeDiscordOptions } from './support/discord/index.js';

const INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.GuildMessageReactions;

/** A guild id on shard `shard` of `count`: Discord's shard is `(guild_id >> 22) % count`. */
const guildIdOn = (shard: number, count: number, n: number) => String(BigInt(2 ** 40 + n * count + shard) << 22n);

let fake: FakeDiscord | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeDiscordOptions): Promise<FakeDiscord> {
  fake = await FakeDiscord.start(options);
  return fake;
}

/** A raw gateway connection that has sent IDENTIFY: what it received, and how it closed. */
async function identify(f: FakeDiscord, shard?: [number, number]) {
  const ws = new WebSocket(`${f.gatewayUrl}?v=10&encoding=json`);
  sockets.push(ws);
  const received: { op: number; t?: string; d: any }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const closed = once(ws, 'close').then(([code]) => code as number);
  await new Promise<void>((resolve) =>
    ws.on('message', (data) => {
      const payload = JSON.parse(String(data));
      received.push(payload);
      if (payload.op === 10) resolve();
    }),
  );
  ws.send(JSON.stringify({ op: 2, d: { token: f.botToken, intents: INTENTS, properties: {}, ...(shard ? { shard } : {}) } }));
  const dispatched = (event: string) => received.filter((p) => p.t === event);
  return { ws, received, closed, dispatched };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('the loopback Discord with several shards', () => {
  it('tells the recommended shard count and max_concurrency on GET /gateway/bot', async () => {
    const f = await start({ shards: 4, maxConcurrency: 2 });
    const response = await fetch(`${f.apiUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${f.botToken}` } });
    expect(await response.json()).toMatchObject({ url: f.gatewayUrl, shards: 4, session_start_limit: { max_concurrency: 2 } });
  });

  it('closes an IDENTIFY with an invalid shard with 4010, and one that would hold too many guilds with 4011', async () => {
    const f = await start({ maxGuildsPerShard: 1, maxConcurrency: 16 });
    f.addGuild({ id: guildIdOn(0, 2, 0) });
    f.addGuild({ id: guildIdOn(1, 2, 0) });
    expect(await (await identify(f, [2, 2])).closed).toBe(4010);
    expect(await (await identify(f)).closed).toBe(4011); // no shard: one session for both guilds
    expect(await (await identify(f, [0, 1])).closed).toBe(4011);
    const sharded = await identify(f, [1, 2]);
    await until(() => sharded.dispatched('GUILD_CREATE').length === 1);
    expect(sharded.dispatched('READY')[0]!.d).toMatchObject({ shard: [1, 2], guilds: [{ id: guildIdOn(1, 2, 0) }] });
  });

  it("sends each guild's events only to the session of its shard", async () => {
    const f = await start({ shards: 2, maxConcurrency: 2 });
    const guilds = [0, 1].map((shard) => f.addGuild({ id: guildIdOn(shard, 2, 0) }));
    const channels = guilds.map((g) => f.addChannel(g.id, { name: 'gallery' }));
    const member = f.addUser({ username: 'ana' });
    for (const g of guilds) f.addMember(g.id, member.id);
    const posts = channels.map((c) => f.addMessage(c.id, { authorId: member.id, content: 'p' }, { silent: true }));
    const sessions = [await identify(f, [0, 2]), await identify(f, [1, 2])];
    await until(() => sessions.every((s) => s.dispatched('GUILD_CREATE').length === 1));
    expect(sessions.map((s) => s.dispatched('GUILD_CREATE')[0]!.d.id)).toEqual(guilds.map((g) => g.id));

    f.react(channels[1]!.id, posts[1]!.id, member.id, '🔥');
    f.react(channels[0]!.id, posts[0]!.id, member.id, '👍');
    await until(() => sessions.every((s) => s.dispatched('MESSAGE_REACTION_ADD').length > 0));
    expect(sessions.map((s) => s.dispatched('MESSAGE_REACTION_ADD').map((p) => p.d.emoji.name))).toEqual([['👍'], ['🔥']]);
  });

  it('answers a second IDENTIFY of one bucket within 5 seconds with Invalid Session, and lets other buckets identify', async () => {
    const f = await start({ shards: 4, maxConcurrency: 2 });
    const first = await identify(f, [0, 4]);
    const otherBucket = await identify(f, [1, 4]);
    const sameBucket = await identify(f, [2, 4]); // 2 % 2 = bucket 0, like shard 0
    await until(() => sameBucket.received.some((p) => p.op === 9) && otherBucket.dispatched('READY').length === 1);
    expect(sameBucket.received.find((p) => p.op === 9)).toMatchObject({ op: 9, d: false });
    expect(sameBucket.dispatched('READY')).toHaveLength(0);
    expect(first.dispatched('READY')).toHaveLength(1);
    expect(f.refusedIdentifies).toMatchObject([{ shard: [2, 4], bucket: 0 }]);
  });
});
