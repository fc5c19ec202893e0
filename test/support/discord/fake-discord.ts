/**
 * A loopback Discord (REST API v10 + Gateway v10, JSON, uncompressed) that the real discord.js 14
 * client talks to in tests.
 *
 * ```ts
 * const fake = await FakeDiscord.start();
 * const guild = fake.addGuild({ name: 'Salon' });
 * const client = new Client({ intents, partials, rest: { api: fake.apiUrl } });
 * await client.login(fake.botToken);
 * ```
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CommandStore } from './commands.js';
import { Intent, MessageFlag } from './constants.js';
import { parseEmoji } from './emoji.js';
import { Gateway, type RefusedIdentify } from './gateway.js';
import { type InvokerPermissions, baseInteractionPayload, buttonPayload, createHandle, slashCommandPayload } from './interactions.js';
import { modalSubmitData } from './modals.js';
import {
  botPermissions,
  channelPayload,
  guildCreatePayload,
  memberPayload,
  messagePayload,
  reactionEventPayload,
  rolePayload,
  selfUserPayload,
} from './payloads.js';
import { type RestContext, RestServer } from './rest.js';
import { channelRoutes } from './routes-channels.js';
import { interactionRoutes } from './routes-interactions.js';
import { miscRoutes } from './routes-misc.js';
import { DiscordState } from './state.js';
import type {
  FailureRule,
  FakeAttachment,
  FakeChannel,
  FakeDiscordOptions,
  FakeGuild,
  FakeMessage,
  FakeUser,
  HoldRule,
  IdentifyRecord,
  InteractionHandle,
  RawOption,
  RecordedRequest,
  RequestHold,
} from './types.js';

interface LastDispatch {
  event: string;
  data: unknown;
  raw: boolean;
}

/** The loopback Discord. Create with {@link FakeDiscord.start}; always {@link FakeDiscord.close} it. */
export class FakeDiscord {
  /** REST base for discord.js: `new Client({ rest: { api: fake.apiUrl } })` / `DISCORD_API_URL`. */
  readonly apiUrl: string;
  /** `ws://127.0.0.1:PORT/gateway`, what `GET /gateway/bot` returns. */
  readonly gatewayUrl: string;
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUser: { id: string; username: string };

  private readonly state: DiscordState;
  private readonly commandStore: CommandStore;
  private readonly rest: RestServer;
  private readonly gateway: Gateway;
  private lastDispatch: LastDispatch | undefined;
  private closed = false;

  private constructor(
    private readonly server: Server,
    baseUrl: string,
    options: FakeDiscordOptions,
  ) {
    this.botToken = options.botToken ?? 'fake-bot-token';
    const state = new DiscordState(options.botUserId, options.applicationId);
    const applicationId = state.applicationId;
    this.state = state;
    this.applicationId = applicationId;
    this.botUser = state.botUser;
    this.apiUrl = `${baseUrl}/api`;
    this.gatewayUrl = `${baseUrl.replace(/^http/, 'ws')}/gateway`;
    this.commandStore = new CommandStore(state.ids, applicationId);

    const privilegedIntents = options.privilegedIntents ?? false;
    const maxConcurrency = options.maxConcurrency ?? 1;
    this.gateway = new Gateway(server, {
      botToken: this.botToken,
      privilegedIntents,
      maxConcurrency,
      maxGuildsPerShard: options.maxGuildsPerShard ?? 2500,
      guildIds: () => [...state.guilds.keys()],
      readyPayload: (holds) => this.readyPayload(holds),
      guildCreates: (holds) => [...state.guilds.values()].filter((g) => holds(g.id)).map((g) => guildCreatePayload(state, g)),
    });
    this.gateway.resumeUrl = this.gatewayUrl;

    const gateway = this.gateway;
    const context: RestContext = {
      state,
      commands: this.commandStore,
      botToken: this.botToken,
      baseUrl,
      gatewayUrl: this.gatewayUrl,
      interactionDeadlineMs: options.interactionDeadlineMs ?? 3000,
      nonceWindowMs: options.nonceWindowMs ?? 5 * 60_000,
      get messageContent() {
        const last = gateway.identifies.at(-1);
        return privilegedIntents && last !== undefined && (last.intents & Intent.MessageContent) !== 0;
      },
      files: new Map<string, FakeAttachment>(),
      // Discord recommends about one shard per 1,000 guilds.
      gatewayBot: () => ({ shards: options.shards ?? Math.max(1, Math.ceil(state.guilds.size / 1000)), maxConcurrency }),
      echo: (event, data) => this.gateway.dispatch(event, data),
    };
    this.rest = new RestServer(context, [...interactionRoutes(), ...channelRoutes(), ...miscRoutes()]);
    server.on('request', this.rest.handle);
  }

  /** Starts the fake on 127.0.0.1 with a random port. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = createServer();
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new FakeDiscord(server, `http://127.0.0.1:${port}`, options);
  }

  // ---- world building ----------------------------------------------------------------------

  /**
   * Adds a guild the bot is in (with @everyone, the bot's managed role, the owner and the bot as
   * members). Part of READY/GUILD_CREATE for bots connecting later; dispatched as GUILD_CREATE now if
   * a bot is connected. The owner user is created when `ownerId` is omitted or unknown.
   */
  addGuild(g: { id?: string; name?: string; ownerId?: string }): FakeGuild {
    const guild = this.state.addGuild(g);
    this.emit('GUILD_CREATE', guildCreatePayload(this.state, guild));
    return guild;
  }

  /** Adds a text channel (type 0); dispatches CHANNEL_CREATE to connected bots. */
  addChannel(guildId: string, c: { id?: string; name?: string }): FakeChannel {
    const channel = this.state.addChannel(guildId, c);
    this.emit('CHANNEL_CREATE', channelPayload(channel));
    return channel;
  }

  /** Adds a global user; ids are increasing snowflakes unless given. Not a member of any guild yet. */
  addUser(u: { id?: string; username?: string; bot?: boolean; globalName?: string | null }): FakeUser {
    return this.state.addUser(u);
  }

  /**
   * Makes a user a member of a guild. `permissions` become a role of the member (created on demand
   * and dispatched as GUILD_ROLE_CREATE), so both the interaction's `member.permissions` and discord.js'
   * `GuildMember#permissions` include them (on top of @everyone's defaults). GUILD_MEMBER_ADD only
   * reaches bots with the (privileged) Guild Members intent, as on Discord. `joinedAt` (ISO) defaults to now; for a
   * member already there it changes their join date (as leaving and joining again would).
   */
  addMember(guildId: string, userId: string, opts: { permissions?: bigint; joinedAt?: string } = {}): void {
    const guild = this.state.guild(guildId);
    this.state.user(userId);
    const roles: string[] = [];
    if (opts.permissions !== undefined) roles.push(this.permissionRole(guildId, opts.permissions));
    const existing = guild.members.get(userId);
    if (existing) {
      existing.roles = [...new Set([...existing.roles, ...roles])];
      existing.permissions = opts.permissions ?? existing.permissions;
      if (opts.joinedAt !== undefined) existing.joinedAt = opts.joinedAt;
      return;
    }
    const member = { userId, roles, joinedAt: opts.joinedAt ?? new Date().toISOString(), permissions: opts.permissions };
    guild.members.set(userId, member);
    this.emit('GUILD_MEMBER_ADD', { ...memberPayload(this.state, member), guild_id: guildId });
  }

  /**
   * Adds a message written by a user or another bot (not Salon) and dispatches MESSAGE_CREATE unless `silent`.
   * Without the Message Content intent the bot sees it with empty content, as on Discord. `webhookId`: posted through
   * that webhook, whose author is then a bot user the test made for it (no member needed), as Discord shows it.
   */
  addMessage(
    channelId: string,
    m: { authorId: string; content?: string; embeds?: unknown[]; components?: unknown[]; webhookId?: string },
    opts: { silent?: boolean } = {},
  ): FakeMessage {
    const channel = this.state.channel(channelId);
    if (m.webhookId === undefined) this.state.member(channel.guildId, m.authorId);
    else this.state.user(m.authorId);
    const message = this.state.createMessage({
      channelId,
      authorId: m.authorId,
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      webhookId: m.webhookId ?? null,
    });
    if (!opts.silent) this.emit('MESSAGE_CREATE', this.gatewayMessage(message));
    return message;
  }

  /**
   * Moves Discord's clock forward by `ms`, for its time limits: interaction tokens (15 minutes) and callback
   * deadlines, and the nonce memory. No test has to wait for them. Snowflake ids and message timestamps keep the wall
   * clock.
   */
  advanceTime(ms: number): void {
    this.state.advanceTime(ms);
  }

  /** Messages the bot sent a user in their DM channel, in posting order (none when it never opened one). */
  dms(userId: string): FakeMessage[] {
    const channel = this.state.dmChannels.get(userId);
    return channel ? this.messages(channel.id) : [];
  }

  /** Closes (or reopens) a user's DMs to the bot: sending there answers 403 `{code: 50007}`. */
  closeDms(userId: string, closed = true): void {
    if (closed) this.state.closedDms.add(userId);
    else this.state.closedDms.delete(userId);
  }

  /** Makes every write under `/channels/{id}` fail with 403 `{code: 50013, message: "Missing Permissions"}`. */
  forbidChannel(channelId: string, forbidden = true): void {
    this.state.channel(channelId).forbidden = forbidden;
  }

  /**
   * Deletes a channel: every `/channels/{id}` route answers 404 `{code: 10003, message: "Unknown Channel"}`.
   * Dispatches CHANNEL_DELETE unless `silent` (deleted while the bot was offline).
   */
  deleteChannel(channelId: string, opts: { silent?: boolean } = {}): void {
    const channel = this.state.channel(channelId);
    channel.deleted = true;
    if (!opts.silent) this.emit('CHANNEL_DELETE', channelPayload(channel));
  }

  // ---- interactions ------------------------------------------------------------------------

  /**
   * Sends an APPLICATION_COMMAND interaction over the gateway. `options` is Discord's raw option array
   * (subcommands as type 1 etc.); `resolved` is filled for user (6), channel (7), role (8) and
   * mentionable (9) options. `permissions` overrides the member's computed permissions.
   */
  slashCommand(i: {
    guildId: string;
    channelId: string;
    userId: string;
    name: string;
    options?: RawOption[];
    permissions?: bigint;
  }): InteractionHandle {
    this.requireSession('slashCommand');
    const invoker = this.invoker(i.guildId, i.userId, i.permissions);
    const record = this.state.addInteraction({
      type: 2,
      guildId: i.guildId,
      channelId: i.channelId,
      userId: i.userId,
      name: i.name,
      dispatchedAt: 0,
    });
    const payload = slashCommandPayload(this.state, this.commandStore, record, i.options, invoker, botPermissions(this.state, i.guildId, i.channelId));
    return this.sendInteraction(record, payload);
  }

  /** Sends a MESSAGE_COMPONENT (button) interaction for a message; throws if it has no such enabled button. */
  clickButton(i: {
    guildId: string;
    channelId: string;
    userId: string;
    messageId: string;
    customId: string;
    permissions?: bigint;
  }): InteractionHandle {
    this.requireSession('clickButton');
    const message = this.state.messages.get(i.messageId);
    if (!message || message.deleted) throw new Error(`FakeDiscord: unknown message ${i.messageId}`);
    const invoker = this.invoker(i.guildId, i.userId, i.permissions);
    const record = this.state.addInteraction({
      type: 3,
      guildId: i.guildId,
      channelId: i.channelId,
      userId: i.userId,
      messageId: i.messageId,
      dispatchedAt: 0,
    });
    const payload = buttonPayload(this.state, record, message, i.customId, invoker, botPermissions(this.state, i.guildId, i.channelId));
    return this.sendInteraction(record, payload);
  }

  /**
   * Submits the modal the bot answered `opener` with (its type 9 callback), as the member who opened it: a MODAL_SUBMIT
   * (type 5) interaction with each text input's value (`values`, else the prefilled one). Throws when `opener` got no
   * modal, or a value breaks its input's lengths (Discord's client would not submit it).
   */
  submitModal(i: { opener: InteractionHandle; values?: Record<string, string>; permissions?: bigint }): InteractionHandle {
    this.requireSession('submitModal');
    const opened = this.state.interactions.get(i.opener.id);
    const modal = opened?.callbacks[0];
    if (!opened || modal?.type !== 9) throw new Error(`FakeDiscord: interaction ${i.opener.id} was not answered with a modal`);
    const invoker = this.invoker(opened.guildId, opened.userId, i.permissions);
    const record = this.state.addInteraction({
      type: 5,
      guildId: opened.guildId,
      channelId: opened.channelId,
      userId: opened.userId,
      ...(opened.messageId ? { messageId: opened.messageId } : {}),
      dispatchedAt: 0,
    });
    const message = opened.messageId ? this.state.messages.get(opened.messageId) : undefined;
    const payload = {
      ...baseInteractionPayload(this.state, record, invoker, botPermissions(this.state, opened.guildId, opened.channelId)),
      ...(message ? { message: messagePayload(this.state, message) } : {}),
      data: modalSubmitData(modal.data, i.values ?? {}),
    };
    return this.sendInteraction(record, payload);
  }

  // ---- reactions and deletions -------------------------------------------------------------

  /**
   * Adds a reaction: stores it and (unless `silent`, meaning "while the bot was offline") dispatches
   * MESSAGE_REACTION_ADD. `emoji`: unicode like "👍" or custom "name:id". Reacting twice is a no-op. `burst`: a
   * super reaction, kept apart from the member's normal one with the same emoji (the event has `burst: true`, `type: 1`).
   */
  react(channelId: string, messageId: string, userId: string, emoji: string, opts: { silent?: boolean; burst?: boolean } = {}): void {
    const message = this.message(channelId, messageId);
    if (message.guildId) this.state.member(message.guildId, userId);
    const ref = parseEmoji(emoji);
    if (this.state.addReaction(message, userId, ref, opts.burst) && !opts.silent) {
      this.emit('MESSAGE_REACTION_ADD', reactionEventPayload(this.state, message, userId, ref, 'add', opts.burst));
    }
  }

  /** Removes a reaction, normal or super (`burst`) (MESSAGE_REACTION_REMOVE unless `silent`). No-op when absent. */
  unreact(channelId: string, messageId: string, userId: string, emoji: string, opts: { silent?: boolean; burst?: boolean } = {}): void {
    const message = this.message(channelId, messageId);
    const ref = parseEmoji(emoji);
    if (this.state.removeReaction(message, userId, ref, opts.burst) && !opts.silent) {
      this.emit('MESSAGE_REACTION_REMOVE', reactionEventPayload(this.state, message, userId, ref, 'remove', opts.burst));
    }
  }

  /** Clears every reaction of a message (MESSAGE_REACTION_REMOVE_ALL unless `silent`). */
  removeAllReactions(channelId: string, messageId: string, opts: { silent?: boolean } = {}): void {
    const message = this.message(channelId, messageId);
    this.state.removeAllReactions(message);
    if (!opts.silent) {
      this.emit('MESSAGE_REACTION_REMOVE_ALL', { channel_id: channelId, message_id: messageId, guild_id: message.guildId });
    }
  }

  /** Clears every reaction of one emoji (MESSAGE_REACTION_REMOVE_EMOJI unless `silent`). */
  removeEmoji(channelId: string, messageId: string, emoji: string, opts: { silent?: boolean } = {}): void {
    const message = this.message(channelId, messageId);
    const removed = this.state.removeEmoji(message, parseEmoji(emoji));
    if (removed && !opts.silent) {
      this.emit('MESSAGE_REACTION_REMOVE_EMOJI', {
        channel_id: channelId,
        guild_id: message.guildId,
        message_id: messageId,
        emoji: removed.id ? { id: removed.id, name: removed.name } : { id: null, name: removed.name },
      });
    }
  }

  /** Deletes a message as a moderator would (MESSAGE_DELETE unless `silent`). */
  deleteMessage(channelId: string, messageId: string, opts: { silent?: boolean } = {}): void {
    const message = this.message(channelId, messageId);
    this.state.deleteMessage(message);
    if (!opts.silent) this.emit('MESSAGE_DELETE', { id: messageId, channel_id: channelId, guild_id: message.guildId });
  }

  // ---- raw gateway -------------------------------------------------------------------------

  /**
   * Replays the last event a test caused (react, slashCommand, deleteMessage, dispatch, ...) with a new
   * sequence number. Echoes of the bot's own REST calls (its MESSAGE_CREATE, its reactions) are not
   * considered, so a test can duplicate "its" event even after the bot has answered.
   */
  replayLastDispatch(): void {
    if (!this.lastDispatch) throw new Error('FakeDiscord: nothing dispatched yet');
    const { event, data, raw } = this.lastDispatch;
    this.gateway.dispatch(event, data, { raw });
  }

  /** Raw dispatch to every session (no intent filtering). */
  dispatch(event: string, data: unknown): void {
    this.lastDispatch = { event, data, raw: true };
    this.gateway.dispatch(event, data, { raw: true });
  }

  /** Drops every gateway connection. Default: abrupt (TCP cut, as a crash or network loss looks; discord.js resumes). With `code`, a close frame with that code. */
  disconnectAll(opts: { code?: number } = {}): void {
    this.gateway.disconnectAll(opts.code);
  }

  /** Whether a bot is connected and past READY/GUILD_CREATE. */
  get connected(): boolean {
    return this.gateway.connected;
  }

  /** Resolves once a bot has identified and received READY and its GUILD_CREATEs. */
  waitForIdentify(): Promise<void> {
    return this.gateway.waitForReady();
  }

  /** Intents of the last IDENTIFY (undefined before any). */
  get identifyIntents(): number | undefined {
    return this.gateway.identifies.at(-1)?.intents;
  }

  /** Every IDENTIFY received. */
  get identifies(): readonly IdentifyRecord[] {
    return this.gateway.identifies;
  }

  /** IDENTIFYs answered with Invalid Session because their bucket had identified less than 5 s before. */
  get refusedIdentifies(): readonly RefusedIdentify[] {
    return this.gateway.refusedIdentifies;
  }

  /** The `[shard_id, num_shards]` of each session that is connected and past READY. */
  get readyShards(): [number, number][] {
    return this.gateway.sessions.filter((s) => s.ready && !s.invalidated && s.socket !== null).map((s) => s.shard);
  }

  /** Every gateway payload received from clients (heartbeats, identify, resume, ...). */
  get gatewayReceived(): readonly { op: number; d: unknown; at: number }[] {
    return this.gateway.received;
  }

  // ---- inspection --------------------------------------------------------------------------

  /** Every REST request, in arrival order. */
  get requests(): RecordedRequest[] {
    return this.rest.requests;
  }

  /** Requests no route matched (answered 404 `{message, code: 0}`). */
  get unhandled(): { method: string; path: string; query: URLSearchParams; body: unknown }[] {
    return this.rest.unhandled;
  }

  /**
   * Holds the next matching REST requests until released, before or after Discord processed them (see
   * {@link HoldRule}): `await fake.hold({ method: 'POST', pathPattern, phase: 'after' }).arrived`, then kill the bot.
   */
  hold(rule: HoldRule): RequestHold {
    return this.rest.hold(rule);
  }

  /** Forgets every injected failure not used yet (Discord is healthy again). */
  clearFailures(): void {
    this.rest.clearFailures();
  }

  /** Injects REST failures (429 with retry-after, 5xx...) for the next matching requests. */
  fail(next: FailureRule): void {
    this.rest.fail(next);
  }

  /**
   * Messages of a channel in posting order, including deleted ones (`deleted: true`). Ephemeral
   * interaction responses are not part of a channel (use the interaction handle).
   */
  messages(channelId: string): FakeMessage[] {
    return (this.state.channelMessages.get(channelId) ?? []).filter((m) => (m.flags & MessageFlag.Ephemeral) === 0);
  }

  /** A message by id (any channel, ephemeral included). */
  getMessage(messageId: string): FakeMessage | undefined {
    return this.state.messages.get(messageId);
  }

  /** Resolves with the first (non-deleted) message of the channel satisfying the predicate, now or later (re-checked on edits). */
  waitForMessage(channelId: string, predicate: (m: FakeMessage) => boolean = () => true, timeoutMs = 5000): Promise<FakeMessage> {
    const check = () => this.messages(channelId).find((m) => !m.deleted && predicate(m));
    const found = check();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onChange = () => {
        const hit = check();
        if (!hit) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        const last = this.messages(channelId)
          .slice(-5)
          .map((m) => `#${m.id}${m.deleted ? ' (deleted)' : ''} ${JSON.stringify(m.content)} embeds=${m.embeds.length} files=${m.attachments.length}`);
        reject(new Error(`FakeDiscord: no matching message in channel ${channelId} within ${timeoutMs}ms. Last messages:\n  ${last.join('\n  ') || '(none)'}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.state.changes.off('message', onChange);
      };
      this.state.changes.on('message', onChange);
    });
  }

  /** Application commands in Discord's response shape (global when no guildId). */
  commands(guildId?: string): unknown[] {
    return this.commandStore.list(guildId);
  }

  /** A user by id. */
  user(id: string): FakeUser | undefined {
    return this.state.users.get(id);
  }

  /** Stops the servers and drops every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.gateway.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- internals ---------------------------------------------------------------------------

  private emit(event: string, data: unknown): void {
    this.lastDispatch = { event, data, raw: false };
    this.gateway.dispatch(event, data);
  }

  private gatewayMessage(message: FakeMessage) {
    const last = this.gateway.identifies.at(-1);
    return messagePayload(this.state, message, {
      gateway: true,
      messageContent: last !== undefined && (last.intents & Intent.MessageContent) !== 0,
    });
  }

  private message(channelId: string, messageId: string): FakeMessage {
    const message = this.state.messages.get(messageId);
    if (!message || message.channelId !== channelId) {
      throw new Error(`FakeDiscord: no message ${messageId} in channel ${channelId}`);
    }
    return message;
  }

  private requireSession(what: string): void {
    if (!this.gateway.sessions.some((s) => !s.invalidated)) {
      throw new Error(`FakeDiscord.${what}: no bot is connected to the gateway (await fake.waitForIdentify() first)`);
    }
  }

  private permissionRole(guildId: string, permissions: bigint): string {
    const { role, created } = this.state.permissionRole(guildId, permissions);
    if (created) this.emit('GUILD_ROLE_CREATE', { guild_id: guildId, role: rolePayload(role) });
    return role.id;
  }

  private invoker(guildId: string, userId: string, override?: bigint): InvokerPermissions {
    const member = this.state.member(guildId, userId);
    if (override === undefined) return { permissions: this.state.memberPermissions(guildId, userId), roles: [...member.roles] };
    const roleId = this.permissionRole(guildId, override);
    return { permissions: override, roles: [...new Set([...member.roles, roleId])] };
  }

  private sendInteraction(record: { dispatchedAt: number; createdAt: number }, payload: Record<string, unknown>): InteractionHandle {
    record.dispatchedAt = performance.now();
    record.createdAt = this.state.now();
    this.emit('INTERACTION_CREATE', payload);
    return createHandle(this.state, record as Parameters<typeof createHandle>[1]);
  }

  private readyPayload(holds: (guildId: string) => boolean): Record<string, unknown> {
    return {
      v: 10,
      user_settings: {},
      user: selfUserPayload(this.state.botUser),
      guilds: [...this.state.guilds.keys()].filter(holds).map((id) => ({ id, unavailable: true })),
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ['us-east', 'us-central'],
      session_type: 'normal',
      auth: {},
      _trace: ['["fake-gateway",{"micros":0}]'],
    };
  }
}
