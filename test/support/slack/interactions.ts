/**
 * Slash commands and button clicks: builds Slack's payloads, hands out response_urls, delivers them to the
 * bot (HTTP or Socket Mode) and applies the acknowledgement like Slack shows it.
 */
import { actionIds, findAction } from './blocks.js';
import type { BotDriver, RawDelivery } from './driver.js';
import { messageJson } from './json.js';
import { blockActionsPayload, slashCommandFields } from './payloads.js';
import type { ResponseTarget, ResponseUrls } from './response-url.js';
import type { SignOptions } from './signing.js';
import type { SlackState } from './state.js';
import type { DeliveryResult, ResponseUrlPost, SlackCommandHandle } from './types.js';
import { submittedState, type Views } from './views.js';

type Json = Record<string, unknown>;

/** See {@link FakeSlack.slashCommand} and {@link FakeSlack.clickButton}. */
export class Interactions {
  constructor(
    private readonly state: SlackState,
    private readonly driver: BotDriver,
    private readonly responseUrls: ResponseUrls,
    private readonly verificationToken: string,
    /** Trigger ids issued here may open a view (`views.open`) for 3 seconds. */
    private readonly views?: Views,
  ) {}

  /**
   * Sends a signed slash command (form-encoded, or a `slash_commands` envelope over Socket Mode) and resolves
   * with the bot's acknowledgement. A non-empty ack body becomes an ephemeral (or an `in_channel` message), as
   * Slack shows it; a late (> 3 s) or failed ack adds Slack's `"/cmd failed with the error …"` ephemeral.
   * Later posts to `response_url` are recorded on the handle. Passing `signature` or `timestampSkewSeconds`
   * forces HTTP (signatures do not exist in Socket Mode).
   */
  async slashCommand(c: {
    command: '/imagine' | '/salon' | (string & {});
    text: string;
    userId: string;
    channelId: string;
    signature?: 'valid' | 'bad';
    timestampSkewSeconds?: number;
  }): Promise<SlackCommandHandle> {
    const channel = this.state.channelOrThrow(c.channelId);
    const user = this.state.userOrThrow(c.userId);
    const triggerId = this.state.ids.triggerId();
    this.views?.issue(triggerId, user.id);
    const { url: responseUrl, target } = this.responseUrls.create({ kind: 'commands', channelId: channel.id, userId: user.id });
    const fields = slashCommandFields({
      id: this.state.identity,
      verificationToken: this.verificationToken,
      channel,
      user,
      command: c.command,
      text: c.text,
      responseUrl,
      triggerId,
    });
    const body = new URLSearchParams(fields).toString();
    const signing = c.signature !== undefined || c.timestampSkewSeconds !== undefined;
    let result: RawDelivery;
    if (signing) {
      const sign: SignOptions = {
        ...(c.signature ? { signature: c.signature } : {}),
        ...(c.timestampSkewSeconds !== undefined ? { timestampSkewSeconds: c.timestampSkewSeconds } : {}),
      };
      result = await this.driver.postSigned(body, 'application/x-www-form-urlencoded', sign);
    } else {
      result = await this.driver.deliver('slash_commands', fields, { body, contentType: 'application/x-www-form-urlencoded' });
    }
    const ackJson = this.recordCommandAck(result, channel.id, user.id, c.command, target);
    return this.handle(result, fields, triggerId, responseUrl, target, ackJson);
  }

  /** Sends a signed `block_actions` payload for a click on the button `actionId` of a message (or an ephemeral from `chat.postEphemeral`). */
  async clickButton(b: { userId: string; channelId: string; messageTs: string; actionId: string; value?: string }): Promise<SlackCommandHandle> {
    const channel = this.state.channelOrThrow(b.channelId);
    const user = this.state.userOrThrow(b.userId);
    const message = this.state.message(channel.id, b.messageTs);
    const ephemeral = message ? undefined : this.state.ephemerals.find((e) => e.channel === channel.id && e.ts === b.messageTs);
    if ((!message || message.deleted) && (!ephemeral || ephemeral.deleted)) {
      throw new Error(`FakeSlack: no message ${b.messageTs} in ${channel.id} to click on`);
    }
    const blocks = message ? message.blocks : ephemeral?.blocks;
    const found = findAction(blocks, b.actionId);
    if (!found) {
      throw new Error(`FakeSlack: message ${b.messageTs} has no element with action_id "${b.actionId}" (has: ${actionIds(blocks).join(', ') || 'none'})`);
    }
    const triggerId = this.state.ids.triggerId();
    this.views?.issue(triggerId, user.id);
    const { url: responseUrl, target } = this.responseUrls.create({
      kind: 'actions',
      channelId: channel.id,
      userId: user.id,
      messageTs: b.messageTs,
      isEphemeral: !message,
    });
    const { element, blockId } = found;
    const action: Json = {
      action_id: b.actionId,
      block_id: blockId,
      ...(element.text ? { text: element.text } : {}),
      ...(b.value !== undefined || element.value !== undefined ? { value: b.value ?? element.value } : {}),
      ...(element.style ? { style: element.style } : {}),
      type: element.type,
      action_ts: this.state.ids.ts(),
    };
    const payload = blockActionsPayload({
      id: this.state.identity,
      verificationToken: this.verificationToken,
      user,
      channel,
      messageTs: b.messageTs,
      isEphemeral: !message,
      ...(message ? { message: messageJson(message, this.state.identity, this.state.channels) } : {}),
      action,
      responseUrl,
      triggerId,
    });
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const result = await this.driver.deliver('interactive', payload, { body, contentType: 'application/x-www-form-urlencoded' });
    return this.handle(result, payload, triggerId, responseUrl, target, parseJson(result.body));
  }

  /** Sends a signed `message_action` payload: a member chose the app's message shortcut on a channel message. */
  async messageShortcut(m: { userId: string; channelId: string; messageTs: string; callbackId: string }): Promise<SlackCommandHandle> {
    const channel = this.state.channelOrThrow(m.channelId);
    const user = this.state.userOrThrow(m.userId);
    const message = this.state.message(channel.id, m.messageTs);
    if (!message || message.deleted) throw new Error(`FakeSlack: no message ${m.messageTs} in ${channel.id} for a shortcut`);
    const triggerId = this.state.ids.triggerId();
    this.views?.issue(triggerId, user.id);
    const { url: responseUrl, target } = this.responseUrls.create({ kind: 'actions', channelId: channel.id, userId: user.id, messageTs: m.messageTs, isEphemeral: false });
    const id = this.state.identity;
    const payload: Json = {
      type: 'message_action',
      token: this.verificationToken,
      action_ts: this.state.ids.ts(),
      team: { id: id.teamId, domain: id.teamDomain },
      user: { id: user.id, username: user.name, name: user.name, team_id: id.teamId },
      channel: { id: channel.id, name: channel.isPrivate ? 'privategroup' : channel.name },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: m.callbackId,
      trigger_id: triggerId,
      response_url: responseUrl,
      message_ts: m.messageTs,
      message: messageJson(message, id, this.state.channels),
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const result = await this.driver.deliver('interactive', payload, { body, contentType: 'application/x-www-form-urlencoded' });
    return this.handle(result, payload, triggerId, responseUrl, target, parseJson(result.body));
  }

  /**
   * Submits the member's open view (the latest, or the one with `callbackId`): a signed `view_submission` whose state
   * holds each text input's value (`values` by action_id, else its initial value). The view closes unless the bot's ack
   * answers `response_action: "errors"` (recorded on the view).
   */
  async submitView(s: { userId: string; callbackId?: string; values?: Record<string, string> }): Promise<DeliveryResult & { ackJson: unknown }> {
    const user = this.state.userOrThrow(s.userId);
    const open = this.views?.openViewOf(user.id, s.callbackId);
    if (!open) throw new Error(`FakeSlack: ${user.id} has no open view${s.callbackId ? ` "${s.callbackId}"` : ''} to submit`);
    const id = this.state.identity;
    const triggerId = this.state.ids.triggerId();
    this.views?.issue(triggerId, user.id);
    const payload: Json = {
      type: 'view_submission',
      team: { id: id.teamId, domain: id.teamDomain },
      user: { id: user.id, username: user.name, name: user.name, team_id: id.teamId },
      api_app_id: id.appId,
      token: this.verificationToken,
      trigger_id: triggerId,
      view: { ...open.view, state: submittedState(open.view, s.values ?? {}) },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const result = await this.driver.deliver('interactive', payload, { body, contentType: 'application/x-www-form-urlencoded' });
    const ackJson = parseJson(result.body) ?? result.ackPayload;
    const action = (ackJson as Json | undefined)?.response_action;
    if (action === 'errors') open.errors = (ackJson as Json).errors as Record<string, string>;
    else if (result.status === 200 && !result.timedOut) open.open = false;
    return { ...result, ackJson };
  }

  /** Applies a slash command's ack like Slack: body → ephemeral (or in_channel message); failure → Slack's notice. */
  private recordCommandAck(result: RawDelivery, channelId: string, userId: string, command: string, target: ResponseTarget): unknown {
    if (result.status !== 200 || result.timedOut) {
      this.state.addEphemeral({
        channel: channelId,
        user: userId,
        text: `${command} failed with the error "${result.timedOut ? 'operation_timeout' : 'dispatch_failed'}"`,
        source: 'slack',
      });
      return parseJson(result.body);
    }
    const json = result.ackPayload ?? parseJson(result.body);
    let text = '';
    let blocks: unknown[] | undefined;
    let inChannel = false;
    if (json && typeof json === 'object') {
      const j = json as Json;
      text = typeof j.text === 'string' ? j.text : '';
      blocks = Array.isArray(j.blocks) && j.blocks.length > 0 ? j.blocks : undefined;
      inChannel = j.response_type === 'in_channel';
    } else if (result.body) {
      text = result.body;
    }
    if (!text && !blocks) return json;
    if (inChannel) {
      const m = this.state.appendMessage({
        channel: channelId,
        text,
        ...(blocks ? { blocks } : {}),
        user: this.state.identity.botUserId,
        botId: this.state.identity.botId,
        source: 'ack',
      });
      target.last = { ts: m.ts, isEphemeral: false };
    } else {
      const e = this.state.addEphemeral({ channel: channelId, user: userId, text, ...(blocks ? { blocks } : {}), source: 'ack' });
      target.last = { ts: e.ts, isEphemeral: true };
    }
    return json;
  }

  private handle(
    result: DeliveryResult,
    payload: Json,
    triggerId: string,
    responseUrl: string,
    target: ResponseTarget,
    ackJson: unknown,
  ): SlackCommandHandle {
    const { state } = this;
    return {
      transport: result.transport,
      status: result.status,
      body: result.body,
      ackMs: result.ackMs,
      timedOut: result.timedOut,
      payload,
      triggerId,
      responseUrl,
      ackJson,
      responses: () => [...target.posts],
      refusedResponses: () => [...target.refused],
      waitForResponse: (predicate: (r: ResponseUrlPost) => boolean = () => true, timeoutMs = 5000) =>
        state.waitFor(
          () => target.posts.find(predicate),
          timeoutMs,
          () => `waiting for a response_url post; got: ${JSON.stringify(target.posts.map((p) => p.body))}`,
        ),
    };
  }
}

/** The text parsed as JSON, or undefined. */
export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
