/**
 * The {@link Publisher} port over Slack's Web API. The gallery post is the uploaded image's own message: Slack shares
 * uploads asynchronously, so the post's timestamp is read back from `files.info` (bounded polling) before it is
 * returned, and reactions on it count from the first second. Posting calls are sent once (see slack-clients.ts): when
 * Slack's answer to one is lost, the upload's own share (or the core's look before a repost) tells whether it went out.
 */
import { PublishError } from "../core/errors.js";
import type { Clock, JobStatus, Logger, PostRef, Publisher, ReactionSnapshot } from "../core/ports.js";
import { creationAltText, creationTitle } from "../core/titles.js";
import type { Community } from "../core/types.js";
import { mayHaveHappened, post, type SlackClients } from "./slack-clients.js";
import type { SlackDirectory } from "./slack-directory.js";
import { digestBlocks, digestTitle, galleryText } from "./slack-render.js";
import { SlackStatusMessages } from "./slack-status.js";
import { completePrivately, shareFile, uploadBytes } from "./slack-upload.js";

const SHARE_POLL_MS = 250;
/** Pages of history read when looking for an earlier post (200 messages each). */
const LOOK_BACK_PAGES = 10;

/** The file name of a gallery upload, which also identifies it when looking before a repost. */
export function creationFileName(creationId: number, mimeType: string): string {
  return `salon-${creationId}.${mimeType === "image/jpeg" ? "jpg" : "png"}`;
}

/** What identified a gallery upload before its file was titled with the creation's title (posts of older versions). */
const legacyFileTitle = (creationId: number) => `Salon creation #${creationId}`;

/** Whether a file in the history is the gallery upload of `creationId` (by its name, or its title in older posts). */
function isCreationFile(file: { title?: string; name?: string }, creationId: number): boolean {
  return file.title === legacyFileTitle(creationId) || file.name === creationFileName(creationId, "image/png") || file.name === creationFileName(creationId, "image/jpeg");
}

type HistoryMessage = { ts?: string; user?: string; text?: string; files?: Array<{ title?: string; name?: string }> };
const SHARE_POLL_LIMIT = 120; // 30 s: Slack usually shares within a second
/** After a lost answer to the share: long enough for a share Slack did, short enough to try again soon if it did not. */
const UNCERTAIN_SHARE_POLL_LIMIT = 40; // 10 s

/** Slack's reaction name, without skin tone: `+1::skin-tone-3` and `+1` are the same emoji. */
export function emojiKey(reaction: string): string {
  return reaction.replace(/::skin-tone-\d$/, "");
}

/** What an admin does about each Slack error that means "no access", in Slack's terms (not Discord's permissions). */
const ACCESS_FIXES: Record<string, string> = {
  not_in_channel: "I'm not a member of that channel. Invite me: type `/invite` in the channel and choose Salon.",
  is_archived: "that channel is archived. Unarchive it, or choose another channel with `/salon setup`.",
  restricted_action: "only some members may post in that channel. Let Salon post there (channel settings → Posting permissions), or choose another channel with `/salon setup`.",
  missing_scope: "the Slack app lacks a permission scope it needs (chat:write, files:write). Reinstall the app to grant it.",
};

export function toPublishError(error: unknown): unknown {
  if (error instanceof PublishError) return error;
  const e = error as { code?: string; data?: { error?: string }; message?: string; retryAfter?: number };
  const slackError = e?.data?.error;
  if (slackError && ACCESS_FIXES[slackError]) {
    return new PublishError("missing_access", slackError, { cause: error, fix: ACCESS_FIXES[slackError] });
  }
  if (slackError === "channel_not_found") return new PublishError("channel_not_found", slackError, { cause: error });
  if (e?.code === "slack_webapi_rate_limited_error") {
    return new PublishError("transient", e.message ?? String(e.code), { cause: error, ...(e.retryAfter !== undefined ? { retryAfterMs: e.retryAfter * 1000 } : {}) });
  }
  if (e?.code === "slack_webapi_request_error" || e?.code === "slack_webapi_http_error") {
    return new PublishError("transient", e.message ?? String(e.code), { cause: error });
  }
  if (slackError) return new PublishError("other", slackError, { cause: error });
  return error;
}

/** The {@link Publisher} of one workspace, with its token; `SlackPublisher` picks the workspace of each call. */
export class SlackWorkspacePublisher implements Publisher {
  readonly platform = "slack" as const;
  private readonly status: SlackStatusMessages;

  constructor(
    private readonly web: SlackClients,
    private readonly directory: SlackDirectory,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.status = new SlackStatusMessages(web, clock, logger);
  }

  async postCreation({ community, creation, image, remixOf }: Parameters<Publisher["postCreation"]>[0]): Promise<PostRef> {
    const channelId = community.galleryChannelId!;
    let fileId: string | null = null;
    try {
      // The alt text is what screen readers say for the image; the file's title is the creation's.
      fileId = await uploadBytes(this.web, this.clock, { bytes: image.bytes, filename: creationFileName(creation.id, image.mimeType), altText: creationAltText(creation) });
      const initialComment = await galleryText(creation, this.directory.nameOf, remixOf ?? null);
      const outcome = await shareFile(this.web, this.clock, this.logger, { fileId, title: creationTitle(creation), channelId, initialComment });
      const ts = await this.shareTimestamp(fileId, channelId, outcome === "uncertain" ? UNCERTAIN_SHARE_POLL_LIMIT : SHARE_POLL_LIMIT);
      if (ts) return { channelId, messageId: ts, url: await this.permalink(channelId, ts) };
      throw outcome === "uncertain"
        ? new PublishError("transient", `Slack's answer to sharing file ${fileId} was lost and the share did not appear`)
        : new PublishError("other", `Slack did not share file ${fileId} into ${channelId} in time`);
    } catch (error) {
      // A failed attempt takes its file back: nothing of it stays, and a share that lands late cannot become a second post.
      if (fileId) await this.deleteFileQuietly(fileId);
      throw toPublishError(error);
    }
  }

  async findCreationPost({ community, creation, since }: Parameters<Publisher["findCreationPost"]>[0]): Promise<PostRef | null> {
    const channelId = community.galleryChannelId!;
    const ts = await this.findOwnMessage(channelId, since, (m) => m.files?.some((f) => isCreationFile(f, creation.id)) ?? false);
    return ts ? { channelId, messageId: ts, url: await this.permalink(channelId, ts) } : null;
  }

  async findDigestPost({ channelId, digest, since }: Parameters<Publisher["findDigestPost"]>[0]): Promise<PostRef | null> {
    const title = digestTitle(digest);
    const ts = await this.findOwnMessage(channelId, since, (m) => m.text?.startsWith(title) ?? false);
    return ts ? { channelId, messageId: ts, url: await this.permalink(channelId, ts) } : null;
  }

  /**
   * The timestamp of the bot's first message in the channel since `since` that matches, reading `conversations.history`
   * (scopes channels:history and groups:history) a bounded number of pages.
   */
  private async findOwnMessage(channelId: string, since: Date, matches: (message: HistoryMessage) => boolean): Promise<string | null> {
    // Only Salon's own messages: another app's bot or a webhook may post under the same title.
    let botUserId: string;
    try {
      botUserId = await this.directory.ownUserId();
    } catch (error) {
      throw toPublishError(error);
    }
    const oldest = (Math.max(0, since.getTime() - 60_000) / 1000).toFixed(6);
    let cursor: string | undefined;
    for (let page = 0; page < LOOK_BACK_PAGES; page++) {
      let result: { messages?: HistoryMessage[]; has_more?: boolean; response_metadata?: { next_cursor?: string } };
      try {
        result = await this.web.client.conversations.history({ channel: channelId, oldest, limit: 200, ...(cursor ? { cursor } : {}) });
      } catch (error) {
        throw toPublishError(error);
      }
      const hit = (result.messages ?? []).find((m) => m.user === botUserId && matches(m));
      if (hit?.ts) return hit.ts;
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!result.has_more || !cursor) return null;
    }
    this.logger.warn({ channelId, pages: LOOK_BACK_PAGES }, "stopped looking for an earlier post after the page limit");
    return null;
  }

  /** The share's message timestamp once Slack has shared the upload into the channel, or null after `polls` looks. */
  private async shareTimestamp(fileId: string, channelId: string, polls: number): Promise<string | null> {
    for (let attempt = 0; attempt < polls; attempt++) {
      const info = (await this.web.client.files.info({ file: fileId })) as { file?: { shares?: Record<string, Record<string, Array<{ ts: string }>>> } };
      const shares = info.file?.shares ?? {};
      const ts = shares.public?.[channelId]?.[0]?.ts ?? shares.private?.[channelId]?.[0]?.ts;
      if (ts) return ts;
      await this.clock.sleep(SHARE_POLL_MS);
    }
    return null;
  }

  private async deleteFileQuietly(fileId: string): Promise<void> {
    await this.web.client.files.delete({ file: fileId }).catch((error: unknown) => {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code !== "file_not_found" && code !== "file_deleted") this.logger.warn({ err: error, fileId }, "could not delete the file of a failed post");
    });
  }

  private async permalink(channel: string, ts: string): Promise<string> {
    const result = await this.web.client.chat.getPermalink({ channel, message_ts: ts }).catch((error: unknown) => {
      this.logger.warn({ err: error, channel, ts }, "could not get a permalink");
      return null;
    });
    return result?.permalink ?? "";
  }

  async deletePost(_community: Community, channelId: string, messageId: string): Promise<void> {
    const slackError = (error: unknown) => (error as { data?: { error?: string } }).data?.error;
    try {
      // The gallery post is a file share: deleting the file removes the image from the workspace and its share
      // message with it. chat.delete alone would leave the file behind.
      const found = (await this.web.client.reactions.get({ channel: channelId, timestamp: messageId, full: true })) as { message?: { files?: Array<{ id: string }> } };
      const files = found.message?.files ?? [];
      for (const file of files) await this.web.client.files.delete({ file: file.id });
      if (files.length === 0) await this.web.client.chat.delete({ channel: channelId, ts: messageId });
    } catch (error) {
      if (["message_not_found", "channel_not_found", "file_not_found", "file_deleted"].includes(slackError(error) ?? "")) return;
      throw toPublishError(error);
    }
  }

  async postDigest({ channelId, digest, collage }: Parameters<Publisher["postDigest"]>[0]): Promise<PostRef> {
    let fileId: string | null = null;
    try {
      if (collage) fileId = await this.uploadCollage(digest.day, digest.title, collage);
      let body = await digestBlocks(digest, this.directory.nameOf, fileId);
      const send = () =>
        post(this.clock, () => this.web.postClient.chat.postMessage({ channel: channelId, text: body.text, blocks: body.blocks as never, unfurl_links: false, unfurl_media: false }));
      let posted;
      try {
        posted = await send();
      } catch (error) {
        // Slack may still be processing the upload ("invalid slack file"): the digest goes out without its image
        // rather than not at all.
        if ((error as { data?: { error?: string } }).data?.error !== "invalid_blocks" || !fileId) throw error;
        this.logger.warn({ err: error, fileId }, "the collage was not ready; posting the digest without it");
        body = await digestBlocks(digest, this.directory.nameOf, null);
        posted = await send();
      }
      const ts = posted.ts!;
      return { channelId, messageId: ts, url: await this.permalink(channelId, ts) };
    } catch (error) {
      // A failed attempt must not leave its collage behind (the next attempt uploads a new one), unless the digest may
      // have gone out with it: then the next attempt finds that digest, which shows the collage.
      if (fileId && !mayHaveHappened(error)) await this.deleteFileQuietly(fileId);
      throw toPublishError(error);
    }
  }

  async editDigest({ channelId, messageId, digest, collage }: Parameters<Publisher["editDigest"]>[0]): Promise<void> {
    // The old collage showed the forgotten member's image: find it in the message, replace the blocks, delete it.
    let oldFileId: string | undefined;
    try {
      const history = (await this.web.client.conversations.history({ channel: channelId, latest: messageId, inclusive: true, limit: 1 })) as {
        messages?: Array<{ ts?: string; blocks?: Array<{ type?: string; slack_file?: { id?: string } }> }>;
      };
      const message = history.messages?.find((m) => m.ts === messageId);
      if (!message) return; // deleted meanwhile
      oldFileId = message.blocks?.find((b) => b.type === "image")?.slack_file?.id;
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === "channel_not_found") return;
      throw toPublishError(error);
    }
    let fileId: string | null = null;
    try {
      if (collage) fileId = await this.uploadCollage(digest.day, digest.title, collage);
      const body = await digestBlocks(digest, this.directory.nameOf, fileId);
      // An edit sets the same content however often it is sent: the reading client may repeat it.
      await this.web.client.chat.update({ channel: channelId, ts: messageId, text: body.text, blocks: body.blocks as never });
    } catch (error) {
      if (fileId) await this.deleteFileQuietly(fileId);
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === "message_not_found" || code === "channel_not_found") return;
      throw toPublishError(error);
    }
    if (oldFileId) await this.web.client.files.delete({ file: oldFileId }).catch((error: unknown) => this.logger.warn({ err: error, fileId: oldFileId }, "could not delete an old collage"));
  }

  /** Uploads the collage without sharing it anywhere, and waits until Slack has processed it (it has a mimetype). */
  private async uploadCollage(day: string, title: string, collage: NonNullable<Parameters<Publisher["postDigest"]>[0]["collage"]>): Promise<string> {
    const fileId = await uploadBytes(this.web, this.clock, { bytes: collage.bytes, filename: `salon-digest-${day}.${collage.mimeType === "image/jpeg" ? "jpg" : "png"}` });
    await completePrivately(this.web, { fileId, title: `Salon digest ${title}` });
    for (let attempt = 0; attempt < 20; attempt++) {
      const info = (await this.web.client.files.info({ file: fileId })) as { file?: { mimetype?: string } };
      if (info.file?.mimetype) return fileId;
      await this.clock.sleep(SHARE_POLL_MS);
    }
    return fileId;
  }

  async fetchReactions(_community: Community, channelId: string, messageId: string): Promise<ReactionSnapshot[] | "deleted"> {
    let result;
    try {
      result = (await this.web.client.reactions.get({ channel: channelId, timestamp: messageId, full: true })) as {
        message?: { reactions?: Array<{ name: string; users?: string[] }> };
        file?: { reactions?: Array<{ name: string; users?: string[] }> };
      };
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === "message_not_found" || code === "channel_not_found" || code === "file_not_found") return "deleted";
      throw error;
    }
    const snapshot: ReactionSnapshot[] = [];
    for (const reaction of result.message?.reactions ?? result.file?.reactions ?? []) {
      for (const userId of reaction.users ?? []) {
        // A member Slack cannot tell about fails the read: the post keeps what was stored rather than count a bot.
        snapshot.push({ userId, emoji: emojiKey(reaction.name), isBot: await this.directory.isBot(userId) });
      }
    }
    return snapshot;
  }

  /**
   * Reading one message of the channel's history needs the bot to be in the channel, as posting does, and posts
   * nothing (scopes `channels:history`, `groups:history`, which Salon has). What Slack tells only to a post (an
   * archived channel, restricted posting) is found by the next post.
   */
  async checkChannel(_community: Community, channelId: string): Promise<PublishError | null> {
    try {
      await this.web.client.conversations.history({ channel: channelId, limit: 1 });
      return null;
    } catch (error) {
      const failure = toPublishError(error);
      if (failure instanceof PublishError && (failure.kind === "missing_access" || failure.kind === "channel_not_found")) return failure;
      throw failure;
    }
  }

  async updateStatus(statusRef: string, status: JobStatus): Promise<void> {
    await this.status.update(statusRef, status);
  }
}
