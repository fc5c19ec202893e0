/**
 * `chat.*` methods: postMessage, update, delete, postEphemeral, getPermalink.
 */
import { assertValidBlocks, withBlockIds } from './blocks.js';
import { messageJson } from './json.js';
import { type Args, type MethodHost, type MethodTable, SlackApiError, findChannel, postableChannel } from './web-api.js';
import type { FakeSlackMessage } from './types.js';

const MAX_TEXT = 40_000;

/** The message content arguments shared by postMessage / update / postEphemeral. */
function content(args: Args): { text?: string; blocks?: unknown[]; attachments?: unknown[] } {
  const text = args.str('text');
  const blocks = args.json<unknown[]>('blocks', 'invalid_blocks_format');
  const attachments = args.json<unknown[]>('attachments', 'invalid_attachments');
  if (blocks !== undefined) assertValidBlocks(blocks);
  if (text !== undefined && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  return {
    ...(text !== undefined ? { text } : {}),
    ...(blocks !== undefined ? { blocks: withBlockIds(blocks) } : {}),
    ...(attachments !== undefined ? { attachments } : {}),
  };
}

function hasContent(c: { text?: string; blocks?: unknown[]; attachments?: unknown[] }): boolean {
  return Boolean(c.text) || (c.blocks?.length ?? 0) > 0 || (c.attachments?.length ?? 0) > 0;
}

/** A live (not deleted) message in a channel, else `message_not_found`. */
function existingMessage(host: MethodHost, channelId: string, ts: string | undefined): FakeSlackMessage {
  const m = ts ? host.state.message(channelId, ts) : undefined;
  if (!m || m.deleted) throw new SlackApiError('message_not_found');
  return m;
}

export const chatMethods: MethodTable = {
  'chat.postMessage': {
    token: 'bot',
    handle(args, host) {
      const channel = postableChannel(host, args.str('channel'));
      const c = content(args);
      if (!hasContent(c)) throw new SlackApiError('no_text');
      const threadTs = args.str('thread_ts');
      const message = host.state.appendMessage({
        channel: channel.id,
        text: c.text ?? '',
        ...(c.blocks ? { blocks: c.blocks } : {}),
        ...(c.attachments ? { attachments: c.attachments } : {}),
        user: host.identity.botUserId,
        botId: host.identity.botId,
        ...(threadTs ? { threadTs } : {}),
        ...(args.bool('unfurl_links') !== undefined ? { unfurlLinks: args.bool('unfurl_links') } : {}),
        ...(args.bool('unfurl_media') !== undefined ? { unfurlMedia: args.bool('unfurl_media') } : {}),
        source: 'chat.postMessage',
      });
      return { channel: channel.id, ts: message.ts, message: messageJson(message, host.identity, host.state.channels) };
    },
  },

  'chat.update': {
    token: 'bot',
    handle(args, host) {
      const channel = findChannel(host, args.str('channel'));
      if (!channel) throw new SlackApiError('channel_not_found');
      const message = existingMessage(host, channel.id, args.str('ts'));
      if (message.user !== host.identity.botUserId) throw new SlackApiError('cant_update_message');
      if (channel.archived) throw new SlackApiError('is_archived');
      const c = content(args);
      if (!hasContent(c) && c.blocks === undefined) throw new SlackApiError('no_text');
      // Omitted fields keep their previous value; an empty blocks array removes the blocks.
      if (c.text !== undefined) message.text = c.text;
      if (c.blocks !== undefined) {
        if (c.blocks.length > 0) message.blocks = c.blocks;
        else delete message.blocks;
      }
      if (c.attachments !== undefined) message.attachments = c.attachments;
      message.edited = { user: host.identity.botUserId, ts: host.state.ids.ts() };
      host.state.notify();
      return {
        channel: channel.id,
        ts: message.ts,
        text: message.text,
        message: messageJson(message, host.identity, host.state.channels, { reactions: false }),
      };
    },
  },

  'chat.delete': {
    token: 'bot',
    handle(args, host) {
      const channel = findChannel(host, args.str('channel'));
      if (!channel) throw new SlackApiError('channel_not_found');
      const message = existingMessage(host, channel.id, args.str('ts'));
      if (message.user !== host.identity.botUserId) throw new SlackApiError('cant_delete_message');
      message.deleted = true;
      host.state.notify();
      host.botDeleted(message);
      return { channel: channel.id, ts: message.ts };
    },
  },

  'chat.postEphemeral': {
    token: 'bot',
    handle(args, host) {
      const channel = postableChannel(host, args.str('channel'));
      const userId = args.str('user');
      const user = userId ? host.state.users.get(userId) : undefined;
      if (!user || user.deleted) throw new SlackApiError('user_not_in_channel');
      const c = content(args);
      if (!hasContent(c)) throw new SlackApiError('no_text');
      const eph = host.state.addEphemeral({
        channel: channel.id,
        user: user.id,
        text: c.text ?? '',
        ...(c.blocks ? { blocks: c.blocks } : {}),
        source: 'chat.postEphemeral',
      });
      return { message_ts: eph.ts };
    },
  },

  'chat.getPermalink': {
    token: 'bot',
    handle(args, host) {
      const channel = findChannel(host, args.str('channel'));
      if (!channel) throw new SlackApiError('channel_not_found');
      const message = existingMessage(host, channel.id, args.str('message_ts'));
      return { channel: channel.id, permalink: permalink(channel.id, message.ts) };
    },
  },
};

/** `https://fake.slack.com/archives/C…/p<ts without dot>` */
export function permalink(channelId: string, ts: string): string {
  return `https://fake.slack.com/archives/${channelId}/p${ts.replace('.', '')}`;
}
