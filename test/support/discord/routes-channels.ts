/** Channel, message and reaction routes. */
import { MessageFlag } from './constants.js';
import { parseEmoji } from './emoji.js';
import { Errors, invalidFormBody } from './errors.js';
import { allowedFlags, patchFromBody, resolveAttachments } from './message-body.js';
import { channelPayload, dmChannelPayload, messagePayload, reactionEventPayload, userPayload } from './payloads.js';
import type { RestContext, Route, RouteRequest } from './rest.js';
import type { ChannelRecord } from './state.js';
import type { FakeMessage } from './types.js';
import { validateMessageBody } from './validate.js';

const CHANNEL_MESSAGE_FLAGS = MessageFlag.SuppressEmbeds | MessageFlag.SuppressNotifications | MessageFlag.IsComponentsV2;

/** A live channel; forbidden channels refuse writes with 50013. */
function channelFor(context: RestContext, id: string, write: boolean): ChannelRecord {
  const channel = context.state.channels.get(id);
  if (!channel || channel.deleted) throw Errors.unknownChannel();
  if (write && channel.forbidden) throw Errors.missingPermissions();
  return channel;
}

function messageFor(context: RestContext, request: RouteRequest, write: boolean): FakeMessage {
  const channel = channelFor(context, request.params.channel!, write);
  const message = context.state.visibleMessage(channel.id, request.params.message!);
  if (!message) throw Errors.unknownMessage();
  return message;
}

function emojiFor(raw: string) {
  const emoji = parseEmoji(raw);
  if (!emoji.name && !emoji.id) throw Errors.unknownEmoji();
  return emoji;
}

function gatewayMessage(context: RestContext, message: FakeMessage) {
  return messagePayload(context.state, message, { gateway: true, messageContent: context.messageContent });
}

function restMessage(context: RestContext, message: FakeMessage) {
  return messagePayload(context.state, message, { messageContent: context.messageContent });
}

function parseLimit(query: URLSearchParams, fallback: number): number {
  const raw = query.get('limit');
  if (raw === null) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw invalidFormBody([{ path: 'limit', code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }]);
  }
  return limit;
}

/** `type` of the reaction users list: 0 normal (the default), 1 super (burst); anything else is a form error. */
function parseReactionType(query: URLSearchParams): 0 | 1 {
  const raw = query.get('type');
  if (raw === null || raw === '0') return 0;
  if (raw === '1') return 1;
  throw invalidFormBody([{ path: 'type', code: 'ENUM_TYPE_COERCE', message: `Value "${raw}" is not a valid enum value.` }]);
}

/** Routes under /channels. */
export function channelRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/channels/:channel',
      handler: (request, context) => {
        const channel = channelFor(context, request.params.channel!, false);
        return { status: 200, body: channel.recipientId ? dmChannelPayload(context.state, channel) : channelPayload(channel) };
      },
    },
    {
      // Trigger Typing Indicator: needs the same Send Messages as a post, and creates nothing.
      method: 'POST',
      path: '/channels/:channel/typing',
      handler: (request, context) => {
        channelFor(context, request.params.channel!, true);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/channels/:channel/messages',
      handler: (request, context) => {
        const channel = channelFor(context, request.params.channel!, false);
        const limit = parseLimit(request.query, 50);
        const all = (context.state.channelMessages.get(channel.id) ?? []).filter(
          (m) => !m.deleted && (m.flags & MessageFlag.Ephemeral) === 0,
        );
        const index = (id: string | null) => (id === null ? -1 : all.findIndex((m) => BigInt(m.id) >= BigInt(id)));
        let page: FakeMessage[];
        const { before, after, around } = Object.fromEntries(['before', 'after', 'around'].map((k) => [k, request.query.get(k)]));
        if (after) page = all.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit);
        else if (before) page = all.filter((m) => BigInt(m.id) < BigInt(before)).slice(-limit);
        else if (around) {
          const at = Math.max(0, index(around));
          const start = Math.max(0, at - Math.floor(limit / 2));
          page = all.slice(start, start + limit);
        } else page = all.slice(-limit);
        // Discord answers newest first.
        return { status: 200, body: [...page].reverse().map((m) => restMessage(context, m)) };
      },
    },
    {
      method: 'POST',
      path: '/channels/:channel/messages',
      handler: (request, context) => {
        const channel = channelFor(context, request.params.channel!, true);
        const body = request.body ?? {};
        validateMessageBody(body, { creating: true, fileCount: request.files.length });
        const state = context.state;
        // Discord dedupes an enforced nonce by author, in every channel, for a few minutes.
        const enforced = body.enforce_nonce === true && body.nonce !== undefined && body.nonce !== null;
        if (enforced) {
          const duplicate = state.rememberedNonce(state.botUser.id, body.nonce, context.nonceWindowMs);
          if (duplicate) return { status: 200, body: restMessage(context, duplicate) };
        }
        if (channel.recipientId && state.closedDms.has(channel.recipientId)) throw Errors.cannotSendToUser();
        const reference = body.message_reference;
        if (reference?.message_id && reference.fail_if_not_exists !== false) {
          if (!state.visibleMessage(reference.channel_id ?? channel.id, reference.message_id)) {
            throw invalidFormBody([
              { path: 'message_reference', code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' },
            ]);
          }
        }
        const message = state.createMessage({
          channelId: channel.id,
          authorId: state.botUser.id,
          type: reference?.message_id ? 19 : 0,
          ...patchFromBody(body),
          flags: allowedFlags(body.flags, CHANNEL_MESSAGE_FLAGS),
          attachments: resolveAttachments(context, channel.id, body, request.files) ?? [],
          nonce: body.nonce,
          tts: body.tts === true,
          messageReference: reference,
        });
        if (enforced) state.rememberNonce(state.botUser.id, body.nonce, message.id);
        // DMs reach a bot only with the Direct Messages intent, which Salon does not ask for.
        if (!channel.recipientId) context.echo('MESSAGE_CREATE', gatewayMessage(context, message));
        return { status: 200, body: restMessage(context, message) };
      },
    },
    {
      method: 'GET',
      path: '/channels/:channel/messages/:message',
      handler: (request, context) => ({ status: 200, body: restMessage(context, messageFor(context, request, false)) }),
    },
    {
      method: 'PATCH',
      path: '/channels/:channel/messages/:message',
      handler: (request, context) => {
        const message = messageFor(context, request, true);
        if (message.authorId !== context.state.botUser.id) {
          // Others' messages: only flags (suppress embeds) may change.
          if (Object.keys(request.body ?? {}).some((k) => k !== 'flags')) throw Errors.cannotEditOthers();
        }
        const body = request.body ?? {};
        validateMessageBody(body, { creating: false, fileCount: request.files.length });
        const patch = patchFromBody(body);
        patch.attachments = resolveAttachments(context, message.channelId, body, request.files, message.attachments);
        if (typeof body.flags === 'number') {
          patch.flags = (message.flags & ~MessageFlag.SuppressEmbeds) | (body.flags & MessageFlag.SuppressEmbeds);
        }
        context.state.editMessage(message, patch);
        context.echo('MESSAGE_UPDATE', gatewayMessage(context, message));
        return { status: 200, body: restMessage(context, message) };
      },
    },
    {
      method: 'DELETE',
      path: '/channels/:channel/messages/:message',
      handler: (request, context) => {
        const message = messageFor(context, request, true);
        context.state.deleteMessage(message);
        context.echo('MESSAGE_DELETE', { id: message.id, channel_id: message.channelId, guild_id: message.guildId });
        return { status: 204 };
      },
    },
    {
      method: 'PUT',
      path: '/channels/:channel/messages/:message/reactions/:emoji/@me',
      handler: (request, context) => {
        const message = messageFor(context, request, true);
        const emoji = emojiFor(request.params.emoji!);
        const botId = context.state.botUser.id;
        if (context.state.addReaction(message, botId, emoji)) {
          context.echo('MESSAGE_REACTION_ADD', reactionEventPayload(context.state, message, botId, emoji, 'add'));
        }
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/channels/:channel/messages/:message/reactions/:emoji/@me',
      handler: (request, context) => {
        const message = messageFor(context, request, true);
        const emoji = emojiFor(request.params.emoji!);
        const botId = context.state.botUser.id;
        if (context.state.removeReaction(message, botId, emoji)) {
          context.echo('MESSAGE_REACTION_REMOVE', reactionEventPayload(context.state, message, botId, emoji, 'remove'));
        }
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/channels/:channel/messages/:message/reactions/:emoji/:user',
      handler: (request, context) => {
        const message = messageFor(context, request, true);
        const emoji = emojiFor(request.params.emoji!);
        const userId = request.params.user!;
        if (context.state.removeReaction(message, userId, emoji)) {
          context.echo('MESSAGE_REACTION_REMOVE', reactionEventPayload(context.state, message, userId, emoji, 'remove'));
        }
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/channels/:channel/messages/:message/reactions/:emoji',
      handler: (request, context) => {
        const message = messageFor(context, request, false);
        const emoji = emojiFor(request.params.emoji!);
        const limit = parseLimit(request.query, 25);
        const type = parseReactionType(request.query);
        const after = request.query.get('after') ?? undefined;
        const users = context.state.reactionUsers(message, emoji, after, limit, type);
        return { status: 200, body: users.map(userPayload) };
      },
    },
    {
      method: 'DELETE',
      path: '/channels/:channel/messages/:message/reactions/:emoji',
      handler: (request, context) => {
        const message = messageFor(context, request, true);
        const removed = context.state.removeEmoji(message, emojiFor(request.params.emoji!));
        if (removed) {
          context.echo('MESSAGE_REACTION_REMOVE_EMOJI', {
            channel_id: message.channelId,
            guild_id: message.guildId,
            message_id: message.id,
            emoji: removed.id ? { id: removed.id, name: removed.name } : { id: null, name: removed.name },
          });
        }
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/channels/:channel/messages/:message/reactions',
      handler: (request, context) => {
        const message = messageFor(context, request, true);
        context.state.removeAllReactions(message);
        context.echo('MESSAGE_REACTION_REMOVE_ALL', {
          channel_id: message.channelId,
          guild_id: message.guildId,
          message_id: message.id,
        });
        return { status: 204 };
      },
    },
  ];
}
