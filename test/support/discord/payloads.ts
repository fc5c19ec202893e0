/**
 * Builders for Discord v10 JSON objects (shapes follow Discord's OpenAPI spec: UserResponse,
 * GuildMemberResponse, GuildRoleResponse, GuildChannelResponse, GuildWithCountsResponse, MessageResponse,
 * MessageReactionResponse, MessageAttachmentResponse, and the gateway READY / GUILD_CREATE payloads).
 */
import { MessageFlag, Permission } from './constants.js';
import { emojiPayload } from './emoji.js';
import type { ChannelRecord, DiscordState, GuildRecord, MemberRecord, RoleRecord } from './state.js';
import type { FakeAttachment, FakeMessage, FakeUser } from './types.js';

type Json = Record<string, unknown>;

/** UserResponse. */
export function userPayload(user: FakeUser): Json {
  return {
    id: user.id,
    username: user.username,
    avatar: null,
    discriminator: '0',
    public_flags: 0,
    flags: 0,
    ...(user.bot ? { bot: true } : {}),
    banner: null,
    accent_color: null,
    global_name: user.globalName,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
    clan: null,
  };
}

/** UserPIIResponse (GET /users/@me, READY.user). */
export function selfUserPayload(user: FakeUser): Json {
  return { ...userPayload(user), mfa_enabled: false, locale: 'en-US', premium_type: 0, email: null, verified: true };
}

/** GuildMemberResponse; `withUser: false` for MESSAGE_CREATE.member / resolved.members. */
export function memberPayload(state: DiscordState, member: MemberRecord, withUser = true): Json {
  return {
    avatar: null,
    banner: null,
    communication_disabled_until: null,
    flags: 0,
    joined_at: member.joinedAt,
    nick: null,
    pending: false,
    premium_since: null,
    roles: [...member.roles],
    ...(withUser ? { user: userPayload(state.user(member.userId)) } : {}),
    mute: false,
    deaf: false,
  };
}

/** GuildRoleResponse. */
export function rolePayload(role: RoleRecord): Json {
  return {
    id: role.id,
    name: role.name,
    description: null,
    permissions: role.permissions.toString(),
    position: role.position,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: false,
    managed: role.managed,
    mentionable: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
    ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
  };
}

/** PrivateChannelResponse: the bot's DM channel with one user. */
export function dmChannelPayload(state: DiscordState, channel: ChannelRecord): Json {
  return {
    id: channel.id,
    type: 1,
    last_message_id: channel.lastMessageId,
    flags: 0,
    last_pin_timestamp: null,
    recipients: [userPayload(state.user(channel.recipientId!))],
  };
}

/** GuildChannelResponse for a text channel; `permissions` is added in interaction payloads. */
export function channelPayload(channel: ChannelRecord, permissions?: bigint): Json {
  return {
    id: channel.id,
    type: 0,
    last_message_id: channel.lastMessageId,
    flags: 0,
    last_pin_timestamp: null,
    guild_id: channel.guildId,
    name: channel.name,
    parent_id: null,
    rate_limit_per_user: 0,
    topic: null,
    position: channel.position,
    permission_overwrites: [],
    nsfw: false,
    ...(permissions === undefined ? {} : { permissions: permissions.toString() }),
  };
}

/** GuildWithCountsResponse fields shared by REST and GUILD_CREATE. */
export function guildPayload(guild: GuildRecord, withCounts = false): Json {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    description: null,
    home_header: null,
    splash: null,
    discovery_splash: null,
    features: [],
    banner: null,
    owner_id: guild.ownerId,
    application_id: null,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    system_channel_id: null,
    system_channel_flags: 0,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    roles: guild.roles.map(rolePayload),
    default_message_notifications: 0,
    mfa_level: 0,
    explicit_content_filter: 0,
    max_presences: null,
    max_members: 25000000,
    max_stage_video_channel_users: 50,
    max_video_channel_users: 25,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    rules_channel_id: null,
    safety_alerts_channel_id: null,
    public_updates_channel_id: null,
    premium_progress_bar_enabled: false,
    nsfw: false,
    nsfw_level: 0,
    emojis: [],
    stickers: [],
    incidents_data: null,
    ...(withCounts ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {}),
  };
}

/**
 * GUILD_CREATE payload. Like Discord for a bot without the Guild Members intent, `members` only holds
 * the bot's own member.
 */
export function guildCreatePayload(state: DiscordState, guild: GuildRecord): Json {
  const botMember = guild.members.get(state.botUser.id);
  return {
    ...guildPayload(guild),
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    lazy: true,
    voice_states: [],
    members: botMember ? [memberPayload(state, botMember)] : [],
    channels: state.guildChannels(guild.id).map((c) => channelPayload(c)),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
    activity_instances: [],
    version: Date.now(),
    application_command_counts: {},
    hub_type: null,
  };
}

/** MessageAttachmentResponse. */
export function attachmentPayload(attachment: FakeAttachment): Json {
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.size,
    url: attachment.url,
    proxy_url: attachment.url,
    ...(attachment.width === undefined ? {} : { width: attachment.width, height: attachment.height }),
    ...(attachment.description === undefined ? {} : { description: attachment.description }),
    content_type: attachment.contentType,
    ...(attachment.contentType.startsWith('image/') ? { placeholder: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA', placeholder_version: 1 } : {}),
  };
}

/** The colours Discord paints a super reaction with (hex strings; the fake uses one palette for every emoji). */
export const BURST_COLORS = ['#f1c40f', '#e67e22'];

/**
 * `reactions` summary of a message (MessageReactionResponse[]), `me`/`me_burst` from the bot's point of view: `count`
 * is every reaction with the emoji, `count_details` splits it into normal and super (burst) reactions.
 */
export function reactionsPayload(state: DiscordState, message: FakeMessage): Json[] {
  return message.reactions.map((reaction) => ({
    emoji: emojiPayload(reaction.emoji),
    count: reaction.userIds.length + reaction.burstUserIds.length,
    count_details: { burst: reaction.burstUserIds.length, normal: reaction.userIds.length },
    burst_colors: reaction.burstUserIds.length > 0 ? [...BURST_COLORS] : [],
    me_burst: reaction.burstUserIds.includes(state.botUser.id),
    me: reaction.userIds.includes(state.botUser.id),
  }));
}

const USER_MENTION = /<@!?(\d{5,20})>/g;

/** Users really mentioned by a message, honouring allowed_mentions (as Discord fills `mentions`). */
function mentionedUsers(state: DiscordState, message: FakeMessage): FakeUser[] {
  const allowed = message.allowedMentions as { parse?: string[]; users?: string[]; replied_user?: boolean } | undefined;
  const ids = [...message.content.matchAll(USER_MENTION)].map((m) => m[1]!);
  return [...new Set(ids)]
    .filter((id) => !allowed || (allowed.parse ?? []).includes('users') || (allowed.users ?? []).includes(id))
    .map((id) => state.users.get(id))
    .filter((u): u is FakeUser => u !== undefined);
}

/** Resolves `attachment://name` URLs of embed images/thumbnails the way Discord does. */
function resolveEmbeds(message: FakeMessage): unknown[] {
  return message.embeds.map((embed) => {
    const out = { type: 'rich', ...structuredClone(embed) };
    for (const key of ['image', 'thumbnail'] as const) {
      const media = out[key];
      if (media && typeof media.url === 'string' && media.url.startsWith('attachment://')) {
        const attachment = message.attachments.find((a) => a.filename === media.url.slice('attachment://'.length));
        if (attachment) {
          out[key] = {
            url: attachment.url,
            proxy_url: attachment.url,
            ...(attachment.width === undefined ? {} : { width: attachment.width, height: attachment.height }),
            content_type: attachment.contentType,
            flags: 0,
          };
        }
      }
    }
    return out;
  });
}

/** Options of {@link messagePayload}. */
export interface MessagePayloadOptions {
  /** Gateway events carry `guild_id` and `member`. */
  gateway?: boolean;
  /** Whether the viewer (the bot) may read content of messages by others (Message Content intent). */
  messageContent?: boolean;
}

/** MessageResponse (REST) or the MESSAGE_CREATE/UPDATE payload (gateway). */
export function messagePayload(state: DiscordState, message: FakeMessage, options: MessagePayloadOptions = {}): Json {
  const author = state.user(message.authorId);
  const interaction = message.interactionId ? state.interactions.get(message.interactionId) : undefined;
  const mentions = mentionedUsers(state, message);
  const hidden =
    options.messageContent === false &&
    author.id !== state.botUser.id &&
    !mentions.some((u) => u.id === state.botUser.id);
  const payload: Json = {
    type: message.type,
    content: hidden ? '' : message.content,
    mentions: mentions.map(userPayload),
    mention_roles: [],
    attachments: hidden ? [] : message.attachments.map(attachmentPayload),
    embeds: hidden ? [] : resolveEmbeds(message),
    timestamp: message.timestamp,
    edited_timestamp: message.editedTimestamp,
    flags: message.flags,
    components: hidden ? [] : structuredClone(message.components),
    id: message.id,
    channel_id: message.channelId,
    author: userPayload(author),
    pinned: false,
    mention_everyone: false,
    tts: message.tts,
  };
  if (message.nonce !== undefined) payload.nonce = message.nonce;
  if (message.webhookId) {
    payload.webhook_id = message.webhookId;
    // Interaction responses are the application's own webhook; any other webhook belongs to no application.
    if (message.webhookId === state.applicationId) payload.application_id = state.applicationId;
  }
  if (interaction) {
    const user = userPayload(state.user(interaction.userId));
    payload.interaction_metadata = {
      id: interaction.id,
      type: interaction.type,
      user,
      authorizing_integration_owners: { '0': interaction.guildId },
      ...(interaction.name ? { name: interaction.name, command_type: 1 } : {}),
      ...(interaction.messageId ? { interacted_message_id: interaction.messageId } : {}),
      ...(interaction.originalMessageId && interaction.originalMessageId !== message.id
        ? { original_response_message_id: interaction.originalMessageId }
        : {}),
    };
    if (interaction.name) payload.interaction = { id: interaction.id, type: interaction.type, name: interaction.name, user };
  }
  if (message.messageReference) {
    const reference = message.messageReference as Json;
    const referenced = typeof reference.message_id === 'string' ? state.messages.get(reference.message_id) : undefined;
    payload.message_reference = {
      type: 0,
      channel_id: message.channelId,
      ...(message.guildId ? { guild_id: message.guildId } : {}),
      ...reference,
    };
    payload.referenced_message = referenced && !referenced.deleted ? messagePayload(state, referenced, { messageContent: options.messageContent }) : null;
  }
  if (message.reactions.length > 0) payload.reactions = reactionsPayload(state, message);
  if (options.gateway && message.guildId) {
    payload.guild_id = message.guildId;
    const member = state.guilds.get(message.guildId)?.members.get(message.authorId);
    if (member && !message.webhookId) payload.member = memberPayload(state, member, false);
  }
  return payload;
}

/** Whether a message is ephemeral. */
export function isEphemeral(message: FakeMessage): boolean {
  return (message.flags & MessageFlag.Ephemeral) !== 0;
}

/** Permissions the bot has in its guilds (used for `app_permissions`). */
export function botPermissions(state: DiscordState, guildId: string, channelId?: string): bigint {
  const permissions = state.memberPermissions(guildId, state.botUser.id);
  const channel = channelId ? state.channels.get(channelId) : undefined;
  if (channel?.forbidden) return permissions & ~(Permission.SendMessages | Permission.AttachFiles | Permission.EmbedLinks);
  return permissions;
}

/** MESSAGE_REACTION_ADD / MESSAGE_REACTION_REMOVE payload; a super reaction has `burst: true` and `type: 1`. */
export function reactionEventPayload(
  state: DiscordState,
  message: FakeMessage,
  userId: string,
  emoji: { id: string | null; name: string; animated?: boolean },
  kind: 'add' | 'remove',
  burst = false,
): Json {
  const payload: Json = {
    user_id: userId,
    type: burst ? 1 : 0,
    message_id: message.id,
    channel_id: message.channelId,
    emoji: emojiPayload(emoji),
    burst,
  };
  if (message.guildId) payload.guild_id = message.guildId;
  if (kind === 'add') {
    const member = message.guildId ? state.guilds.get(message.guildId)?.members.get(userId) : undefined;
    if (member) payload.member = memberPayload(state, member);
    payload.message_author_id = message.authorId;
    payload.burst_colors = burst ? [...BURST_COLORS] : [];
  }
  return payload;
}
