/**
 * What Slack sends to the app: slash command forms, block_actions payloads, Events API envelopes.
 */
import type { SlackIdentity } from './state.js';
import type { FakeSlackChannel, FakeSlackUser } from './types.js';

type Json = Record<string, unknown>;

/**
 * Slash command fields, in Slack's order. Over HTTP they are form-encoded; over Socket Mode the same
 * strings are the envelope's `payload` object.
 */
export function slashCommandFields(a: {
  id: SlackIdentity;
  verificationToken: string;
  channel: FakeSlackChannel;
  user: FakeSlackUser;
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): Record<string, string> {
  return {
    token: a.verificationToken,
    team_id: a.id.teamId,
    team_domain: a.id.teamDomain,
    channel_id: a.channel.id,
    channel_name: a.channel.isPrivate ? 'privategroup' : a.channel.name,
    user_id: a.user.id,
    user_name: a.user.name,
    command: a.command,
    text: a.text,
    api_app_id: a.id.appId,
    is_enterprise_install: 'false',
    response_url: a.responseUrl,
    trigger_id: a.triggerId,
  };
}

/** The `block_actions` payload of a button click. */
export function blockActionsPayload(a: {
  id: SlackIdentity;
  verificationToken: string;
  user: FakeSlackUser;
  channel: FakeSlackChannel;
  messageTs: string;
  isEphemeral: boolean;
  /** The message JSON (left out for ephemeral messages, like Slack does). */
  message?: Json;
  action: Json;
  responseUrl: string;
  triggerId: string;
}): Json {
  return {
    type: 'block_actions',
    user: { id: a.user.id, username: a.user.name, name: a.user.name, team_id: a.id.teamId },
    api_app_id: a.id.appId,
    token: a.verificationToken,
    container: { type: 'message', message_ts: a.messageTs, channel_id: a.channel.id, is_ephemeral: a.isEphemeral },
    trigger_id: a.triggerId,
    team: { id: a.id.teamId, domain: a.id.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: a.channel.id, name: a.channel.isPrivate ? 'privategroup' : a.channel.name },
    ...(a.message ? { message: a.message } : {}),
    state: { values: {} },
    response_url: a.responseUrl,
    actions: [a.action],
  };
}

/** The `event_callback` envelope around an event. */
export function eventEnvelope(a: { id: SlackIdentity; verificationToken: string; event: Json; eventId: string; eventTime: number }): Json {
  return {
    token: a.verificationToken,
    team_id: a.id.teamId,
    context_team_id: a.id.teamId,
    context_enterprise_id: null,
    api_app_id: a.id.appId,
    event: a.event,
    type: 'event_callback',
    event_id: a.eventId,
    event_time: a.eventTime,
    authorizations: [
      { enterprise_id: null, team_id: a.id.teamId, user_id: a.id.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${a.id.teamId}:${a.eventId}`).toString('base64url')}`,
  };
}
