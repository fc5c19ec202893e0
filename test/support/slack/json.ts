/**
 * JSON shapes of Slack objects (user, conversation, message, file) as the Web API and events carry them.
 */
import type { SlackIdentity } from './state.js';
import type { FakeSlackChannel, FakeSlackFile, FakeSlackMessage, FakeSlackUser } from './types.js';

type Json = Record<string, unknown>;

/** The `user` object of `users.info`. */
export function userJson(u: FakeSlackUser, id: SlackIdentity): Json {
  return {
    id: u.id,
    team_id: id.teamId,
    name: u.name,
    deleted: u.deleted,
    color: '9f69e7',
    real_name: u.realName,
    tz: u.tz,
    tz_label: u.tz,
    tz_offset: 3600,
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: u.realName,
      real_name_normalized: u.realName,
      display_name: u.name,
      display_name_normalized: u.name,
      status_text: '',
      status_emoji: '',
      avatar_hash: 'g0000000000a',
      image_24: `https://secure.gravatar.com/avatar/${u.id}.jpg?s=24`,
      image_72: `https://secure.gravatar.com/avatar/${u.id}.jpg?s=72`,
      image_192: `https://secure.gravatar.com/avatar/${u.id}.jpg?s=192`,
      team: id.teamId,
      ...(u.isBot ? { bot_id: `B${u.id.slice(1)}`, api_app_id: '', always_active: true } : {}),
    },
    is_admin: u.isAdmin,
    is_owner: u.isOwner,
    is_primary_owner: u.isOwner,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: 1700000000,
    is_email_confirmed: !u.isBot,
    who_can_share_contact_card: 'EVERYONE',
  };
}

/** The `channel` object of `conversations.info`. */
export function channelJson(c: FakeSlackChannel, id: SlackIdentity): Json {
  return {
    id: c.id,
    name: c.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: c.isPrivate,
    created: 1700000000,
    is_archived: c.archived,
    is_general: c.name === 'general',
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: id.teamId,
    updated: 1700000000000,
    parent_conversation: null,
    creator: id.botUserId,
    is_ext_shared: false,
    shared_team_ids: [id.teamId],
    pending_connected_team_ids: [],
    is_member: c.botIsMember,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    previous_names: [],
  };
}

/** The file object (`files.info`, message `files`, `files.completeUploadExternal`). */
export function fileJson(f: FakeSlackFile, id: SlackIdentity, channels: Map<string, FakeSlackChannel>): Json {
  const pub: Record<string, unknown[]> = {};
  const priv: Record<string, unknown[]> = {};
  for (const [channelId, tss] of f.shares) {
    const c = channels.get(channelId);
    const target = c?.isPrivate ? priv : pub;
    target[channelId] = tss.map((ts) => ({
      reply_users: [],
      reply_users_count: 0,
      reply_count: 0,
      ts,
      channel_name: c?.name ?? '',
      team_id: id.teamId,
      share_user_id: f.user,
      source: 'UNKNOWN',
    }));
  }
  const shares: Json = {};
  if (Object.keys(pub).length > 0) shares.public = pub;
  if (Object.keys(priv).length > 0) shares.private = priv;
  const sharedIn = [...f.shares.keys()];
  const filesBase = `${id.baseUrl}files-pri/${id.teamId}-${f.id}/`;
  if (f.deleted) return { id: f.id, mode: 'tombstone' };
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype,
    filetype: f.filetype,
    pretty_type: f.filetype.toUpperCase(),
    user: f.user,
    user_team: id.teamId,
    editable: false,
    size: f.uploaded ? f.bytes.length : f.length,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: sharedIn.some((c) => !channels.get(c)?.isPrivate),
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    ...(f.altText !== undefined ? { alt_txt: f.altText } : {}),
    url_private: `${filesBase}${encodeURIComponent(f.name)}`,
    url_private_download: `${filesBase}download/${encodeURIComponent(f.name)}`,
    media_display_type: f.mimetype.startsWith('image/') ? 'unknown' : undefined,
    permalink: `https://fake.slack.com/files/${f.user}/${f.id}/${encodeURIComponent(f.name)}`,
    permalink_public: `https://slack-files.com/${id.teamId}-${f.id}-${f.id.toLowerCase()}`,
    comments_count: 0,
    is_starred: false,
    shares,
    channels: sharedIn.filter((c) => !channels.get(c)?.isPrivate),
    groups: sharedIn.filter((c) => channels.get(c)?.isPrivate),
    ims: [],
    has_more_shares: false,
    has_rich_preview: false,
    file_access: 'visible',
  };
}

/** The bot's `bot_profile` attached to its messages. */
export function botProfileJson(id: SlackIdentity): Json {
  return {
    id: id.botId,
    deleted: false,
    name: id.botName,
    updated: 1700000000,
    app_id: id.appId,
    icons: { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png' },
    team_id: id.teamId,
  };
}

/** A message object (history, `chat.postMessage` answers, `reactions.get`, interactivity payloads). */
export function messageJson(
  m: FakeSlackMessage,
  id: SlackIdentity,
  channels: Map<string, FakeSlackChannel>,
  opts: { reactions?: boolean } = {},
): Json {
  // A webhook's message (or another integration's) has a bot_id and no user; our own app's also carry its profile.
  const json: Json = m.user ? { user: m.user, type: 'message', ts: m.ts } : { subtype: 'bot_message', type: 'message', ts: m.ts };
  const ours = m.botId === id.botId;
  if (m.botId) {
    json.bot_id = m.botId;
    if (ours) json.app_id = id.appId;
  }
  json.text = m.text;
  json.team = id.teamId;
  if (ours) json.bot_profile = botProfileJson(id);
  if (m.files.length > 0) {
    json.files = m.files.map((f) => fileJson(f, id, channels));
    json.upload = true;
    json.display_as_bot = false;
  }
  if (m.blocks) json.blocks = m.blocks;
  if (m.attachments) json.attachments = m.attachments;
  if (m.threadTs) json.thread_ts = m.threadTs;
  if (m.edited) json.edited = m.edited;
  // Slack leaves `reactions` out entirely when a message has none.
  if (opts.reactions !== false && m.reactions.length > 0) {
    json.reactions = m.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.count }));
  }
  return json;
}
