/**
 * The {@link Publisher} port over Discord's REST API, with the bot token (interaction tokens die after 15 minutes); the
 * member's status message is {@link StatusMessages}'.
 */
import { DiscordAPIError, HTTPError, RateLimitError, SnowflakeUtil, type REST } from "discord.js";
import { ReactionType, Routes, type APIGuildMember, type APIMessage, type APIReaction, type APIUser } from "discord-api-types/v10";
import { PublishError } from "../core/errors.js";
import type { Clock, JobStatus, Logger, PostRef, Publisher, ReactionSnapshot } from "../core/ports.js";
import type { Community, MemberDates } from "../core/types.js";
import { buttonId, digestMessage, digestTitleLine, galleryPost, imageFileName, NO_PINGS, nonceOf } from "./render.js";
import { StatusMessages } from "./status-messages.js";

const MISSING_ACCESS = new Set([50001, 50013]);
const MISSING_ACCESS_FIX = "I'm missing permissions there (View Channel, Send Messages, Embed Links, Attach Files, Read Message History).";
const UNKNOWN_CHANNEL = 10003;
const UNKNOWN_MESSAGE = 10008;
const UNKNOWN_MEMBER = 10007;

/** When a Discord account was created: the timestamp every snowflake id carries. */
export function accountCreatedAt(userId: string): Date | null {
  try {
    return new Date(SnowflakeUtil.timestampFrom(userId));
  } catch {
    return null;
  }
}

const DISCORD_EPOCH = 1_420_070_400_000n;
/** Pages of 100 messages read when looking for an earlier post: a busy gallery posts far fewer while a bot restarts. */
const LOOK_BACK_PAGES = 10;

/** The smallest snowflake of an instant: `after` it lists the messages posted since. */
function snowflakeAt(at: Date): string {
  return String((BigInt(Math.max(0, at.getTime())) - DISCORD_EPOCH) << 22n);
}

export function messageUrl(guildId: string, channelId: string, messageId: string): string {
  return `https://discord.com/channels/${guildId}/${channelId}/${messageId}`;
}

/** Standard emoji by character, custom emoji as `name:id`: the same value the gateway handlers produce. */
export function emojiKey(emoji: { id?: string | null; name?: string | null }): string {
  return emoji.id ? `${emoji.name ?? ""}:${emoji.id}` : (emoji.name ?? "");
}

/**
 * An emoji as a path segment of the reaction routes, percent-encoded whole: a keycap `#️⃣` sent as it is would start
 * the URL's fragment (the request would end at `/reactions/`, its query lost). Every character but letters, digits,
 * `-` and `_` is encoded — `encodeURIComponent` leaves `*` (the `*️⃣` keycap), `.`, `!`, `'`, `(`, `)` and `~` as they
 * are, and discord-api-types' `Routes` would then encode the whole segment again (`%` as `%25`), since it passes on
 * only arguments made of those URL-safe characters (and `%`) as they are.
 */
export function routeEmoji(emoji: { id?: string | null; name?: string | null }): string {
  const text = emoji.id ? `${emoji.name ?? "_"}:${emoji.id}` : (emoji.name ?? "");
  return encodeURIComponent(text).replace(/[!'()*.~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The reaction types to list for one emoji of a message: Discord lists normal (`type=0`, the default) and super
 * (burst, `type=1`) reactions apart, and counts each in `count_details`; both when the counts are missing.
 */
function reactionTypes(reaction: APIReaction): Array<ReactionType> {
  const details = reaction.count_details as APIReaction["count_details"] | undefined;
  if (!details) return [ReactionType.Normal, ReactionType.Burst];
  return [...(details.normal > 0 ? [ReactionType.Normal] : []), ...(details.burst > 0 ? [ReactionType.Burst] : [])];
}

export function toPublishError(error: unknown): PublishError | unknown {
  if (error instanceof DiscordAPIError) {
    if (MISSING_ACCESS.has(Number(error.code))) return new PublishError("missing_access", error.message, { cause: error, fix: MISSING_ACCESS_FIX });
    if (error.code === UNKNOWN_CHANNEL) return new PublishError("channel_not_found", error.message, { cause: error });
    if (error.status >= 500) return new PublishError("transient", error.message, { cause: error });
    return new PublishError("other", error.message, { cause: error });
  }
  if (error instanceof HTTPError) return new PublishError(error.status >= 500 ? "transient" : "other", error.message, { cause: error });
  // A 429 whose wait is too long to sit out in the request (see `rejectOnRateLimit`): the queue retries it later.
  if (error instanceof RateLimitError) {
    return new PublishError("transient", `rate limited for ${error.retryAfter} ms on ${error.route}`, { cause: error, retryAfterMs: error.retryAfter });
  }
  if (error instanceof Error && /timeout|ECONNRESET|ECONNREFUSED|aborted/i.test(error.message)) return new PublishError("transient", error.message, { cause: error });
  return error;
}

export class DiscordPublisher implements Publisher {
  readonly platform = "discord" as const;
  private self: Promise<string> | null = null;

  private readonly statuses: StatusMessages;

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
    clock: Clock,
  ) {
    this.statuses = new StatusMessages(rest, logger, clock);
  }

  async postCreation({ community, creation, image, remixOf }: Parameters<Publisher["postCreation"]>[0]): Promise<PostRef> {
    const channelId = community.galleryChannelId!;
    const name = imageFileName(creation, image.mimeType);
    try {
      const message = (await this.rest.post(Routes.channelMessages(channelId), {
        body: galleryPost(creation, name, remixOf ?? null),
        files: [{ name, data: image.bytes, contentType: image.mimeType }],
      })) as APIMessage;
      return { channelId, messageId: message.id, url: messageUrl(community.externalId, channelId, message.id) };
    } catch (error) {
      throw toPublishError(error);
    }
  }

  async findCreationPost({ community, creation, since }: Parameters<Publisher["findCreationPost"]>[0]): Promise<PostRef | null> {
    // The gallery post carries the creation's own Delete button: only the bot posts components in the gallery.
    const marker = buttonId("delete", creation.id);
    const channelId = community.galleryChannelId!;
    const found = await this.findOwnMessage(channelId, since, (m) => m.components?.some((row) => "components" in row && row.components.some((c) => "custom_id" in c && c.custom_id === marker)) ?? false);
    return found ? { channelId, messageId: found.id, url: messageUrl(community.externalId, channelId, found.id) } : null;
  }

  async findDigestPost({ community, channelId, digest, since }: Parameters<Publisher["findDigestPost"]>[0]): Promise<PostRef | null> {
    const title = digestTitleLine(digest);
    const found = await this.findOwnMessage(channelId, since, (m) => m.content.startsWith(title));
    return found ? { channelId, messageId: found.id, url: messageUrl(community.externalId, channelId, found.id) } : null;
  }

  /**
   * The first message Salon itself posted in the channel since `since` that matches, reading forward a bounded number
   * of pages. Discord's enforced nonce only dedupes for a few minutes, so a post made before a longer outage is found
   * here. Only Salon's own bot user counts: any other bot or webhook can post a message carrying the same button id or
   * title line, and taking it for Salon's would leave the real post unmade.
   */
  private async findOwnMessage(channelId: string, since: Date, matches: (message: APIMessage) => boolean): Promise<APIMessage | null> {
    let selfId: string;
    try {
      selfId = await this.selfId();
    } catch (error) {
      throw toPublishError(error);
    }
    let after = snowflakeAt(new Date(since.getTime() - 60_000));
    for (let page = 0; page < LOOK_BACK_PAGES; page++) {
      let messages: APIMessage[];
      try {
        messages = (await this.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ after, limit: "100" }) })) as APIMessage[];
      } catch (error) {
        throw toPublishError(error);
      }
      // A webhook's message has the webhook as its author, never Salon's user: the id alone tells them apart.
      const hit = messages.find((m) => m.author.id === selfId && matches(m));
      if (hit) return hit;
      if (messages.length < 100) return null;
      after = messages.reduce((max, m) => (BigInt(m.id) > BigInt(max) ? m.id : max), after);
    }
    this.logger.warn({ channelId, pages: LOOK_BACK_PAGES }, "stopped looking for an earlier post after the page limit");
    return null;
  }

  /** Salon's bot user id, asked of Discord once (`GET /users/@me`); a failed ask is asked again next time. */
  private selfId(): Promise<string> {
    this.self ??= (this.rest.get(Routes.user("@me")) as Promise<APIUser>).then(
      (user) => user.id,
      (error: unknown) => {
        this.self = null;
        throw error;
      },
    );
    return this.self;
  }

  async deletePost(_community: Community, channelId: string, messageId: string): Promise<void> {
    try {
      await this.rest.delete(Routes.channelMessage(channelId, messageId));
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === UNKNOWN_MESSAGE || error.code === UNKNOWN_CHANNEL)) return;
      throw toPublishError(error);
    }
  }

  async postDigest({ community, channelId, digest, collage }: Parameters<Publisher["postDigest"]>[0]): Promise<PostRef> {
    const name = `salon-digest-${digest.day}.${collage?.mimeType === "image/jpeg" ? "jpg" : "png"}`;
    try {
      const message = (await this.rest.post(Routes.channelMessages(channelId), {
        body: {
          content: digestMessage(digest),
          allowed_mentions: NO_PINGS,
          nonce: nonceOf.digest(community.id, digest.day),
          enforce_nonce: true,
        },
        files: collage ? [{ name, data: collage.bytes, contentType: collage.mimeType }] : [],
      })) as APIMessage;
      return { channelId, messageId: message.id, url: messageUrl(community.externalId, channelId, message.id) };
    } catch (error) {
      throw toPublishError(error);
    }
  }

  async editDigest({ channelId, messageId, digest, collage }: Parameters<Publisher["editDigest"]>[0]): Promise<void> {
    const name = `salon-digest-${digest.day}.${collage?.mimeType === "image/jpeg" ? "jpg" : "png"}`;
    try {
      // `attachments` lists what the message keeps: only the new collage (the old one showed the forgotten member's image).
      await this.rest.patch(Routes.channelMessage(channelId, messageId), {
        body: { content: digestMessage(digest), allowed_mentions: NO_PINGS, attachments: collage ? [{ id: 0, filename: name }] : [] },
        files: collage ? [{ name, data: collage.bytes, contentType: collage.mimeType }] : [],
      });
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === UNKNOWN_MESSAGE || error.code === UNKNOWN_CHANNEL)) return;
      throw toPublishError(error);
    }
  }

  async fetchReactions(_community: Community, channelId: string, messageId: string): Promise<ReactionSnapshot[] | "deleted"> {
    let message: APIMessage;
    try {
      message = (await this.rest.get(Routes.channelMessage(channelId, messageId))) as APIMessage;
    } catch (error) {
      if (error instanceof DiscordAPIError && (error.code === UNKNOWN_MESSAGE || error.code === UNKNOWN_CHANNEL)) return "deleted";
      throw error;
    }
    const snapshot: ReactionSnapshot[] = [];
    // A member's normal and super reaction with one emoji are two reactions on Discord and one here.
    const seen = new Set<string>();
    for (const reaction of message.reactions ?? []) {
      const key = emojiKey(reaction.emoji);
      const route = Routes.channelMessageReaction(channelId, messageId, routeEmoji(reaction.emoji));
      for (const type of reactionTypes(reaction)) {
        let after: string | undefined;
        for (;;) {
          const query = new URLSearchParams({ limit: "100", type: String(type), ...(after ? { after } : {}) });
          const users = (await this.rest.get(route, { query })) as APIUser[];
          for (const user of users) {
            if (seen.has(`${user.id} ${key}`)) continue;
            seen.add(`${user.id} ${key}`);
            snapshot.push({ userId: user.id, emoji: key, isBot: user.bot === true, member: { accountCreatedAt: accountCreatedAt(user.id) } });
          }
          if (users.length < 100) break;
          after = users[users.length - 1]!.id;
        }
      }
    }
    return snapshot;
  }

  async memberDates(community: Community, userId: string): Promise<MemberDates | null> {
    try {
      // GET guild member needs no privileged intent (intents only filter the gateway).
      const member = (await this.rest.get(Routes.guildMember(community.externalId, userId))) as APIGuildMember;
      return { accountCreatedAt: accountCreatedAt(userId), joinedAt: member.joined_at ? new Date(member.joined_at) : null };
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === UNKNOWN_MEMBER) return null;
      throw error;
    }
  }

  /**
   * Discord's typing indicator asks for the same View Channel and Send Messages as a post, and posts nothing: a
   * channel that refuses it would refuse the post. (Salon calls this only when an admin sets up or checks a channel
   * with a known problem, so members rarely see "Salon is typing…".)
   */
  async checkChannel(_community: Community, channelId: string): Promise<PublishError | null> {
    try {
      await this.rest.post(Routes.channelTyping(channelId));
      return null;
    } catch (error) {
      const failure = toPublishError(error);
      if (failure instanceof PublishError && (failure.kind === "missing_access" || failure.kind === "channel_not_found")) return failure;
      throw failure;
    }
  }

  updateStatus(statusRef: string, status: JobStatus): Promise<void> {
    return this.statuses.update(statusRef, status);
  }
}
