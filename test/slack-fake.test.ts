/**
 * Proves the loopback Slack (test/support/slack) against the real Bolt 5 `App` (HTTPReceiver and Socket Mode)
 * and the real @slack/web-api WebClient.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { type WebAPIPlatformError, WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack, type FakeSlackOptions } from './support/slack/index.js';

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let fake: FakeSlack | undefined;
let app: App | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
  await fake?.close();
  fake = undefined;
});

/** A fake with a workspace: an admin, a member, a gallery the bot is in, and a channel it is not in. */
async function workspace(options: FakeSlackOptions = {}) {
  const f = await FakeSlack.start(options);
  fake = f;
  const admin = f.addUser({ name: 'alice', isAdmin: true });
  const owner = f.addUser({ name: 'olga', isAdmin: true, isOwner: true });
  const member = f.addUser({ name: 'bob' });
  const gallery = f.addChannel({ name: 'gallery' });
  const outside = f.addChannel({ name: 'random', botIsMember: false });
  return { f, admin, owner, member, gallery, outside };
}

/** A real Bolt App over HTTP on an ephemeral port, pointed at the fake. `register` adds listeners before start. */
async function httpApp(f: FakeSlack, register: (a: App) => void = () => {}): Promise<App> {
  const a = new App({
    token: f.botToken,
    signingSecret: f.signingSecret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 } },
  });
  register(a);
  app = a;
  const server = (await a.start(0)) as Server;
  f.setBotEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  return a;
}

/** A real Bolt App in Socket Mode (apps.connections.open goes to the fake through clientOptions.slackApiUrl). */
async function socketApp(f: FakeSlack, register: (a: App) => void = () => {}): Promise<App> {
  const a = new App({
    token: f.botToken,
    appToken: f.appToken,
    socketMode: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 } },
  });
  register(a);
  app = a;
  await a.start();
  return a;
}

function platformError(e: unknown): string | undefined {
  return (e as WebAPIPlatformError).data?.error;
}

describe('FakeSlack over HTTP (Bolt HTTPReceiver)', () => {
  it('acks a signed slash command and records respond() on the response_url', async () => {
    const { f, admin, gallery } = await workspace();
    const seen: Record<string, unknown>[] = [];
    await httpApp(f, (a) =>
      a.command('/imagine', async ({ ack, respond, command }) => {
        seen.push({ ...command });
        await ack();
        await respond({ text: `Queued: ${command.text}` });
      }),
    );

    const handle = await f.slashCommand({ command: '/imagine', text: 'a cat --aspect square', userId: admin.id, channelId: gallery.id });
    expect(handle.transport).toBe('http');
    expect(handle.status).toBe(200);
    expect(handle.body).toBe('');
    expect(handle.ackMs).toBeLessThan(3000);
    expect(handle.timedOut).toBe(false);

    const response = await handle.waitForResponse();
    expect(response).toMatchObject({ responseType: 'ephemeral', text: 'Queued: a cat --aspect square', replaceOriginal: false });
    expect(f.ephemerals(admin.id)).toEqual([
      expect.objectContaining({ channel: gallery.id, user: admin.id, text: 'Queued: a cat --aspect square', source: 'response_url' }),
    ]);
    expect(seen[0]).toMatchObject({
      command: '/imagine',
      text: 'a cat --aspect square',
      user_id: admin.id,
      user_name: 'alice',
      channel_id: gallery.id,
      channel_name: 'gallery',
      team_id: f.teamId,
      api_app_id: f.appId,
      is_enterprise_install: 'false',
      response_url: handle.responseUrl,
      trigger_id: handle.triggerId,
    });
  });

  it('shows an ack body as an ephemeral, and in_channel responses as channel messages', async () => {
    const { f, member, gallery } = await workspace();
    await httpApp(f, (a) =>
      a.command('/salon', async ({ ack, respond, command }) => {
        if (command.text === 'help') return ack({ text: 'Usage: /salon top' });
        await ack();
        await respond({ response_type: 'in_channel', text: 'Top of the week' });
      }),
    );
    const help = await f.slashCommand({ command: '/salon', text: 'help', userId: member.id, channelId: gallery.id });
    expect(help.ackJson).toEqual({ text: 'Usage: /salon top' });
    expect(f.ephemerals(member.id).map((e) => [e.source, e.text])).toEqual([['ack', 'Usage: /salon top']]);

    await f.slashCommand({ command: '/salon', text: 'top', userId: member.id, channelId: gallery.id });
    const posted = await f.waitForMessage(gallery.id, (m) => m.text === 'Top of the week');
    expect(posted).toMatchObject({ source: 'response_url', user: f.botUserId });
  });

  it('is refused by Bolt with a bad signature or a stale timestamp (401), and answers url_verification', async () => {
    const { f, admin, gallery } = await workspace();
    let called = 0;
    await httpApp(f, (a) =>
      a.command('/imagine', async ({ ack }) => {
        called += 1;
        await ack();
      }),
    );
    const bad = await f.slashCommand({ command: '/imagine', text: 'x', userId: admin.id, channelId: gallery.id, signature: 'bad' });
    expect(bad.status).toBe(401);
    const stale = await f.slashCommand({ command: '/imagine', text: 'x', userId: admin.id, channelId: gallery.id, timestampSkewSeconds: -301 });
    expect(stale.status).toBe(401);
    // Slack shows the user its own error notice when the app does not answer 200.
    expect(f.ephemerals(admin.id).map((e) => e.text)).toEqual([
      '/imagine failed with the error "dispatch_failed"',
      '/imagine failed with the error "dispatch_failed"',
    ]);
    const fresh = await f.slashCommand({ command: '/imagine', text: 'x', userId: admin.id, channelId: gallery.id, timestampSkewSeconds: -60 });
    expect(fresh.status).toBe(200);
    expect(called).toBe(1);

    const raw = await f.postSigned(JSON.stringify({ type: 'event_callback' }), 'application/json', { signature: 'bad' });
    expect(raw.status).toBe(401);
    const verification = await f.urlVerification();
    expect(verification.status).toBe(200);
    expect(verification.echoed).toBe(verification.sent);
  });

  it('delivers reaction_added / reaction_removed / message_deleted events, and retries with the same event_id', async () => {
    const { f, admin, gallery } = await workspace();
    const events: { type: string; event: Record<string, unknown>; retryNum: number | undefined; eventId: unknown }[] = [];
    await httpApp(f, (a) => {
      for (const type of ['reaction_added', 'reaction_removed'] as const) {
        a.event(type, async ({ event, context, body }) => {
          events.push({ type, event: { ...event }, retryNum: context.retryNum, eventId: body.event_id });
        });
      }
      a.event('message', async ({ event, body }) => {
        events.push({ type: 'message', event: { ...event }, retryNum: undefined, eventId: body.event_id });
      });
    });
    const posted = await app!.client.chat.postMessage({ channel: gallery.id, text: 'A cat', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'A cat' } }] });
    const ts = posted.ts!;

    const delivery = await f.react(gallery.id, ts, admin.id, '+1');
    expect(delivery).toMatchObject({ status: 200, transport: 'http', timedOut: false });
    expect(delivery!.eventId).toMatch(/^Ev/);
    expect(delivery!.envelope).toMatchObject({ type: 'event_callback', team_id: f.teamId, authorizations: [{ user_id: f.botUserId, is_bot: true }] });
    expect(events[0]).toMatchObject({
      type: 'reaction_added',
      event: { user: admin.id, reaction: '+1', item: { type: 'message', channel: gallery.id, ts }, item_user: f.botUserId },
      retryNum: undefined,
    });

    const retry = await f.redeliver(delivery!);
    expect(retry).toMatchObject({ eventId: delivery!.eventId, retryNum: 1, retryReason: 'http_timeout', status: 200 });
    expect(events[1]).toMatchObject({ type: 'reaction_added', retryNum: 1, eventId: delivery!.eventId });
    const duplicate = await f.redeliver(delivery!, { newEventId: true });
    expect(duplicate.eventId).not.toBe(delivery!.eventId);
    expect(duplicate.retryNum).toBeUndefined();

    expect(await f.react(gallery.id, ts, admin.id, '+1')).toBeNull(); // already reacted: nothing to send
    await f.unreact(gallery.id, ts, admin.id, '+1');
    expect(events.at(-1)).toMatchObject({ type: 'reaction_removed', event: { reaction: '+1', user: admin.id } });

    await f.deleteMessage(gallery.id, ts);
    expect(events.at(-1)).toMatchObject({
      type: 'message',
      event: { subtype: 'message_deleted', channel: gallery.id, deleted_ts: ts, hidden: true, previous_message: { ts, text: 'A cat' } },
    });
    expect(f.message(gallery.id, ts)?.deleted).toBe(true);
  });

  it('routes a button click with block_actions and applies replace_original', async () => {
    const { f, member, gallery } = await workspace();
    const values: unknown[] = [];
    await httpApp(f, (a) =>
      a.action('like', async ({ ack, body, respond }) => {
        await ack();
        values.push((body as { actions: { value?: string }[] }).actions[0]?.value);
        await respond({ replace_original: true, text: 'Liked!' });
      }),
    );
    const posted = await app!.client.chat.postMessage({
      channel: gallery.id,
      text: 'Pick one',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'like', text: { type: 'plain_text', text: 'Like' }, value: 'img-1' }] }],
    });
    const click = await f.clickButton({ userId: member.id, channelId: gallery.id, messageTs: posted.ts!, actionId: 'like' });
    expect(click.status).toBe(200);
    expect(click.payload).toMatchObject({ type: 'block_actions', container: { message_ts: posted.ts, channel_id: gallery.id } });
    await click.waitForResponse();
    expect(values).toEqual(['img-1']);
    expect(f.message(gallery.id, posted.ts!)).toMatchObject({ text: 'Liked!' });
    await expect(f.clickButton({ userId: member.id, channelId: gallery.id, messageTs: posted.ts!, actionId: 'nope' })).rejects.toThrow(/no element/);
  });
});

describe('FakeSlack Web API (real WebClient)', () => {
  it('files.uploadV2 ends with a message carrying the bytes; files.info shows the share only after it lands', async () => {
    const { f, gallery } = await workspace({ fileShareDelayMs: 150 });
    const client = new WebClient(f.botToken, { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    const result = (await client.files.uploadV2({ channel_id: gallery.id, file: PNG_1X1, filename: 'cat.png', initial_comment: 'A cat by <@U1>' })) as unknown as {
      ok: boolean;
      files: { files: { id: string }[] }[];
    };
    // uploadV2 answers one completeUploadExternal result per completion job: the file id is nested twice.
    const fileId = result.files[0]!.files[0]!.id;
    expect(f.callsTo('files.getUploadURLExternal')[0]!.args).toMatchObject({ filename: 'cat.png', length: String(PNG_1X1.length) });
    expect(f.callsTo('files.completeUploadExternal')[0]!.args).toMatchObject({
      channel_id: gallery.id,
      initial_comment: 'A cat by <@U1>',
      files: [{ id: fileId, title: 'cat.png' }],
    });

    const before = await client.files.info({ file: fileId });
    expect(before.file?.shares).toEqual({});
    expect(f.messages(gallery.id)).toHaveLength(0);

    const message = await f.waitForMessage(gallery.id, (m) => m.files.length > 0);
    expect(message).toMatchObject({ text: 'A cat by <@U1>', user: f.botUserId, source: 'file_share' });
    expect(message.files[0]!.bytes.equals(PNG_1X1)).toBe(true);
    expect(message.files[0]).toMatchObject({ id: fileId, name: 'cat.png', mimetype: 'image/png' });
    const after = await client.files.info({ file: fileId });
    expect(after.file?.shares?.public?.[gallery.id]?.[0]?.ts).toBe(message.ts);

    const download = await fetch(after.file!.url_private!, { headers: { authorization: `Bearer ${f.botToken}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });

  it('reactions.get returns reactions; postEphemeral, permalinks, users.info and errors behave like Slack', async () => {
    const { f, admin, owner, member, gallery, outside } = await workspace();
    const client = new WebClient(f.botToken, { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    const { ts } = await client.chat.postMessage({ channel: gallery.id, text: 'A cat' });
    const plain = await client.reactions.get({ channel: gallery.id, timestamp: ts!, full: true });
    expect(plain.message).not.toHaveProperty('reactions'); // Slack leaves the key out when there are none
    await f.react(gallery.id, ts!, admin.id, '+1', { silent: true });
    await f.react(gallery.id, ts!, member.id, '+1', { silent: true });
    await f.react(gallery.id, ts!, member.id, 'fire', { silent: true });
    const got = await client.reactions.get({ channel: gallery.id, timestamp: ts!, full: true });
    expect(got).toMatchObject({ ok: true, type: 'message', channel: gallery.id });
    expect(got.message?.reactions).toEqual([
      { name: '+1', users: [admin.id, member.id], count: 2 },
      { name: 'fire', users: [member.id], count: 1 },
    ]);

    const eph = await client.chat.postEphemeral({ channel: gallery.id, user: member.id, text: 'Only you can see this' });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(f.ephemerals(member.id)).toEqual([expect.objectContaining({ text: 'Only you can see this', source: 'chat.postEphemeral' })]);
    expect(f.messages(gallery.id).map((m) => m.text)).toEqual(['A cat']);

    const link = await client.chat.getPermalink({ channel: gallery.id, message_ts: ts! });
    expect(link.permalink).toBe(`https://fake.slack.com/archives/${gallery.id}/p${ts!.replace('.', '')}`);

    expect((await client.users.info({ user: admin.id })).user).toMatchObject({ is_admin: true, is_owner: false, is_bot: false });
    expect((await client.users.info({ user: owner.id })).user).toMatchObject({ is_admin: true, is_owner: true });
    expect((await client.users.info({ user: member.id })).user).toMatchObject({ is_admin: false, is_owner: false });
    expect((await client.users.info({ user: f.botUserId })).user).toMatchObject({ is_bot: true });
    expect((await client.conversations.info({ channel: outside.id })).channel).toMatchObject({ name: 'random', is_member: false });

    const errors = await Promise.all([
      client.chat.postMessage({ channel: outside.id, text: 'x' }).catch(platformError),
      client.chat.postMessage({ channel: 'C0NOPE', text: 'x' }).catch(platformError),
      client.users.info({ user: 'U0NOPE' }).catch(platformError),
      client.apiCall('chat.teleport', {}).catch(platformError),
      client.apps.connections.open({}).catch(platformError),
      new WebClient('xoxb-wrong', { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 } }).auth.test().catch(platformError),
    ]);
    expect(errors).toEqual(['not_in_channel', 'channel_not_found', 'user_not_found', 'unknown_method', 'not_allowed_token_type', 'invalid_auth']);
    expect(f.calls.map((c) => c.method)).toContain('chat.teleport');
  });

  it('injects failures: error codes once, then 429 with Retry-After', async () => {
    const { f, gallery } = await workspace();
    const client = new WebClient(f.botToken, {
      slackApiUrl: f.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    f.fail({ method: 'chat.postMessage', error: 'channel_not_found' });
    expect(await client.chat.postMessage({ channel: gallery.id, text: 'x' }).catch(platformError)).toBe('channel_not_found');
    expect((await client.chat.postMessage({ channel: gallery.id, text: 'x' })).ok).toBe(true);
    f.fail({ method: 'files.info', error: 'ratelimited', retryAfterSeconds: 7 });
    const limited = await client.files.info({ file: 'F0' }).catch((e: { code?: string; retryAfter?: number }) => e);
    expect(limited).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
    expect(f.callsTo('files.info')[0]).toMatchObject({ status: 429, ok: false, error: 'ratelimited' });
  });
});

describe('FakeSlack at the edges Slack documents', () => {
  it('carries out a dropped call and loses its answer: the SDK retrying it posts twice', async () => {
    const { f, gallery } = await workspace();
    const once = new WebClient(f.botToken, { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    f.drop({ method: 'chat.postMessage' });
    const lost = await once.chat.postMessage({ channel: gallery.id, text: 'first' }).catch((e: { code?: string }) => e);
    expect(lost).toMatchObject({ code: 'slack_webapi_request_error' });
    expect(f.messages(gallery.id).map((m) => m.text)).toEqual(['first']); // Slack did it
    expect(f.callsTo('chat.postMessage')[0]).toMatchObject({ ok: true, dropped: 'destroy' });

    // `hang`: no answer at all, until the client gives up.
    const patient = new WebClient(f.botToken, { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 }, timeout: 300, logLevel: LogLevel.ERROR });
    f.drop({ method: 'chat.postMessage', how: 'hang' });
    expect(await patient.chat.postMessage({ channel: gallery.id, text: 'second' }).catch((e: { code?: string }) => e)).toMatchObject({ code: 'slack_webapi_request_error' });
    expect(f.messages(gallery.id).map((m) => m.text)).toEqual(['first', 'second']);

    // What a retrying client does with a lost answer.
    const retrying = new WebClient(f.botToken, { slackApiUrl: f.apiUrl, retryConfig: { retries: 1, minTimeout: 10 }, logLevel: LogLevel.ERROR });
    f.drop({ method: 'chat.postMessage' });
    expect((await retrying.chat.postMessage({ channel: gallery.id, text: 'third' })).ok).toBe(true);
    expect(f.messages(gallery.id).map((m) => m.text)).toEqual(['first', 'second', 'third', 'third']);
  });

  it('takes a response_url 5 times, then answers 404 used_url; and 404 expired_url 30 minutes after it was issued', async () => {
    const { f, member, gallery } = await workspace();
    await httpApp(f, (a) => a.command('/imagine', async ({ ack }) => ack()));
    const postTo = (url: string, text: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });

    const spent = await f.slashCommand({ command: '/imagine', text: 'a cat', userId: member.id, channelId: gallery.id });
    for (let i = 1; i <= 5; i++) expect((await postTo(spent.responseUrl, `update ${i}`)).status).toBe(200);
    const sixth = await postTo(spent.responseUrl, 'update 6');
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    expect(spent.responses().map((r) => r.text)).toEqual(['update 1', 'update 2', 'update 3', 'update 4', 'update 5']);
    expect(spent.refusedResponses()).toEqual(['used_url']);
    expect(f.ephemerals(member.id).map((e) => e.text)).not.toContain('update 6');

    const late = await f.slashCommand({ command: '/imagine', text: 'a dog', userId: member.id, channelId: gallery.id });
    expect((await postTo(late.responseUrl, 'in time')).status).toBe(200);
    const before = f.now();
    f.advanceClock(30 * 60_000);
    expect(f.now() - before).toBeGreaterThanOrEqual(30 * 60_000);
    const expired = await postTo(late.responseUrl, 'too late');
    expect([expired.status, await expired.text()]).toEqual([404, 'expired_url']);
    expect(late.refusedResponses()).toEqual(['expired_url']);
    expect(() => f.advanceClock(-1)).toThrow(/forward/);
  });

  it('lists another app\'s bot message and a webhook\'s as Slack does, and fails calls for one argument value only', async () => {
    const { f, admin, member, gallery } = await workspace();
    const other = f.addUser({ name: 'copycat', isBot: true });
    f.addBotMessage(gallery.id, { userId: other.id, text: 'mine', fileTitles: ['Salon creation #1'] });
    f.addBotMessage(gallery.id, { text: 'from a webhook' });
    expect(() => f.addBotMessage(gallery.id, { userId: member.id, text: 'x' })).toThrow(/not a bot/);
    const client = new WebClient(f.botToken, { slackApiUrl: f.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    const { messages } = await client.conversations.history({ channel: gallery.id });
    expect(messages?.[1]).toMatchObject({ user: other.id, bot_id: `B${other.id.slice(1)}`, text: 'mine', files: [{ title: 'Salon creation #1', user: other.id }] });
    expect(messages?.[1]).not.toHaveProperty('bot_profile');
    expect(messages?.[0]).toMatchObject({ subtype: 'bot_message', text: 'from a webhook', bot_id: expect.stringMatching(/^B/) as string });
    expect(messages?.[0]).not.toHaveProperty('user');

    f.fail({ method: 'users.info', error: 'internal_error', where: { user: other.id }, times: Infinity });
    expect(await client.users.info({ user: other.id }).catch(platformError)).toBe('internal_error');
    expect((await client.users.info({ user: admin.id })).ok).toBe(true);
    expect(await client.users.info({ user: other.id }).catch(platformError)).toBe('internal_error');
  });
});

describe('FakeSlack over Socket Mode (Bolt SocketModeReceiver)', () => {
  it('connects through apps.connections.open, acks a slash command envelope and delivers events', async () => {
    const { f, admin, gallery } = await workspace();
    const reactions: string[] = [];
    await socketApp(f, (a) => {
      a.command('/imagine', async ({ ack, respond, command }) => {
        await ack({ text: `On it: ${command.text}` });
        await respond({ text: 'Done' });
      });
      a.event('reaction_added', async ({ event }) => {
        reactions.push(event.reaction);
      });
    });
    expect(f.socketConnections).toBe(1);
    expect(f.callsTo('apps.connections.open')[0]).toMatchObject({ tokenType: 'app', ok: true });

    const handle = await f.slashCommand({ command: '/imagine', text: 'a dog', userId: admin.id, channelId: gallery.id });
    expect(handle).toMatchObject({ transport: 'socket', status: 200, timedOut: false, ackJson: { text: 'On it: a dog' } });
    expect(handle.ackMs).toBeLessThan(3000);
    await handle.waitForResponse((r) => r.text === 'Done');
    expect(f.ephemerals(admin.id).map((e) => [e.source, e.text])).toEqual([
      ['ack', 'On it: a dog'],
      ['response_url', 'Done'],
    ]);

    const { ts } = await app!.client.chat.postMessage({ channel: gallery.id, text: 'A dog' });
    const delivery = await f.react(gallery.id, ts!, admin.id, 'fire');
    expect(delivery).toMatchObject({ transport: 'socket', status: 200 });
    expect(reactions).toEqual(['fire']);
  });
});
