/** INTERACTION_CREATE payloads and the {@link InteractionHandle} given to tests. */
import type { CommandStore } from './commands.js';
import { channelPayload, memberPayload, messagePayload, rolePayload, userPayload } from './payloads.js';
import type { DiscordState, InteractionRecord } from './state.js';
import type { FakeMessage, InteractionCallback, InteractionHandle, RawOption } from './types.js';

type Json = Record<string, unknown>;

/** Permissions shown for the invoking member, and the roles they come from. */
export interface InvokerPermissions {
  permissions: bigint;
  roles: string[];
}

/** Fills `resolved` for user (6), channel (7), role (8) and mentionable (9) options, recursively. */
export function resolveOptions(state: DiscordState, guildId: string, options: RawOption[]): Json | undefined {
  const users: Json = {};
  const members: Json = {};
  const channels: Json = {};
  const roles: Json = {};
  const guild = state.guild(guildId);
  const addUser = (id: string) => {
    const user = state.users.get(id);
    if (!user) throw new Error(`FakeDiscord: option refers to unknown user ${id}`);
    users[id] = userPayload(user);
    const member = guild.members.get(id);
    if (member) members[id] = { ...memberPayload(state, member, false), permissions: state.memberPermissions(guildId, id).toString() };
  };
  const walk = (list: RawOption[]) => {
    for (const option of list) {
      const value = String(option.value ?? '');
      if (option.type === 6) addUser(value);
      else if (option.type === 7) {
        const channel = state.channel(value);
        const { id, name, type, guild_id, parent_id, flags, position, topic, nsfw, rate_limit_per_user, last_message_id } = channelPayload(channel);
        channels[value] = {
          id, name, type, guild_id, parent_id, flags, position, topic, nsfw, rate_limit_per_user, last_message_id,
          permissions: state.memberPermissions(guildId, state.botUser.id).toString(),
        };
      } else if (option.type === 8 || option.type === 9) {
        const role = guild.roles.find((r) => r.id === value);
        if (role) roles[value] = rolePayload(role);
        else if (option.type === 9) addUser(value);
        else throw new Error(`FakeDiscord: option refers to unknown role ${value}`);
      }
      if (option.options) walk(option.options);
    }
  };
  walk(options);
  const resolved: Json = {};
  if (Object.keys(users).length > 0) resolved.users = users;
  if (Object.keys(members).length > 0) resolved.members = members;
  if (Object.keys(channels).length > 0) resolved.channels = channels;
  if (Object.keys(roles).length > 0) resolved.roles = roles;
  return Object.keys(resolved).length > 0 ? resolved : undefined;
}

/** The common part of every guild interaction payload. */
export function baseInteractionPayload(
  state: DiscordState,
  record: InteractionRecord,
  invoker: InvokerPermissions,
  appPermissions: bigint,
): Json {
  const channel = state.channel(record.channelId);
  const member = state.member(record.guildId, record.userId);
  return {
    id: record.id,
    application_id: state.applicationId,
    type: record.type,
    token: record.token,
    version: 1,
    guild_id: record.guildId,
    guild: { id: record.guildId, locale: 'en-US', features: [] },
    channel_id: channel.id,
    channel: channelPayload(channel, invoker.permissions),
    member: {
      ...memberPayload(state, { ...member, roles: invoker.roles }),
      permissions: invoker.permissions.toString(),
      unusual_dm_activity_until: null,
    },
    app_permissions: appPermissions.toString(),
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    entitlement_sku_ids: [],
    authorizing_integration_owners: { '0': record.guildId },
    context: 0,
    attachment_size_limit: 10485760,
  };
}

/** APPLICATION_COMMAND (chat input) interaction payload. */
export function slashCommandPayload(
  state: DiscordState,
  commands: CommandStore,
  record: InteractionRecord,
  options: RawOption[] | undefined,
  invoker: InvokerPermissions,
  appPermissions: bigint,
): Json {
  const name = record.name!;
  const registered = commands.idForName(record.guildId, name);
  const guildCommand = commands.list(record.guildId).some((c) => c.id === registered);
  const resolved = options ? resolveOptions(state, record.guildId, options) : undefined;
  return {
    ...baseInteractionPayload(state, record, invoker, appPermissions),
    data: {
      id: registered ?? unregisteredCommandId(state, name),
      name,
      type: 1,
      ...(options && options.length > 0 ? { options: structuredClone(options) } : {}),
      ...(resolved ? { resolved } : {}),
      ...(guildCommand ? { guild_id: record.guildId } : {}),
    },
  };
}

const unregistered = new WeakMap<DiscordState, Map<string, string>>();

/** A stable id for commands the test invokes without having registered them. */
function unregisteredCommandId(state: DiscordState, name: string): string {
  let ids = unregistered.get(state);
  if (!ids) unregistered.set(state, (ids = new Map()));
  let id = ids.get(name);
  if (!id) ids.set(name, (id = state.ids.next()));
  return id;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function findComponent(components: any[], customId: string): any {
  for (const component of components) {
    if (component?.custom_id === customId) return component;
    const nested = component?.components ?? (component?.accessory ? [component.accessory] : undefined);
    if (Array.isArray(nested)) {
      const found = findComponent(nested, customId);
      if (found) return found;
    }
  }
  return undefined;
}

/** MESSAGE_COMPONENT (button) interaction payload; throws when the message has no such enabled button. */
export function buttonPayload(
  state: DiscordState,
  record: InteractionRecord,
  message: FakeMessage,
  customId: string,
  invoker: InvokerPermissions,
  appPermissions: bigint,
): Json {
  const button = findComponent(message.components, customId);
  if (!button || button.type !== 2) {
    throw new Error(`FakeDiscord: message ${message.id} has no button with custom_id "${customId}"`);
  }
  if (button.disabled) throw new Error(`FakeDiscord: button "${customId}" on message ${message.id} is disabled`);
  return {
    ...baseInteractionPayload(state, record, invoker, appPermissions),
    message: messagePayload(state, message),
    data: { custom_id: customId, component_type: 2, ...(typeof button.id === 'number' ? { id: button.id } : {}) },
  };
}

function describe(message: FakeMessage | undefined): string {
  if (!message) return '(no message yet)';
  const embeds = message.embeds.map((e) => JSON.stringify({ title: e?.title, description: e?.description })).join(', ');
  return `#${message.id} flags=${message.flags} content=${JSON.stringify(message.content)}${embeds ? ` embeds=[${embeds}]` : ''}${
    message.attachments.length ? ` attachments=[${message.attachments.map((a) => a.filename).join(', ')}]` : ''
  }`;
}

/** Builds the test-facing handle for an interaction. */
export function createHandle(state: DiscordState, record: InteractionRecord): InteractionHandle {
  const original = () => (record.originalMessageId ? state.messages.get(record.originalMessageId) : undefined);
  const followups = () => record.followupIds.map((id) => state.messages.get(id)).filter((m): m is FakeMessage => !!m);
  const candidates = () => [original(), ...followups()].filter((m): m is FakeMessage => !!m);
  return {
    id: record.id,
    token: record.token,
    dispatchedAt: record.dispatchedAt,
    original,
    followups,
    response(timeoutMs = 5000): Promise<InteractionCallback> {
      const first = record.callbacks[0];
      if (first) return Promise.resolve(first);
      return new Promise((resolve, reject) => {
        const onChange = (changed: InteractionRecord) => {
          if (changed !== record || !record.callbacks[0]) return;
          cleanup();
          resolve(record.callbacks[0]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`FakeDiscord: interaction ${record.name ?? record.id} got no callback within ${timeoutMs}ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          state.changes.off('interaction', onChange);
        };
        state.changes.on('interaction', onChange);
      });
    },
    waitFor(predicate: (m: FakeMessage) => boolean, timeoutMs = 5000): Promise<FakeMessage> {
      const check = () => candidates().find((m) => !m.deleted && predicate(m));
      const found = check();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onChange = () => {
          const hit = check();
          if (!hit) return;
          cleanup();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          cleanup();
          const shown = candidates().map(describe).join('\n  ') || describe(undefined);
          const callbacks = record.callbacks.map((c) => c.type).join(', ') || 'none';
          reject(
            new Error(
              `FakeDiscord: interaction ${record.name ?? record.id}: no response matched within ${timeoutMs}ms ` +
                `(callbacks: ${callbacks}). Last messages:\n  ${shown}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          state.changes.off('message', onChange);
          state.changes.off('interaction', onChange);
        };
        state.changes.on('message', onChange);
        state.changes.on('interaction', onChange);
      });
    },
  };
}
