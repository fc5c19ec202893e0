/**
 * Public types of the loopback Slack used in tests.
 *
 * The objects handed out by {@link FakeSlack} (users, channels, messages, files) are the live records:
 * the fake mutates them as the bot edits, deletes and reacts. Read them; the only fields meant to be
 * written by tests are the flags of users and channels (`isAdmin`, `botIsMember`, `archived`...).
 */

/** Options for {@link FakeSlack.start}. */
export interface FakeSlackOptions {
  /** Bot token the Web API accepts (`Authorization: Bearer …`). Default: a realistic `xoxb-…` token. */
  botToken?: string;
  /** Secret the fake signs requests to the bot with (`x-slack-signature`). Default: 32 hex characters. */
  signingSecret?: string;
  /** App-level token that `apps.connections.open` requires. Default: a realistic `xapp-1-…` token. */
  appToken?: string;
  /** Workspace id. Default `T…` (generated). */
  teamId?: string;
  /** User id of the bot user (what `auth.test` answers as `user_id`). Default `U…` (generated). */
  botUserId?: string;
  /**
   * Delay between `files.completeUploadExternal` answering and the shared file's message appearing in the
   * channel (and in `files.info` `shares`), like Slack's asynchronous sharing. A number, or a range the
   * delay is drawn from uniformly. Default `{ min: 50, max: 200 }`.
   */
  fileShareDelayMs?: number | { min: number; max: number };
  /**
   * How long a delivery to the bot (HTTP request or Socket Mode envelope) may take before the fake gives
   * up on it (status 0). Slack itself gives up after 3 s, which deliveries report as `timedOut`; the fake
   * waits longer so tests can see late answers. Default 10000.
   */
  deliveryTimeoutMs?: number;
  /**
   * When true, a `chat.delete` of a message dispatches a `message_deleted` event to the bot, like Slack
   * does for apps subscribed to `message.channels`. Default false.
   */
  dispatchBotDeletes?: boolean;
}

/** A workspace member. */
export interface FakeSlackUser {
  readonly id: string;
  /** Handle (`name` in `users.info`, `user_name` in slash commands). */
  name: string;
  realName: string;
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
  deleted: boolean;
  /** IANA time zone reported by `users.info`. Default `"Europe/Paris"`. */
  tz: string;
}

/** A channel. */
export interface FakeSlackChannel {
  readonly id: string;
  name: string;
  /** When false, posting answers `not_in_channel` and the bot receives no events from it. */
  botIsMember: boolean;
  /** Private channel: shares are listed under `shares.private`, `is_private` in `conversations.info`. */
  isPrivate: boolean;
  /** Archived: posting answers `is_archived`. */
  archived: boolean;
}

/** One reaction emoji on a message (Slack name without colons, e.g. `+1`, `fire`). */
export interface FakeSlackReaction {
  name: string;
  /** Users in reaction order. */
  users: string[];
  count: number;
}

/** A file known to the fake (uploaded through `files.getUploadURLExternal` + the upload URL). */
export interface FakeSlackFile {
  readonly id: string;
  name: string;
  title: string;
  /** Detected from the bytes (PNG/JPEG/GIF/WebP), else from the extension, else `application/octet-stream`. */
  mimetype: string;
  /** Slack's `filetype`, e.g. `png`. */
  filetype: string;
  /** Length announced to `files.getUploadURLExternal`. */
  length: number;
  /** The exact bytes POSTed to the upload URL (empty until the upload happened). */
  bytes: Buffer;
  uploaded: boolean;
  /** True once `files.completeUploadExternal` accepted it. */
  completed: boolean;
  altText?: string;
  /** Uploader (the bot user). */
  user: string;
  /** Unix seconds. */
  created: number;
  /** Channel id → share timestamps (filled when the asynchronous share lands). */
  shares: Map<string, string[]>;
  deleted: boolean;
}

/** A channel message: posted by the bot, a file share, an `in_channel` response, or seeded by the test. */
export interface FakeSlackMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  /** Author user id (the bot user for our bot's messages); `''` for a webhook's message, which has only a `bot_id`. */
  user: string;
  /** Set for messages posted by a bot: ours, another app's, or a webhook. */
  botId?: string;
  files: FakeSlackFile[];
  reactions: FakeSlackReaction[];
  deleted: boolean;
  threadTs?: string;
  unfurlLinks?: boolean;
  unfurlMedia?: boolean;
  /** Set by `chat.update`. */
  edited?: { user: string; ts: string };
  /** How the message came to be. */
  source: 'chat.postMessage' | 'file_share' | 'response_url' | 'ack' | 'test';
}

/** An ephemeral message (only `user` sees it). */
export interface FakeSlackEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  /** `message_ts` for `chat.postEphemeral` (clickable with {@link FakeSlack.clickButton}), else a fresh ts. */
  ts: string;
  /**
   * `chat.postEphemeral`; `response_url` (a post with `response_type` ephemeral or none); `ack` (the body of
   * a slash command's HTTP/Socket Mode acknowledgement); `slack` (Slack's own error notice when the bot did
   * not answer a slash command in time or with an error: `/imagine failed with the error "operation_timeout"`).
   */
  source: 'chat.postEphemeral' | 'response_url' | 'ack' | 'slack';
  /** True once a `replace_original` response replaced its content (the record then holds the new text/blocks). */
  replaced: boolean;
  /** True once a `delete_original` response deleted it. */
  deleted: boolean;
}

/** One JSON post the bot made to a `response_url`. */
export interface ResponseUrlPost {
  /** performance.now() at arrival. */
  at: number;
  /** The parsed JSON body, as sent. */
  body: Record<string, unknown>;
  responseType: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: unknown[];
  replaceOriginal: boolean;
  deleteOriginal: boolean;
}

/** What a delivery to the bot came back with. */
export interface DeliveryResult {
  transport: 'http' | 'socket';
  /**
   * HTTP status of the bot's answer. Socket Mode: 200 once the envelope was acknowledged. 0 when the bot
   * never answered within `deliveryTimeoutMs`, or the connection failed.
   */
  status: number;
  /** Raw HTTP answer body (`''` for an empty ack). Socket Mode: JSON of the ack's `payload`, `''` when empty. */
  body: string;
  /** Milliseconds from sending to the answer. */
  ackMs: number;
  /** True when the answer took longer than Slack's 3 seconds (or never came). */
  timedOut: boolean;
}

/** A slash command or button click sent to the bot. */
export interface SlackCommandHandle extends DeliveryResult {
  /** The payload the bot received (slash command form fields, or the block_actions payload). */
  readonly payload: Record<string, unknown>;
  readonly triggerId: string;
  /** The `response_url` handed to the bot; served by the fake. */
  readonly responseUrl: string;
  /** The ack body parsed as JSON, when it is JSON. */
  readonly ackJson: unknown;
  /** Posts the bot made to the `response_url` that Slack accepted, in order (at most 5, within 30 minutes). */
  responses(): ResponseUrlPost[];
  /** Posts Slack refused with HTTP 404 because the URL was spent (`used_url`) or expired (`expired_url`), in order. */
  refusedResponses(): Array<'expired_url' | 'used_url'>;
  /** Resolves with the first (past or future) response_url post matching; rejects after `timeoutMs` (default 5000). */
  waitForResponse(predicate?: (r: ResponseUrlPost) => boolean, timeoutMs?: number): Promise<ResponseUrlPost>;
}

/** An Events API delivery (`event_callback`) and the bot's answer to it. */
export interface EventDelivery extends DeliveryResult {
  eventId: string;
  /** Unix seconds. */
  eventTime: number;
  /** The full `event_callback` envelope (the HTTP body, or the Socket Mode `payload`). */
  envelope: Record<string, unknown>;
  /** `x-slack-retry-num` / Socket Mode `retry_attempt`; undefined on a first delivery. */
  retryNum?: number;
  retryReason?: string;
}

/** One Web API call received by the fake. */
export interface RecordedCall {
  /** Method name, e.g. `files.completeUploadExternal`. */
  method: string;
  /**
   * Arguments from the query string and body (form or JSON), without `token`. The JSON-encoded form fields
   * `blocks`, `attachments`, `files` and `metadata` are decoded.
   */
  args: Record<string, unknown>;
  /** performance.now() at arrival. */
  at: number;
  /** Which token authenticated the call. */
  tokenType: 'bot' | 'app' | 'none' | 'invalid';
  /** The `{ ok, error? }` the fake answered with (HTTP status when a failure rule answered non-200). */
  ok: boolean;
  error?: string;
  status: number;
  /** Set when a {@link DropRule} dropped the answer: Slack did the call, the caller never heard. */
  dropped?: 'destroy' | 'hang';
}

/** A Web API failure to inject, see {@link FakeSlack.fail}. */
/**
 * Holds matching Web API calls (`fake.hold(...)`), to stop the bot at an exact point. `before`: the call is not
 * handled until released (a bot killed meanwhile never reaches Slack). `after`: Slack did what was asked (the message
 * is posted) but the answer waits (a bot killed meanwhile never learns it). A held call whose connection closes is
 * dropped, unanswered.
 */
export interface HoldRule {
  /** Web API method name, or `"*"`. */
  method: string;
  phase: 'before' | 'after';
  /** How many calls to hold; default 1. */
  times?: number;
}

export interface CallHold {
  /** Resolves when the first held call arrives (for `after`: once it was handled). */
  readonly arrived: Promise<RecordedCall>;
  /** Lets every call held by this rule go on, and stops holding new ones. */
  release(): void;
}

/**
 * Drops the answer to matching Web API calls after Slack carried them out (`fake.drop(...)`): the message is posted,
 * the upload shared, but the caller sees a broken connection (`destroy`: the socket is closed) or no answer at all
 * until it gives up (`hang`: the answer never comes; the connection closes with the fake). What a timeout or a dropped
 * connection after Slack accepted a request looks like to the client.
 */
export interface DropRule {
  /** Web API method name, or `"*"`. */
  method: string;
  /** How many calls to drop; default 1. */
  times?: number;
  /** Default `destroy`. */
  how?: 'destroy' | 'hang';
}

export interface FailRule {
  /** Web API method name (`chat.postMessage`), or `"*"` for any. */
  method: string;
  /** Slack error code answered as `{ ok: false, error }`, e.g. `not_in_channel`, `channel_not_found`. `ratelimited` answers HTTP 429. */
  error?: string;
  /** HTTP status to answer with (429 → `Retry-After`). Default 200 (429 for `ratelimited`). */
  status?: number;
  /** `Retry-After` seconds of a 429. Default 1. */
  retryAfterSeconds?: number;
  /** How many matching calls fail. Default 1; `Infinity` for all. */
  times?: number;
  /** Only calls with these argument values fail, e.g. `{ user: 'U…' }` for one member's `users.info`. */
  where?: Record<string, string>;
}
