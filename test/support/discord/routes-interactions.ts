/** Interaction callback and interaction-webhook routes (no Authorization: the token is the credential). */
import { performance } from 'node:perf_hooks';
import { MessageFlag } from './constants.js';
import { Errors, invalidFormBody } from './errors.js';
import { allowedFlags, patchFromBody, resolveAttachments } from './message-body.js';
import { validateModal } from './modals.js';
import { messagePayload } from './payloads.js';
import type { RestContext, Route, RouteRequest } from './rest.js';
import type { InteractionRecord } from './state.js';
import type { FakeMessage } from './types.js';
import { validateMessageBody } from './validate.js';

const RESPONSE_FLAGS =
  MessageFlag.Ephemeral | MessageFlag.SuppressEmbeds | MessageFlag.SuppressNotifications | MessageFlag.IsComponentsV2;

function isEphemeral(message: FakeMessage): boolean {
  return (message.flags & MessageFlag.Ephemeral) !== 0;
}

function echoCreate(context: RestContext, message: FakeMessage): void {
  if (!isEphemeral(message)) {
    context.echo('MESSAGE_CREATE', messagePayload(context.state, message, { gateway: true, messageContent: context.messageContent }));
  }
}

function echoUpdate(context: RestContext, message: FakeMessage): void {
  if (!isEphemeral(message)) {
    context.echo('MESSAGE_UPDATE', messagePayload(context.state, message, { gateway: true, messageContent: context.messageContent }));
  }
}

function responseMessage(context: RestContext, interaction: InteractionRecord, body: any, files: RouteRequest['files'], flags: number): FakeMessage { // eslint-disable-line @typescript-eslint/no-explicit-any
  const state = context.state;
  return state.createMessage({
    channelId: interaction.channelId,
    authorId: state.botUser.id,
    type: interaction.type === 2 ? 20 : 0,
    ...patchFromBody(body),
    flags,
    attachments: resolveAttachments(context, interaction.channelId, body, files) ?? [],
    nonce: body?.nonce,
    tts: body?.tts === true,
    webhookId: state.applicationId,
    interactionId: interaction.id,
  });
}

function callback(request: RouteRequest, context: RestContext): { status: number; body?: unknown } {
  const state = context.state;
  const interaction = state.interactions.get(request.params.interaction!);
  if (!interaction || interaction.token !== request.params.token) throw Errors.unknownInteraction();
  const at = performance.now();
  if (state.now() - interaction.createdAt > context.interactionDeadlineMs) throw Errors.unknownInteraction();
  if (interaction.callbacks.length > 0) throw Errors.alreadyAcknowledged();
  const type = request.body?.type;
  const data = request.body?.data;
  // A modal submission (type 5) can't be answered with another modal.
  const allowed = interaction.type === 2 ? [4, 5, 9] : interaction.type === 5 ? [4, 5, 6, 7] : [4, 5, 6, 7, 9];
  if (!allowed.includes(type)) {
    throw invalidFormBody([{ path: 'type', code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: 'Invalid interaction response type' }]);
  }
  let message: FakeMessage | undefined;
  if (type === 9) validateModal(data);
  if (type === 4) {
    validateMessageBody(data ?? {}, { creating: true, fileCount: request.files.length });
    message = responseMessage(context, interaction, data, request.files, allowedFlags(data?.flags, RESPONSE_FLAGS));
    interaction.originalMessageId = message.id;
    echoCreate(context, message);
  } else if (type === 5) {
    const flags = allowedFlags(data?.flags, MessageFlag.Ephemeral) | MessageFlag.Loading;
    message = responseMessage(context, interaction, {}, [], flags);
    interaction.originalMessageId = message.id;
    echoCreate(context, message);
  } else if (type === 6 || type === 7) {
    message = state.messages.get(interaction.messageId!);
    if (!message || message.deleted) throw Errors.unknownMessage();
    interaction.originalMessageId = message.id;
    if (type === 7) {
      validateMessageBody(data ?? {}, { creating: false, fileCount: request.files.length });
      const patch = patchFromBody(data);
      patch.attachments = resolveAttachments(context, message.channelId, data, request.files, message.attachments);
      state.editMessage(message, patch);
      echoUpdate(context, message);
    }
  }
  interaction.callbacks.push({ type, data: structuredClone(data), at });
  state.changes.emit('interaction', interaction);
  if (request.query.get('with_response') !== 'true') return { status: 204 };
  return {
    status: 200,
    body: {
      interaction: {
        id: interaction.id,
        type: interaction.type,
        activity_instance_id: null,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: (message.flags & MessageFlag.Loading) !== 0,
              response_message_ephemeral: isEphemeral(message),
            }
          : {}),
        channel_id: interaction.channelId,
        guild_id: interaction.guildId,
      },
      // The spec's resource always carries a message (types 4 and 7 only); deferrals get none.
      ...(type === 4 || type === 7 ? { resource: { type, message: messagePayload(state, message!) } } : {}),
    },
  };
}

/** An interaction token is valid for 15 minutes after the interaction was created (Discord's documented limit). */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

function webhookInteraction(request: RouteRequest, context: RestContext): InteractionRecord {
  const interaction = context.state.interactionsByToken.get(request.params.token!);
  if (request.params.app !== context.state.applicationId || !interaction) throw Errors.unknownWebhook();
  // Past its 15 minutes every use of the token (edit, follow-up, read, delete) is refused as Discord refuses it.
  if (context.state.now() - interaction.createdAt >= INTERACTION_TOKEN_LIFETIME_MS) throw Errors.invalidWebhookToken();
  return interaction;
}

function webhookMessage(request: RouteRequest, context: RestContext): [InteractionRecord, FakeMessage] {
  const interaction = webhookInteraction(request, context);
  const id = request.params.message === '@original' ? interaction.originalMessageId : request.params.message;
  const mine = id !== undefined && (id === interaction.originalMessageId || interaction.followupIds.includes(id));
  const message = mine ? context.state.messages.get(id) : undefined;
  if (!message || message.deleted) throw Errors.unknownMessage();
  return [interaction, message];
}

/** Routes for /interactions and /webhooks/{application}/{interaction token}. */
export function interactionRoutes(): Route[] {
  const messagePath = '/webhooks/:app/:token/messages/:message';
  return [
    { method: 'POST', path: '/interactions/:interaction/:token/callback', auth: false, handler: callback },
    {
      method: 'POST',
      path: '/webhooks/:app/:token',
      auth: false,
      handler: (request, context) => {
        const interaction = webhookInteraction(request, context);
        if (interaction.callbacks.length === 0) throw Errors.unknownWebhook();
        const body = request.body ?? {};
        validateMessageBody(body, { creating: true, fileCount: request.files.length });
        const message = responseMessage(context, interaction, body, request.files, allowedFlags(body.flags, RESPONSE_FLAGS));
        interaction.followupIds.push(message.id);
        context.state.changes.emit('interaction', interaction); // now a followup: wake handle.waitFor
        echoCreate(context, message);
        if (request.query.get('wait') !== 'true') return { status: 204 };
        return { status: 200, body: messagePayload(context.state, message) };
      },
    },
    {
      method: 'GET',
      path: messagePath,
      auth: false,
      handler: (request, context) => ({ status: 200, body: messagePayload(context.state, webhookMessage(request, context)[1]) }),
    },
    {
      method: 'PATCH',
      path: messagePath,
      auth: false,
      handler: (request, context) => {
        const [, message] = webhookMessage(request, context);
        const body = request.body ?? {};
        validateMessageBody(body, { creating: false, fileCount: request.files.length });
        const patch = patchFromBody(body);
        patch.attachments = resolveAttachments(context, message.channelId, body, request.files, message.attachments);
        const wasLoading = (message.flags & MessageFlag.Loading) !== 0;
        patch.flags = message.flags & ~MessageFlag.Loading;
        context.state.editMessage(message, patch, !wasLoading);
        echoUpdate(context, message);
        return { status: 200, body: messagePayload(context.state, message) };
      },
    },
    {
      method: 'DELETE',
      path: messagePath,
      auth: false,
      handler: (request, context) => {
        const [, message] = webhookMessage(request, context);
        context.state.deleteMessage(message);
        if (!isEphemeral(message)) {
          context.echo('MESSAGE_DELETE', { id: message.id, channel_id: message.channelId, guild_id: message.guildId });
        }
        return { status: 204 };
      },
    },
  ];
}
