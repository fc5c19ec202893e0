/** Discord epoch (2015-01-01T00:00:00Z) used by snowflakes. */
export const DISCORD_EPOCH = 1420070400000n;

/** Creates increasing, realistic snowflakes (timestamp << 22 | counter). */
export class SnowflakeGenerator {
  private last = 0n;
  private counter = 0n;

  /** Next id, strictly greater than every id generated or {@link observe}d before. */
  next(): string {
    const base = ((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (this.counter++ & 0xfffn);
    this.last = base > this.last ? base : this.last + 1n;
    return this.last.toString();
  }

  /** Makes later ids larger than an externally chosen numeric id. */
  observe(id: string): void {
    if (/^\d+$/.test(id)) {
      const value = BigInt(id);
      if (value > this.last) this.last = value;
    }
  }
}

/** Compares two snowflakes numerically. */
export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A snowflake made at `at` (its timestamp), distinct from others of that millisecond by `sequence` (0–4095). */
export function snowflakeAt(at: Date, sequence = 0): string {
  return (((BigInt(at.getTime()) - DISCORD_EPOCH) << 22n) | BigInt(sequence & 0xfff)).toString();
}

/** ISO timestamp encoded in a snowflake. */
export function snowflakeTimestamp(id: string): string {
  return new Date(Number((BigInt(id) >> 22n) + DISCORD_EPOCH)).toISOString();
}

/** Permission bits used by the fake. */
export const Permission = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  ManageGuild: 1n << 5n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  Connect: 1n << 20n,
  Speak: 1n << 21n,
  ChangeNickname: 1n << 26n,
  UseApplicationCommands: 1n << 31n,
  SendMessagesInThreads: 1n << 38n,
} as const;

/** Every permission bit Discord defines today (what an owner / administrator gets). */
export const ALL_PERMISSIONS = (1n << 51n) - 1n;

/** Permissions of the @everyone role in a new Discord server (roughly). */
export const DEFAULT_EVERYONE_PERMISSIONS =
  Permission.CreateInstantInvite |
  Permission.AddReactions |
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.UseExternalEmojis |
  Permission.Connect |
  Permission.Speak |
  Permission.ChangeNickname |
  Permission.UseApplicationCommands |
  Permission.SendMessagesInThreads;

/** Permissions of the bot's managed role (what an invite link with the usual scopes grants). */
export const BOT_ROLE_PERMISSIONS =
  Permission.AddReactions |
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.ReadMessageHistory |
  Permission.UseExternalEmojis |
  Permission.SendMessagesInThreads;

/** Gateway intent bits. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  MessageContent: 1 << 15,
} as const;

/** Intents Discord only grants when enabled in the developer portal. */
export const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;

/** Which intent a dispatch needs (events not listed are always sent). */
export const EVENT_INTENTS: Record<string, number> = {
  GUILD_CREATE: Intent.Guilds,
  GUILD_UPDATE: Intent.Guilds,
  GUILD_DELETE: Intent.Guilds,
  GUILD_ROLE_CREATE: Intent.Guilds,
  GUILD_ROLE_UPDATE: Intent.Guilds,
  GUILD_ROLE_DELETE: Intent.Guilds,
  CHANNEL_CREATE: Intent.Guilds,
  CHANNEL_UPDATE: Intent.Guilds,
  CHANNEL_DELETE: Intent.Guilds,
  GUILD_MEMBER_ADD: Intent.GuildMembers,
  GUILD_MEMBER_UPDATE: Intent.GuildMembers,
  GUILD_MEMBER_REMOVE: Intent.GuildMembers,
  MESSAGE_CREATE: Intent.GuildMessages,
  MESSAGE_UPDATE: Intent.GuildMessages,
  MESSAGE_DELETE: Intent.GuildMessages,
  MESSAGE_DELETE_BULK: Intent.GuildMessages,
  MESSAGE_REACTION_ADD: Intent.GuildMessageReactions,
  MESSAGE_REACTION_REMOVE: Intent.GuildMessageReactions,
  MESSAGE_REACTION_REMOVE_ALL: Intent.GuildMessageReactions,
  MESSAGE_REACTION_REMOVE_EMOJI: Intent.GuildMessageReactions,
};

/** Message flags. */
export const MessageFlag = {
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  IsComponentsV2: 1 << 15,
} as const;

/** Largest upload Discord accepts from a bot in a server without boosts. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
