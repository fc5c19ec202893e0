/**
 * A loopback Slack that the real Bolt `App` and `WebClient` talk to in tests: the Web API (`apiUrl`), a
 * driver sending signed slash commands / button clicks / Events API deliveries to the bot's HTTP endpoint,
 * and a Socket Mode server.
 *
 * ```ts
 * const fake = await FakeSlack.start();
 * const alice = fake.addUser({ name: 'alice', isAdmin: true });
 * const gallery = fake.addChannel({ name: 'gallery' });
 * const app = new App({ token: fake.botToken, signingSecret: fake.signingSecret,
 *   clientOptions: { slackApiUrl: fake.apiUrl } });
 * const server = (await app.start(0)) as Server;
 * fake.setBotEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
 * const handle = await fake.slashCommand({ command: '/imagine', text: 'a cat', userId: alice.id, channelId: gallery.id });
 * ```
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BotDriver } from './driver.js';
import { EventSender } from './events.js';
import { readBody, sendText } from './http.js';
import { IdFactory, hexSecret, makeAppToken, makeBotToken, makeSigningSecret, makeVerificationToken } from './ids.js';
import { Interactions, parseJson } from './interactions.js';
import { Views } from './views.js';
import { chatMethods } from './methods-chat.js';
import { UploadTokens, fileMethods, handleDownload, handleUpload } from './methods-files.js';
import { miscMethods } from './methods-misc.js';
import { ResponseUrls } from './response-url.js';
import type { SignOptions } from './signing.js';
import { SocketModeServer } from './socket-mode.js';
import { type SlackIdentity, SlackState, describeItems } from './state.js';
import type {
  CallHold,
  DropRule,
  EventDelivery,
  FailRule,
  FakeSlackChannel,
  FakeSlackEphemeral,
  FakeSlackFile,
  FakeSlackMessage,
  FakeSlackOptions,
  FakeSlackUser,
  HoldRule,
  RecordedCall,
  SlackCommandHandle,
} from './types.js';
import { type MethodHost, WebApi } from './web-api.js';

type Json = Record<string, unknown>;

/** The loopback Slack. Create with {@link FakeSlack.start}; always {@link FakeSlack.close} it (after stopping the app). */
export class FakeSlack {
  /** `http://127.0.0.1:PORT/api/`: `clientOptions.slackApiUrl` for Bolt / the WebClient, or `SLACK_API_URL`. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT/` */
  readonly baseUrl: string;
  readonly botToken: string;
  readonly signingSecret: string;
  /** App-level token (`xapp-…`) for Socket Mode (`new App({ socketMode: true, appToken })`). */
  readonly appToken: string;
  /** The deprecated verification token Slack still puts in payloads as `token`. */
  readonly verificationToken: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly appId: string;
  readonly botUserId: string;
  readonly botId: string;

  private readonly state: SlackState;
  private readonly api: WebApi;
  private readonly socket: SocketModeServer;
  private readonly driver: BotDriver;
  private readonly responseUrls: ResponseUrls;
  private readonly interactions: Interactions;
  private readonly events: EventSender;
  private readonly uploadTokens = new UploadTokens();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly options: FakeSlackOptions;
  private closed = false;

  private constructor(
    private readonly server: Server,
    port: number,
    options: FakeSlackOptions,
  ) {
    this.options = options;
    const ids = new IdFactory();
    this.baseUrl = `http://127.0.0.1:${port}/`;
    this.apiUrl = `${this.baseUrl}api/`;
    this.teamId = options.teamId ?? ids.id('T');
    this.appId = ids.id('A');
    this.botUserId = options.botUserId ?? ids.id('U');
    this.botId = ids.id('B');
    this.teamDomain = 'salon-test';
    this.botToken = options.botToken ?? makeBotToken();
    this.appToken = options.appToken ?? makeAppToken(this.appId);
    this.signingSecret = options.signingSecret ?? makeSigningSecret();
    this.verificationToken = makeVerificationToken();
    const identity: SlackIdentity = {
      teamId: this.teamId,
      teamDomain: this.teamDomain,
      teamName: 'Salon Test',
      appId: this.appId,
      botId: this.botId,
      botUserId: this.botUserId,
      botName: 'salon',
      baseUrl: this.baseUrl,
    };
    this.state = new SlackState(ids, identity);
    this.state.addUser({ id: this.botUserId, name: 'salon', realName: 'Salon', isBot: true });
    const host: MethodHost = {
      state: this.state,
      identity,
      scheduleShare: (share) => this.later(this.shareDelay(), share),
      openSocketUrl: () => this.socket.issueUrl(),
      botDeleted: (m) => {
        if (this.options.dispatchBotDeletes) void this.events.messageDeleted(m).catch(() => {});
      },
      uploadUrlFor: (fileId) => {
        const token = hexSecret(20);
        this.uploadTokens.add(token, fileId);
        return `${this.baseUrl}upload/v1/${token}`;
      },
    };
    this.api = new WebApi(host, { bot: this.botToken, app: this.appToken }, chatMethods, fileMethods, miscMethods, this.views.methods(identity.teamId, identity.appId, identity.botId));
    this.socket = new SocketModeServer(`ws://127.0.0.1:${port}/`, this.appId);
    this.driver = new BotDriver(this.signingSecret, this.socket, options.deliveryTimeoutMs ?? 10_000);
    this.responseUrls = new ResponseUrls(this.state, this.baseUrl);
    this.interactions = new Interactions(this.state, this.driver, this.responseUrls, this.verificationToken, this.views);
    this.events = new EventSender(this.state, this.driver, this.verificationToken);
    server.on('request', (req, res) => {
      this.route(req, res, host).catch((e: unknown) => {
        if (!res.headersSent) sendText(res, 500, e instanceof Error ? e.message : String(e));
        else res.destroy();
      });
    });
    server.on('upgrade', (req, sock, head) => {
      if (!this.socket.handleUpgrade(req, sock, head)) sock.destroy();
    });
  }

  /** Starts the fake on an ephemeral loopback port. */
  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new FakeSlack(server, (server.address() as AddressInfo).port, options);
  }

  // ---------------------------------------------------------------- workspace

  /** Adds a workspace member (`users.info` answers its admin/owner/bot flags). */
  addUser(u: { id?: string; name?: string; realName?: string; isAdmin?: boolean; isOwner?: boolean; isBot?: boolean; tz?: string } = {}): FakeSlackUser {
    return this.state.addUser(u);
  }

  /** Adds a channel; the bot is a member unless `botIsMember: false`. */
  addChannel(c: { id?: string; name?: string; botIsMember?: boolean; isPrivate?: boolean; archived?: boolean } = {}): FakeSlackChannel {
    return this.state.addChannel(c);
  }

  /** Seeds a message by a user (no event is sent). */
  addMessage(channelId: string, userId: string, text: string, blocks?: unknown[]): FakeSlackMessage {
    this.state.channelOrThrow(channelId);
    this.state.userOrThrow(userId);
    return this.state.appendMessage({ channel: channelId, user: userId, text, ...(blocks ? { blocks } : {}), source: 'test' });
  }

  /**
   * Seeds a message posted by another integration (no event is sent): by another app's bot user (`userId`, a user
   * added with `isBot: true`), or by an incoming webhook (no `userId`: only a `bot_id`, as Slack lists such messages).
   * `fileTitles` attach uploaded files of that integration, shared in the channel, as a file upload would.
   */
  addBotMessage(channelId: string, m: { userId?: string; text: string; fileTitles?: string[] }): FakeSlackMessage {
    this.state.channelOrThrow(channelId);
    const user = m.userId ? this.state.userOrThrow(m.userId) : undefined;
    if (user && !user.isBot) throw new Error(`FakeSlack: ${user.id} is not a bot user`);
    if (user?.id === this.botUserId) throw new Error('FakeSlack: addBotMessage is for other integrations; the bot posts through the Web API');
    const botId = user ? `B${user.id.slice(1)}` : this.state.ids.id('B');
    const files = (m.fileTitles ?? []).map((title): FakeSlackFile => {
      const id = this.state.ids.id('F');
      const file: FakeSlackFile = {
        id,
        name: `${id}.png`,
        title,
        mimetype: 'image/png',
        filetype: 'png',
        length: 0,
        bytes: Buffer.alloc(0),
        uploaded: true,
        completed: true,
        user: user?.id ?? '',
        created: this.state.ids.unixNow(),
        shares: new Map(),
        deleted: false,
      };
      this.state.files.set(id, file);
      return file;
    });
    const message = this.state.appendMessage({ channel: channelId, user: user?.id ?? '', botId, text: m.text, files, source: 'test' });
    for (const file of files) file.shares.set(channelId, [message.ts]);
    return message;
  }

  user(id: string): FakeSlackUser {
    return this.state.userOrThrow(id);
  }

  channel(id: string): FakeSlackChannel {
    return this.state.channelOrThrow(id);
  }

  /** How a channel appears in escaped command text: `<#C…|name>`. */
  channelRef(id: string): string {
    return `<#${id}|${this.state.channelOrThrow(id).name}>`;
  }

  /** How a user appears in escaped command text: `<@U…>`. */
  userRef(id: string): string {
    this.state.userOrThrow(id);
    return `<@${id}>`;
  }

  // ---------------------------------------------------------------- transport to the bot

  /** Where the bot receives HTTP requests (Bolt's HTTPReceiver endpoint), e.g. `http://127.0.0.1:3000/slack/events`. */
  setBotEndpoint(url: string): void {
    this.driver.endpoint = url;
  }

  /**
   * Chooses the transport: `true` always Socket Mode, `false` always HTTP. By default (`'auto'`) deliveries go
   * over Socket Mode while an app is connected, else over HTTP.
   */
  useSocketMode(on: boolean | 'auto' = true): void {
    this.driver.mode = on === 'auto' ? 'auto' : on ? 'socket' : 'http';
  }

  /** Number of open Socket Mode connections. */
  get socketConnections(): number {
    return this.socket.openConnections;
  }

  /** Sends Slack's `{type: "disconnect"}` to every Socket Mode connection (the SDK reconnects after its delay). */
  disconnectSockets(reason = 'refresh_requested'): void {
    this.socket.sendDisconnect(reason);
  }

  /**
   * Sends a signed slash command (form-encoded, or a `slash_commands` envelope over Socket Mode) and resolves
   * with the bot's acknowledgement. A non-empty ack body becomes an ephemeral (or an `in_channel` message), as
   * Slack shows it; a late (> 3 s) or failed ack adds Slack's `"/cmd failed with the error …"` ephemeral.
   * Later posts to `response_url` are recorded on the handle. Passing `signature` or `timestampSkewSeconds`
   * forces HTTP (signatures do not exist in Socket Mode).
   */
  slashCommand(c: {
    command: '/imagine' | '/salon' | (string & {});
    text: string;
    userId: string;
    channelId: string;
    signature?: 'valid' | 'bad';
    timestampSkewSeconds?: number;
  }): Promise<SlackCommandHandle> {
    return this.interactions.slashCommand(c);
  }

  /**
   * Sends a signed `block_actions` payload (an `interactive` envelope over Socket Mode) for a click on the
   * element `actionId` of a channel message or of an ephemeral (by its ts). Throws when the message has no
   * such element. `value` overrides the button's own value.
   */
  clickButton(b: { userId: string; channelId: string; messageTs: string; actionId: string; value?: string }): Promise<SlackCommandHandle> {
    return this.interactions.clickButton(b);
  }

  /** Sends a signed `message_action` payload: the app's message shortcut `callbackId` chosen on a message. */
  messageShortcut(m: { userId: string; channelId: string; messageTs: string; callbackId: string }): Promise<SlackCommandHandle> {
    return this.interactions.messageShortcut(m);
  }

  /** Views the bot opened (`views.open`), oldest first, and the trigger ids it may open them with (views.ts). */
  readonly views = new Views();

  /** Submits the member's open view (see `Interactions.submitView`). */
  submitView(s: { userId: string; callbackId?: string; values?: Record<string, string> }) {
    return this.interactions.submitView(s);
  }

  // ---------------------------------------------------------------- events

  /**
   * A user adds a reaction (name without colons: `+1`, `fire`) to a message, and Slack sends `reaction_added`.
   * Resolves with the delivery, or null when nothing was sent: `silent`, the user had already reacted so, or
   * the bot is not in the channel (Slack sends no events from channels the bot is not in).
   */
  react(channelId: string, ts: string, userId: string, reaction: string, opts: { silent?: boolean } = {}): Promise<EventDelivery | null> {
    return this.events.react(channelId, ts, userId, reaction, opts);
  }

  /** A user removes a reaction; Slack sends `reaction_removed`. Null as for {@link FakeSlack.react}. */
  unreact(channelId: string, ts: string, userId: string, reaction: string, opts: { silent?: boolean } = {}): Promise<EventDelivery | null> {
    return this.events.unreact(channelId, ts, userId, reaction, opts);
  }

  /**
   * Someone (a user or an admin) deletes a message; Slack sends a `message` event with subtype
   * `message_deleted` (`deleted_ts`, `hidden`, `previous_message`). Null when `silent` or the bot is not in the channel.
   */
  deleteMessage(channelId: string, ts: string, opts: { silent?: boolean } = {}): Promise<EventDelivery | null> {
    return this.events.deleteMessage(channelId, ts, opts);
  }

  /**
   * Sends any Events API event in a signed `event_callback` envelope (e.g. `{ type: 'app_mention', … }`).
   * `retryNum`/`retryReason` add the `x-slack-retry-*` headers (Socket Mode: `retry_attempt`/`retry_reason`).
   */
  sendEvent(event: Json, opts: { retryNum?: number; retryReason?: string } = {}): Promise<EventDelivery> {
    return this.events.sendEvent(event, opts);
  }

  /**
   * The workspace removes the app: the bot token is revoked (calls with it answer `token_revoked`), then Slack sends
   * `tokens_revoked` (with the bot user) and `app_uninstalled`, as it does (their order is not guaranteed on Slack).
   */
  async uninstall(): Promise<EventDelivery[]> {
    this.api.revokeBotToken();
    const revoked = await this.sendEvent({ type: 'tokens_revoked', tokens: { oauth: [], bot: [this.botUserId] } });
    const uninstalled = await this.sendEvent({ type: 'app_uninstalled' });
    return [revoked, uninstalled];
  }

  /**
   * Delivers an earlier event again. By default as Slack's retry: the same `event_id` with
   * `x-slack-retry-num` one higher and `x-slack-retry-reason` (`http_timeout` unless the last answer was an
   * HTTP error: `http_error`; no answer: `connection_failed`). With `newEventId`, as a duplicate with a fresh
   * `event_id` and no retry headers.
   */
  redeliver(delivery: EventDelivery, opts: { newEventId?: boolean } = {}): Promise<EventDelivery> {
    return this.events.redeliver(delivery, opts);
  }


  /** A raw signed POST to the bot endpoint (HTTP only), for signature and timestamp tests. */
  async postSigned(
    body: string,
    contentType: string,
    opts: SignOptions & { headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: string; ackMs: number }> {
    const { headers, ...sign } = opts;
    const r = await this.driver.postSigned(body, contentType, sign, headers ?? {});
    return { status: r.status, body: r.body, ackMs: r.ackMs };
  }

  /** Posts Slack's `url_verification` (HTTP) and returns the challenge the bot echoed (undefined if none). */
  async urlVerification(): Promise<{ sent: string; echoed: string | undefined; status: number }> {
    const challenge = hexSecret(24);
    const body = JSON.stringify({ token: this.verificationToken, challenge, type: 'url_verification' });
    const r = await this.driver.postSigned(body, 'application/json');
    const parsed = parseJson(r.body);
    const echoed =
      parsed && typeof parsed === 'object' && typeof (parsed as Json).challenge === 'string'
        ? ((parsed as Json).challenge as string)
        : r.body || undefined;
    return { sent: challenge, echoed, status: r.status };
  }

  // ---------------------------------------------------------------- state for tests

  /** Messages of a channel in order: bot posts, file shares (a message with `files`), in_channel responses, seeded ones; deleted ones included (`deleted: true`). */
  messages(channelId: string): FakeSlackMessage[] {
    this.state.channelOrThrow(channelId);
    return [...this.state.messages(channelId)];
  }

  /** A message by ts. */
  message(channelId: string, ts: string): FakeSlackMessage | undefined {
    return this.state.message(channelId, ts);
  }

  /** Ephemerals in order (optionally only those for one user): `chat.postEphemeral`, ephemeral response_url posts, command ack bodies, Slack's error notices. */
  ephemerals(userId?: string): FakeSlackEphemeral[] {
    return this.state.ephemerals.filter((e) => userId === undefined || e.user === userId);
  }

  /** Files by id (uploaded through the external upload flow). */
  file(id: string): FakeSlackFile | undefined {
    return this.state.files.get(id);
  }

  files(): FakeSlackFile[] {
    return [...this.state.files.values()];
  }

  /** Resolves with the first (past or future) live message in the channel matching; rejects after `timeoutMs` (default 5000) listing the channel's messages. */
  waitForMessage(channelId: string, predicate: (m: FakeSlackMessage) => boolean = () => true, timeoutMs = 5000): Promise<FakeSlackMessage> {
    this.state.channelOrThrow(channelId);
    return this.state.waitFor(
      () => this.state.messages(channelId).find((m) => !m.deleted && predicate(m)),
      timeoutMs,
      () => `waiting for a message in ${channelId}; messages: ${describeItems(this.state.messages(channelId))}`,
    );
  }

  /** Resolves with the first (past or future) ephemeral for `userId` (any user when undefined) matching. */
  waitForEphemeral(userId: string | undefined, predicate: (e: FakeSlackEphemeral) => boolean = () => true, timeoutMs = 5000): Promise<FakeSlackEphemeral> {
    return this.state.waitFor(
      () => this.ephemerals(userId).find((e) => !e.deleted && predicate(e)),
      timeoutMs,
      () => `waiting for an ephemeral${userId ? ` for ${userId}` : ''}; ephemerals: ${describeItems(this.ephemerals(userId))}`,
    );
  }

  /** Every Web API call, in arrival order. */
  get calls(): readonly RecordedCall[] {
    return this.api.calls;
  }

  /** The calls of one method. */
  callsTo(method: string): RecordedCall[] {
    return this.api.calls.filter((c) => c.method === method);
  }

  /**
   * Holds the next matching Web API calls until released, before or after Slack handled them (see {@link HoldRule}):
   * `await fake.hold({ method: 'chat.postMessage', phase: 'after' }).arrived`, then kill the bot.
   */
  hold(rule: HoldRule): CallHold {
    return this.api.hold(rule);
  }

  /**
   * Makes the next `times` (default 1) calls of `method` (`"*"`: any) fail: `{ ok: false, error }` with HTTP
   * 200, or HTTP 429 + `Retry-After` for `ratelimited` / `status: 429`, or the given HTTP status.
   * Note the WebClient retries 429s and non-200 statuses by its retry policy (10 retries over ~30 min by
   * default): give the client `retryConfig: { retries: 0 }` / `rejectRateLimitedCalls: true` in tests.
   */
  fail(rule: FailRule): void {
    this.api.fail(rule);
  }

  /**
   * Carries out the next `times` (default 1) calls of `method` and then loses their answers (see {@link DropRule}):
   * `destroy` closes the connection, `hang` never answers. The call is recorded with `dropped` set.
   */
  drop(rule: DropRule): void {
    this.api.drop(rule);
  }

  /**
   * Moves Slack's clock forward by `ms`: response URLs issued before then expire as on Slack (30 minutes), and new
   * message timestamps, event times and file dates follow it. Request signatures stay on the real clock, which Bolt
   * checks against its own.
   */
  advanceClock(ms: number): void {
    this.state.ids.advance(ms);
  }

  /** Slack's clock (epoch ms): the real one, plus every {@link FakeSlack.advanceClock}. */
  now(): number {
    return this.state.ids.now();
  }

  /** Removes every pending failure rule. */
  clearFailures(): void {
    this.api.clearFailures();
  }

  /** Stops the server, drops Socket Mode connections and pending shares. Stop the Bolt app first (a connected Socket Mode app would try to reconnect). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.api.closeHanging();
    await this.driver.close();
    await this.socket.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- internals

  private async route(req: IncomingMessage, res: ServerResponse, host: MethodHost): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const body = await readBody(req);
    const path = url.pathname;
    if (path.startsWith('/api/')) return this.api.handle(req, res, decodeURIComponent(path.slice(5)), body, url);
    if (path.startsWith('/upload/v1/')) return handleUpload(host, this.uploadTokens, path.slice(11), req, res, body);
    const download = /^\/files-pri\/[^/]+-(F[^/]+)\//.exec(path);
    if (download && req.method === 'GET') return handleDownload(host, this.botToken, download[1]!, req, res);
    if (ResponseUrls.matches(path)) return this.responseUrls.handle(path, req, res, body);
    sendText(res, 404, 'Not Found');
  }

  private shareDelay(): number {
    const d = this.options.fileShareDelayMs ?? { min: 50, max: 200 };
    if (typeof d === 'number') return d;
    return d.min + Math.random() * (d.max - d.min);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }
}
