import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  ALL_PERMISSIONS,
  BOT_ROLE_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  MessageFlag,
  Permission,
  SnowflakeGenerator,
  compareSnowflakes,
  snowflakeTimestamp,
} from './constants.js';
import { type EmojiRef, emojiKey } from './emoji.js';
import type { FakeAttachment, FakeChannel, FakeGuild, FakeMessage, FakeUser, InteractionCallback } from './types.js';

/** A guild role. */
export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
  /** Set on the bot's managed role. */
  botId?: string;
  color: number;
}

/** A guild membership. */
export interface MemberRecord {
  userId: string;
  roles: string[];
  joinedAt: string;
  /** Permissions given by the test (materialised as a role, see {@link DiscordState.permissionRole}). */
  permissions?: bigint;
}

/** Internal guild record (the public {@link FakeGuild} plus roles and members). */
export interface GuildRecord extends FakeGuild {
  roles: RoleRecord[];
  members: Map<string, MemberRecord>;
  joinedAt: string;
  botRoleId: string;
}

/** Internal channel record. */
export interface ChannelRecord extends FakeChannel {
  deleted: boolean;
  forbidden: boolean;
  lastMessageId: string | null;
  /** Set on a DM channel (type 1): the user the bot talks to; its `guildId` is then empty. */
  recipientId?: string;
}

/** An interaction sent by the fake and what the bot answered. */
export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 application command, 3 message component. */
  type: number;
  guildId: string;
  channelId: string;
  userId: string;
  /** Command name (application commands). */
  name?: string;
  /** Message carrying the component (component interactions). */
  messageId?: string;
  dispatchedAt: number;
  /** When Discord created it, on the fake's clock ({@link DiscordState.now}): its token lives 15 minutes from then. */
  createdAt: number;
  callbacks: InteractionCallback[];
  /** Message id of the original response once acknowledged. */
  originalMessageId?: string;
  followupIds: string[];
}

/** Input of {@link DiscordState.createMessage}. */
export interface NewMessage {
  channelId: string;
  authorId: string;
  type?: number;
  content?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  embeds?: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  components?: any[];
  flags?: number;
  allowedMentions?: unknown;
  attachments?: FakeAttachment[];
  nonce?: string | number;
  tts?: boolean;
  messageReference?: unknown;
  webhookId?: string | null;
  interactionId?: string | null;
}

/** The editable parts of a message. */
export type MessagePatch = Partial<
  Pick<FakeMessage, 'content' | 'embeds' | 'components' | 'flags' | 'allowedMentions' | 'attachments'>
>;

/**
 * Everything the fake knows: users, guilds, channels, messages, reactions, commands and interactions.
 * Pure state: it never talks to the network; callers dispatch gateway events.
 */
export class DiscordState {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, FakeMessage>();
  readonly channelMessages = new Map<string, FakeMessage[]>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  /** DM channels by recipient user id. */
  readonly dmChannels = new Map<string, ChannelRecord>();
  /** Users whose DMs are closed to the bot (privacy settings, or the bot blocked): sending there fails with 50007. */
  readonly closedDms = new Set<string>();
  /**
   * Enforced nonces Discord still remembers, by author and nonce (`${authorId} ${nonce}`), oldest first: "if another
   * message was created by the same author with the same nonce, that message will be returned" — in any channel.
   */
  readonly nonces = new Map<string, { messageId: string; at: number }>();
  /** How far the fake's clock runs ahead of the wall clock (see {@link DiscordState.now}). */
  private clockOffsetMs = 0;
  /** Emits `message` (FakeMessage) on every create/edit/delete/reaction change, `interaction` on callbacks. */
  readonly changes = new EventEmitter();
  readonly botUser: FakeUser;
  readonly applicationId: string;

  constructor(botUserId?: string, applicationId?: string) {
    this.changes.setMaxListeners(0);
    this.botUser = this.addUser({ id: botUserId, username: 'Salon', bot: true });
    this.applicationId = applicationId ?? this.ids.next();
    this.ids.observe(this.applicationId);
  }

  /**
   * Discord's clock for its time limits (interaction deadlines and tokens, nonce memory), in epoch ms: the wall clock
   * moved by {@link advanceTime}. Snowflakes and message timestamps keep the wall clock.
   */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves Discord's clock forward: tokens and nonces age without a test waiting for them. */
  advanceTime(ms: number): void {
    if (!(ms >= 0)) throw new Error(`FakeDiscord.advanceTime: ${ms} is not a duration (time only moves forward)`);
    this.clockOffsetMs += ms;
  }

  /**
   * The message an enforced nonce of this author still points at (within `windowMs`), or undefined. Forgets the
   * nonces older than the window on the way, so the memory stays bounded as Discord's does.
   */
  rememberedNonce(authorId: string, nonce: string | number, windowMs: number): FakeMessage | undefined {
    const since = this.now() - windowMs;
    for (const [key, entry] of this.nonces) {
      if (entry.at >= since) break;
      this.nonces.delete(key);
    }
    if (windowMs <= 0) return undefined;
    const entry = this.nonces.get(`${authorId} ${String(nonce)}`);
    const message = entry ? this.messages.get(entry.messageId) : undefined;
    return message && !message.deleted ? message : undefined;
  }

  /** Remembers an enforced nonce for the message just created with it. */
  rememberNonce(authorId: string, nonce: string | number, messageId: string): void {
    const key = `${authorId} ${String(nonce)}`;
    this.nonces.delete(key); // re-inserted last: the map stays ordered by time
    this.nonces.set(key, { messageId, at: this.now() });
  }

  /** Registers a user (id generated when omitted). */
  addUser(u: { id?: string; username?: string; bot?: boolean; globalName?: string | null }): FakeUser {
    const id = u.id ?? this.ids.next();
    this.ids.observe(id);
    const username = u.username ?? `user${this.users.size}`;
    const user: FakeUser = { id, username, bot: u.bot ?? false, globalName: u.globalName ?? (u.bot ? null : username) };
    this.users.set(id, user);
    return user;
  }

  user(id: string): FakeUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`FakeDiscord: unknown user ${id}; call addUser() first`);
    return user;
  }

  /** Creates a guild with an @everyone role, the bot's managed role, the owner and the bot as members. */
  addGuild(g: { id?: string; name?: string; ownerId?: string }): GuildRecord {
    const id = g.id ?? this.ids.next();
    this.ids.observe(id);
    const ownerId = g.ownerId ?? this.addUser({ username: `owner${this.guilds.size}` }).id;
    if (!this.users.has(ownerId)) this.addUser({ id: ownerId, username: 'owner' });
    const joinedAt = new Date().toISOString();
    const botRoleId = this.ids.next();
    const guild: GuildRecord = {
      id,
      name: g.name ?? `Guild ${this.guilds.size + 1}`,
      ownerId,
      joinedAt,
      botRoleId,
      roles: [
        { id, name: '@everyone', permissions: DEFAULT_EVERYONE_PERMISSIONS, position: 0, managed: false, color: 0 },
        {
          id: botRoleId,
          name: this.botUser.username,
          permissions: BOT_ROLE_PERMISSIONS,
          position: 1,
          managed: true,
          botId: this.botUser.id,
          color: 0,
        },
      ],
      members: new Map(),
    };
    this.guilds.set(id, guild);
    guild.members.set(ownerId, { userId: ownerId, roles: [], joinedAt });
    guild.members.set(this.botUser.id, { userId: this.botUser.id, roles: [botRoleId], joinedAt });
    return guild;
  }

  guild(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw new Error(`FakeDiscord: unknown guild ${id}; call addGuild() first`);
    return guild;
  }

  addChannel(guildId: string, c: { id?: string; name?: string }): ChannelRecord {
    this.guild(guildId);
    const id = c.id ?? this.ids.next();
    this.ids.observe(id);
    const position = [...this.channels.values()].filter((ch) => ch.guildId === guildId).length;
    const channel: ChannelRecord = {
      id,
      guildId,
      name: c.name ?? `channel-${position}`,
      position,
      deleted: false,
      forbidden: false,
      lastMessageId: null,
    };
    this.channels.set(id, channel);
    this.channelMessages.set(id, []);
    return channel;
  }

  channel(id: string): ChannelRecord {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`FakeDiscord: unknown channel ${id}; call addChannel() first`);
    return channel;
  }

  /** The bot's DM channel with a user (created on first use, as `POST /users/@me/channels` does). */
  dmChannel(userId: string): ChannelRecord {
    this.user(userId);
    let channel = this.dmChannels.get(userId);
    if (!channel) {
      const id = this.ids.next();
      channel = { id, guildId: '', name: '', position: 0, deleted: false, forbidden: false, lastMessageId: null, recipientId: userId };
      this.dmChannels.set(userId, channel);
      this.channels.set(id, channel);
      this.channelMessages.set(id, []);
    }
    return channel;
  }

  guildChannels(guildId: string): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId && !c.deleted);
  }

  /**
   * The role materialising a permission set given by a test (so that discord.js, which computes
   * `GuildMember#permissions` from roles, agrees with the interaction's `member.permissions`).
   * Returns the role and whether it was created.
   */
  permissionRole(guildId: string, permissions: bigint): { role: RoleRecord; created: boolean } {
    const guild = this.guild(guildId);
    const name = `perms-${permissions.toString(16)}`;
    const existing = guild.roles.find((r) => r.name === name && !r.managed);
    if (existing) return { role: existing, created: false };
    const role: RoleRecord = {
      id: this.ids.next(),
      name,
      permissions,
      position: guild.roles.length,
      managed: false,
      color: 0,
    };
    guild.roles.push(role);
    return { role, created: true };
  }

  member(guildId: string, userId: string): MemberRecord {
    const member = this.guild(guildId).members.get(userId);
    if (!member) {
      throw new Error(`FakeDiscord: user ${userId} is not a member of guild ${guildId}; call addMember() first`);
    }
    return member;
  }

  /** Guild-level permissions of a member (owner: everything; administrator: everything). */
  memberPermissions(guildId: string, userId: string): bigint {
    const guild = this.guild(guildId);
    if (guild.ownerId === userId) return ALL_PERMISSIONS;
    const member = guild.members.get(userId);
    let permissions = guild.roles.find((r) => r.id === guild.id)?.permissions ?? 0n;
    for (const roleId of member?.roles ?? []) {
      permissions |= guild.roles.find((r) => r.id === roleId)?.permissions ?? 0n;
    }
    return (permissions & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : permissions;
  }

  // ---- messages ----------------------------------------------------------------------------

  createMessage(input: NewMessage): FakeMessage {
    const channel = this.channel(input.channelId);
    const id = this.ids.next();
    const message: FakeMessage = {
      id,
      channelId: channel.id,
      guildId: channel.recipientId ? null : channel.guildId,
      authorId: input.authorId,
      type: input.type ?? 0,
      content: input.content ?? '',
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      flags: input.flags ?? 0,
      allowedMentions: input.allowedMentions,
      attachments: input.attachments ?? [],
      nonce: input.nonce,
      tts: input.tts ?? false,
      messageReference: input.messageReference,
      deleted: false,
      reactions: [],
      timestamp: snowflakeTimestamp(id),
      editedTimestamp: null,
      webhookId: input.webhookId ?? null,
      interactionId: input.interactionId ?? null,
      revisions: [],
    };
    this.snapshot(message);
    this.messages.set(id, message);
    this.channelMessages.get(channel.id)?.push(message);
    if ((message.flags & MessageFlag.Ephemeral) === 0) channel.lastMessageId = id;
    this.changes.emit('message', message);
    return message;
  }

  /** A live (not deleted, not ephemeral) message of a channel, or undefined. */
  visibleMessage(channelId: string, messageId: string): FakeMessage | undefined {
    const message = this.messages.get(messageId);
    if (!message || message.channelId !== channelId || message.deleted) return undefined;
    if ((message.flags & MessageFlag.Ephemeral) !== 0) return undefined;
    return message;
  }

  editMessage(message: FakeMessage, patch: MessagePatch, edited = true): FakeMessage {
    Object.assign(message, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    if ('allowedMentions' in patch) message.allowedMentions = patch.allowedMentions;
    if (edited) message.editedTimestamp = new Date().toISOString();
    this.snapshot(message);
    this.changes.emit('message', message);
    return message;
  }

  deleteMessage(message: FakeMessage): void {
    message.deleted = true;
    this.changes.emit('message', message);
  }

  private snapshot(message: FakeMessage): void {
    message.revisions.push({
      content: message.content,
      embeds: structuredClone(message.embeds),
      components: structuredClone(message.components),
      flags: message.flags,
      attachments: message.attachments.map((a) => a.filename),
      at: performance.now(),
    });
  }

  // ---- reactions ---------------------------------------------------------------------------

  /**
   * Adds a reaction, normal or super (burst): Discord keeps the two apart, so one member may have both with one emoji.
   * Returns false when the user had already reacted that way.
   */
  addReaction(message: FakeMessage, userId: string, emoji: EmojiRef, burst = false): boolean {
    const key = emojiKey(emoji);
    let reaction = message.reactions.find((r) => emojiKey(r.emoji) === key);
    if (!reaction) {
      reaction = { emoji: { ...emoji }, userIds: [], burstUserIds: [] };
      message.reactions.push(reaction);
    }
    const users = burst ? reaction.burstUserIds : reaction.userIds;
    if (users.includes(userId)) return false;
    users.push(userId);
    this.changes.emit('message', message);
    return true;
  }

  /** Removes a normal (or super) reaction; returns false when there was nothing to remove. */
  removeReaction(message: FakeMessage, userId: string, emoji: EmojiRef, burst = false): boolean {
    const key = emojiKey(emoji);
    const reaction = message.reactions.find((r) => emojiKey(r.emoji) === key);
    const users = burst ? reaction?.burstUserIds : reaction?.userIds;
    if (!reaction || !users?.includes(userId)) return false;
    if (burst) reaction.burstUserIds = users.filter((id) => id !== userId);
    else reaction.userIds = users.filter((id) => id !== userId);
    if (reaction.userIds.length === 0 && reaction.burstUserIds.length === 0) message.reactions = message.reactions.filter((r) => r !== reaction);
    this.changes.emit('message', message);
    return true;
  }

  /** Removes every reaction of one emoji; returns the removed emoji (with its stored name) or undefined. */
  removeEmoji(message: FakeMessage, emoji: EmojiRef): EmojiRef | undefined {
    const key = emojiKey(emoji);
    const reaction = message.reactions.find((r) => emojiKey(r.emoji) === key);
    if (!reaction) return undefined;
    message.reactions = message.reactions.filter((r) => r !== reaction);
    this.changes.emit('message', message);
    return reaction.emoji;
  }

  removeAllReactions(message: FakeMessage): void {
    message.reactions = [];
    this.changes.emit('message', message);
  }

  /**
   * Users who reacted with an emoji, ascending by id, after `after`, at most `limit`: normal reactions (`type` 0,
   * Discord's default) or super reactions (`type` 1), never both in one list.
   */
  reactionUsers(message: FakeMessage, emoji: EmojiRef, after: string | undefined, limit: number, type: 0 | 1 = 0): FakeUser[] {
    const reaction = message.reactions.find((r) => emojiKey(r.emoji) === emojiKey(emoji));
    if (!reaction) return [];
    return [...(type === 1 ? reaction.burstUserIds : reaction.userIds)]
      .sort(compareSnowflakes)
      .filter((id) => after === undefined || compareSnowflakes(id, after) > 0)
      .slice(0, limit)
      .map((id) => this.user(id));
  }

  // ---- interactions ------------------------------------------------------------------------

  addInteraction(record: Omit<InteractionRecord, 'id' | 'token' | 'callbacks' | 'followupIds' | 'createdAt'>): InteractionRecord {
    const id = this.ids.next();
    // Shaped like Discord's: "interaction:<id>:<secret>" in base64url (no characters needing escapes).
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('base64url')}`).toString('base64url');
    const interaction: InteractionRecord = { ...record, id, token, createdAt: this.now(), callbacks: [], followupIds: [] };
    this.interactions.set(id, interaction);
    this.interactionsByToken.set(token, interaction);
    return interaction;
  }
}
