/**
 * Public types of the loopback Discord used in tests.
 *
 * Everything here describes state held by {@link FakeDiscord}; the objects handed out are the live
 * records (mutated as the bot edits messages), so read them, do not write them.
 */

/** Options for {@link FakeDiscord.start}. */
export interface FakeDiscordOptions {
  /** Token the bot must present (`Authorization: Bot <token>` and gateway IDENTIFY). Default `"fake-bot-token"`. */
  botToken?: string;
  /** Application id (also used as the webhook id of interaction responses). Generated when omitted. */
  applicationId?: string;
  /** User id of the bot user. Generated when omitted. */
  botUserId?: string;
  /**
   * Whether the application may use privileged intents (Guild Members, Guild Presences, Message Content).
   * Default `false`: like a Discord app whose privileged intents are off in the developer portal, an
   * IDENTIFY that asks for one is closed with 4014 "Disallowed intent(s)".
   */
  privilegedIntents?: boolean;
  /**
   * Interaction callbacks arriving later than this after the dispatch are answered
   * 404 `{code: 10062, message: "Unknown interaction"}`, like Discord's 3 second deadline. Default 3000.
   */
  interactionDeadlineMs?: number;
  /**
   * How long a message nonce sent with `enforce_nonce: true` dedupes: a second message with the same nonce by the
   * same author within this window returns the first message instead of creating one, whatever channel either is in
   * (Discord: "if another message was created by the same author with the same nonce, that message will be
   * returned"). Discord documents only "the past few minutes"; default 5 minutes, on the fake's clock
   * ({@link FakeDiscord.advanceTime}). 0 turns deduplication off (a nonce Discord has forgotten).
   */
  nonceWindowMs?: number;
  /**
   * Shards `GET /gateway/bot` recommends. Default: one per 1,000 guilds (at least 1), as Discord roughly does. An
   * IDENTIFY may use another count, as long as no shard holds more than `maxGuildsPerShard` guilds.
   */
  shards?: number;
  /** `session_start_limit.max_concurrency`: one IDENTIFY per bucket (`shard_id % max_concurrency`) per 5 s. Default 1. */
  maxConcurrency?: number;
  /** Guilds one session may hold before IDENTIFY is closed with 4011 Sharding required. Default 2,500, as on Discord. */
  maxGuildsPerShard?: number;
}

/** A guild known to the fake. */
export interface FakeGuild {
  readonly id: string;
  name: string;
  ownerId: string;
}

/** A guild text channel (type 0). */
export interface FakeChannel {
  readonly id: string;
  readonly guildId: string;
  name: string;
  /** Position in the channel list. */
  position: number;
}

/** A global Discord user. */
export interface FakeUser {
  readonly id: string;
  username: string;
  bot: boolean;
  /** Display name (`global_name`); defaults to the username for humans, null for bots. */
  globalName: string | null;
}

/** A stored attachment, with the exact bytes the bot uploaded. */
export interface FakeAttachment {
  id: string;
  filename: string;
  /** Detected from the bytes (PNG/JPEG/GIF/WebP) like Discord does, else the part's own content type. */
  contentType: string;
  bytes: Buffer;
  size: number;
  description?: string;
  /** URL served by the fake (no auth): GET it to download the bytes. */
  url: string;
  /** Set for PNG images. */
  width?: number;
  height?: number;
}

/** One reaction emoji on a message and who reacted with it (in reaction order), normal and super reactions apart. */
export interface FakeReaction {
  emoji: { id: string | null; name: string; animated?: boolean };
  /** Normal reactions (type 0). */
  userIds: string[];
  /** Super reactions (burst, type 1): Nitro members' animated reactions, counted and listed apart by Discord. */
  burstUserIds: string[];
}

/** A snapshot taken every time a message is created or edited. */
export interface FakeMessageRevision {
  content: string;
  /* eslint-disable @typescript-eslint/no-explicit-any */
  embeds: any[];
  components: any[];
  /* eslint-enable @typescript-eslint/no-explicit-any */
  flags: number;
  attachments: string[];
  at: number;
}

/** A message as stored by the fake (channel messages, interaction responses and followups). */
export interface FakeMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  /** Discord message type (0 default, 19 reply, 20 chat input command response). */
  type: number;
  content: string;
  /* eslint-disable @typescript-eslint/no-explicit-any */
  embeds: any[];
  components: any[];
  /* eslint-enable @typescript-eslint/no-explicit-any */
  /** Message flags; 64 = ephemeral, 128 = loading (deferred, not yet edited). */
  flags: number;
  /** `allowed_mentions` exactly as last sent (undefined when the bot did not send any). */
  allowedMentions: unknown;
  attachments: FakeAttachment[];
  nonce: string | number | undefined;
  tts: boolean;
  /** `message_reference` as sent (replies). */
  messageReference: unknown;
  /** True once deleted (via REST or {@link FakeDiscord.deleteMessage}); deleted messages stay listed. */
  deleted: boolean;
  reactions: FakeReaction[];
  /** ISO timestamps. */
  timestamp: string;
  editedTimestamp: string | null;
  /** Set for interaction responses and followups (the application id). */
  webhookId: string | null;
  /** Id of the interaction this message answers, if any. */
  interactionId: string | null;
  /** Every state the message went through, oldest first. */
  revisions: FakeMessageRevision[];
}

/** One application command option as Discord sends it inside an interaction. */
export interface RawOption {
  name: string;
  /** 1 subcommand, 2 group, 3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 9 mentionable, 10 number, 11 attachment. */
  type: number;
  value?: string | number | boolean;
  options?: RawOption[];
  focused?: boolean;
}

/** An interaction callback as received by the fake. */
export interface InteractionCallback {
  /** 1 pong, 4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete, 9 modal. */
  type: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  /** performance.now() when the callback arrived. */
  at: number;
}

/** Handle on an interaction the fake sent to the bot. */
export interface InteractionHandle {
  id: string;
  token: string;
  /** performance.now() when INTERACTION_CREATE was written to the gateway. */
  dispatchedAt: number;
  /** Resolves with the first callback (type 4/5/6/7...) and the performance.now() at which it arrived. */
  response(timeoutMs?: number): Promise<InteractionCallback>;
  /**
   * The current content of the original response message (after the callback and any
   * `PATCH /webhooks/{app}/{token}/messages/@original` edits). For a button answered with type 6/7 this is
   * the message carrying the button. Undefined before the callback.
   */
  original(): FakeMessage | undefined;
  /** Followup messages, in posting order. */
  followups(): FakeMessage[];
  /**
   * Resolves when the original response (or a followup) satisfies the predicate; rejects with a helpful
   * message (showing the last content) on timeout (default 5000ms).
   */
  waitFor(predicate: (m: FakeMessage) => boolean, timeoutMs?: number): Promise<FakeMessage>;
}

/** One REST request received by the fake. */
export interface RecordedRequest {
  method: string;
  /** Path without the `/api/v10` prefix, percent-decoded per segment (e.g. `/channels/1/messages/2/reactions/👍/@me`). */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body, or the parsed `payload_json` of a multipart body; undefined when empty. */
  body: unknown;
  /** File parts of a multipart body. */
  files: { field: string; filename: string; contentType: string; size: number }[];
  /** Whether a valid `Authorization: Bot <token>` header was present. */
  authorized: boolean;
  /** performance.now() when the request arrived. */
  at: number;
  /** HTTP status the fake answered. */
  status?: number;
}

/** A REST failure to inject, see {@link FakeDiscord.fail}. */
/**
 * Holds matching REST requests (`fake.hold(...)`), to stop the bot at an exact point of a request. `before`: the
 * request is not processed until released (a bot killed meanwhile never reaches Discord). `after`: Discord has done
 * what was asked (the message exists, its MESSAGE_CREATE went out) but the answer waits (a bot killed meanwhile never
 * learns it). A held request whose connection closes is dropped, unanswered.
 */
export interface HoldRule {
  /** HTTP method (case-insensitive) or `"*"`. */
  method: string;
  /** Tested against the decoded path without the `/api/v10` prefix. */
  pathPattern: RegExp;
  phase: 'before' | 'after';
  /** How many requests to hold; default 1. */
  times?: number;
}

export interface RequestHold {
  /** Resolves when the first held request arrives (for `after`: once it was processed). */
  readonly arrived: Promise<RecordedRequest>;
  /** Lets every request held by this rule go on, and stops holding new ones. */
  release(): void;
}

export interface FailureRule {
  /** HTTP method (case-insensitive) or `"*"`. */
  method: string;
  /** Tested against the decoded path without the `/api/v10` prefix, e.g. `/^\/channels\/\d+\/messages$/`. */
  pathPattern: RegExp;
  status: number;
  /** Response body; defaults to a Discord-like error body (429 gets `{message, retry_after, global}`). */
  body?: unknown;
  /** Extra headers, e.g. `{ "retry-after": "0.05" }` for 429. */
  headers?: Record<string, string>;
  /** How many requests to fail; default 1. */
  times?: number;
}

/** An IDENTIFY received on the gateway. */
export interface IdentifyRecord {
  intents: number;
  properties: unknown;
  shard: unknown;
  at: number;
}
