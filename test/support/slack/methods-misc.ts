/**
 * `auth.test`, `apps.connections.open`, `users.info`, `conversations.info|open|history`, `reactions.get|add|remove`.
 */
import { channelJson, messageJson, userJson } from './json.js';
import { permalink } from './methods-chat.js';
import { type Args, type MethodHost, type MethodTable, SlackApiError, findChannel } from './web-api.js';
import type { FakeSlackMessage } from './types.js';

function reactionTarget(args: Args, host: MethodHost): { channelId: string; message: FakeSlackMessage } {
  const channel = findChannel(host, args.str('channel'));
  if (!channel) throw new SlackApiError(args.str('file') ? 'invalid_arguments' : 'channel_not_found');
  const ts = args.str('timestamp');
  const message = ts ? host.state.message(channel.id, ts) : undefined;
  if (!message || message.deleted) throw new SlackApiError('message_not_found');
  return { channelId: channel.id, message };
}

function reactionName(args: Args): string {
  const name = (args.str('name') ?? '').replace(/^:|:$/g, '');
  if (!name || /[\s:]/.test(name)) throw new SlackApiError('invalid_name');
  return name;
}

export const miscMethods: MethodTable = {
  'auth.test': {
    token: 'bot',
    handle(_args, host) {
      const id = host.identity;
      return {
        url: `https://${id.teamDomain}.slack.com/`,
        team: id.teamName,
        user: id.botName,
        team_id: id.teamId,
        user_id: id.botUserId,
        bot_id: id.botId,
        is_enterprise_install: false,
      };
    },
  },

  'apps.connections.open': {
    token: 'app',
    handle(_args, host) {
      return { url: host.openSocketUrl() };
    },
  },

  'users.info': {
    token: 'bot',
    handle(args, host) {
      const id = args.str('user');
      const user = id ? host.state.users.get(id) : undefined;
      if (!user) throw new SlackApiError('user_not_found');
      return { user: userJson(user, host.identity) };
    },
  },

  'conversations.info': {
    token: 'bot',
    handle(args, host) {
      const id = args.str('channel');
      const channel = id ? host.state.channels.get(id) : undefined;
      // A private channel the bot is not in is invisible to it.
      if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new SlackApiError('channel_not_found');
      return { channel: channelJson(channel, host.identity) };
    },
  },

  'conversations.history': {
    token: 'bot',
    handle(args, host) {
      const channel = findChannel(host, args.str('channel'));
      if (!channel || (channel.isPrivate && !channel.botIsMember)) throw new SlackApiError('channel_not_found');
      if (!channel.botIsMember) throw new SlackApiError('not_in_channel');
      const limit = Math.min(Math.max(Number(args.str('limit') ?? 100) || 100, 1), 999);
      const oldest = Number(args.str('oldest') ?? 0);
      const latest = args.str('latest') === undefined ? Infinity : Number(args.str('latest'));
      const inclusive = args.bool('inclusive') ?? false;
      const inRange = (ts: number) => (inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest);
      // Top-level messages only (thread replies live in conversations.replies), newest first, as Slack lists them.
      const all = host.state
        .messages(channel.id)
        .filter((m) => !m.deleted && (!m.threadTs || m.threadTs === m.ts) && inRange(Number(m.ts)))
        .reverse();
      const cursor = args.str('cursor');
      const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^offset:/, '')) || 0 : 0;
      const page = all.slice(start, start + limit);
      const hasMore = start + limit < all.length;
      return {
        messages: page.map((m) => messageJson(m, host.identity, host.state.channels)),
        has_more: hasMore,
        pin_count: 0,
        channel_actions_ts: null,
        channel_actions_count: 0,
        response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
      };
    },
  },

  'conversations.open': {
    token: 'bot',
    handle(args, host) {
      const userId = args.str('users');
      if (!userId || userId.includes(',') || !host.state.users.get(userId)) throw new SlackApiError('user_not_found');
      // One direct-message channel per user, as on Slack.
      const id = `D${userId.slice(1)}`;
      const channel = host.state.channels.get(id) ?? host.state.addChannel({ id, name: `dm-${userId}`, isPrivate: true });
      return { channel: { id: channel.id, is_im: true, user: userId } };
    },
  },

  'reactions.get': {
    token: 'bot',
    handle(args, host) {
      const { channelId, message } = reactionTarget(args, host);
      return {
        type: 'message',
        channel: channelId,
        message: { ...messageJson(message, host.identity, host.state.channels), permalink: permalink(channelId, message.ts) },
      };
    },
  },

  'reactions.add': {
    token: 'bot',
    handle(args, host) {
      const name = reactionName(args);
      const { message } = reactionTarget(args, host);
      if (!host.state.addReaction(message, name, host.identity.botUserId)) throw new SlackApiError('already_reacted');
      return {};
    },
  },

  'reactions.remove': {
    token: 'bot',
    handle(args, host) {
      const name = reactionName(args);
      const { message } = reactionTarget(args, host);
      if (!host.state.removeReaction(message, name, host.identity.botUserId)) throw new SlackApiError('no_reaction');
      return {};
    },
  },
};
