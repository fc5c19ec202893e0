/**
 * Events API deliveries: `event_callback` envelopes (event_id, event_time, authorizations) sent to the bot,
 * Slack-style retries, and the user actions that cause them (reactions, message deletions).
 */
import type { BotDriver } from './driver.js';
import { messageJson } from './json.js';
import { eventEnvelope } from './payloads.js';
import { type SlackState, describeItems } from './state.js';
import type { EventDelivery, FakeSlackMessage } from './types.js';

type Json = Record<string, unknown>;

/** See {@link FakeSlack.react}, {@link FakeSlack.sendEvent}, {@link FakeSlack.redeliver}. */
export class EventSender {
  constructor(
    private readonly state: SlackState,
    private readonly driver: BotDriver,
    private readonly verificationToken: string,
  ) {}

  /**
   * A user adds a reaction (name without colons: `+1`, `fire`) to a message, and Slack sends `reaction_added`.
   * Resolves with the delivery, or null when nothing was sent: `silent`, the user had already reacted so, or
   * the bot is not in the channel (Slack sends no events from channels the bot is not in).
   */
  async react(channelId: string, ts: string, userId: string, reaction: string, opts: { silent?: boolean } = {}): Promise<EventDelivery | null> {
    const message = this.liveMessage(channelId, ts);
    this.state.userOrThrow(userId);
    const name = reaction.replace(/^:|:$/g, '');
    if (!this.state.addReaction(message, name, userId) || opts.silent) return null;
    return this.sendReactionEvent('reaction_added', message, userId, name);
  }

  /** A user removes a reaction; Slack sends `reaction_removed`. Null as for {@link FakeSlack.react}. */
  async unreact(channelId: string, ts: string, userId: string, reaction: string, opts: { silent?: boolean } = {}): Promise<EventDelivery | null> {
    const message = this.liveMessage(channelId, ts);
    const name = reaction.replace(/^:|:$/g, '');
    if (!this.state.removeReaction(message, name, userId) || opts.silent) return null;
    return this.sendReactionEvent('reaction_removed', message, userId, name);
  }

  /**
   * Someone (a user or an admin) deletes a message; Slack sends a `message` event with subtype
   * `message_deleted`. Null when `silent` or the bot is not in the channel.
   */
  async deleteMessage(channelId: string, ts: string, opts: { silent?: boolean } = {}): Promise<EventDelivery | null> {
    const message = this.liveMessage(channelId, ts);
    message.deleted = true;
    this.state.notify();
    if (opts.silent) return null;
    return this.messageDeleted(message);
  }

  /**
   * Sends any Events API event in a signed `event_callback` envelope (e.g. `{ type: 'app_mention', … }`).
   * `retryNum`/`retryReason` add the `x-slack-retry-*` headers (Socket Mode: `retry_attempt`/`retry_reason`).
   */
  async sendEvent(event: Json, opts: { retryNum?: number; retryReason?: string } = {}): Promise<EventDelivery> {
    const eventId = this.state.ids.eventId();
    const eventTime = this.state.ids.unixNow();
    const envelope = eventEnvelope({ id: this.state.identity, verificationToken: this.verificationToken, event, eventId, eventTime });
    return this.deliverEnvelope(envelope, opts.retryNum, opts.retryReason);
  }

  /**
   * Delivers an earlier event again. By default as Slack's retry: the same `event_id` with
   * `x-slack-retry-num` one higher and `x-slack-retry-reason` (`http_timeout` unless the last answer was an
   * HTTP error: `http_error`; no answer: `connection_failed`). With `newEventId`, as a duplicate with a fresh
   * `event_id` and no retry headers.
   */
  async redeliver(delivery: EventDelivery, opts: { newEventId?: boolean } = {}): Promise<EventDelivery> {
    if (opts.newEventId) {
      const envelope = { ...delivery.envelope, event_id: this.state.ids.eventId(), event_time: this.state.ids.unixNow() };
      return this.deliverEnvelope(envelope, undefined, undefined);
    }
    const reason =
      delivery.status === 0 && !delivery.timedOut
        ? 'connection_failed'
        : delivery.status !== 0 && (delivery.status < 200 || delivery.status >= 300)
          ? 'http_error'
          : 'http_timeout';
    return this.deliverEnvelope(delivery.envelope, (delivery.retryNum ?? 0) + 1, reason);
  }

  private liveMessage(channelId: string, ts: string): FakeSlackMessage {
    this.state.channelOrThrow(channelId);
    const m = this.state.message(channelId, ts);
    if (!m || m.deleted) throw new Error(`FakeSlack: no live message ${ts} in ${channelId} (has: ${describeItems(this.state.messages(channelId))})`);
    return m;
  }

  private sendReactionEvent(type: 'reaction_added' | 'reaction_removed', m: FakeSlackMessage, userId: string, name: string): Promise<EventDelivery | null> {
    if (!this.state.channelOrThrow(m.channel).botIsMember) return Promise.resolve(null);
    return this.sendEvent({
      type,
      user: userId,
      reaction: name,
      item: { type: 'message', channel: m.channel, ts: m.ts },
      item_user: m.user,
      event_ts: this.state.ids.ts(),
    });
  }

  /** Sends `message_deleted` for a message (null when the bot is not in its channel). */
  messageDeleted(m: FakeSlackMessage): Promise<EventDelivery | null> {
    const channel = this.state.channelOrThrow(m.channel);
    if (!channel.botIsMember) return Promise.resolve(null);
    const eventTs = this.state.ids.ts();
    const previous = messageJson(m, this.state.identity, this.state.channels);
    return this.sendEvent({
      type: 'message',
      subtype: 'message_deleted',
      previous_message: previous,
      channel: m.channel,
      hidden: true,
      ts: eventTs,
      deleted_ts: m.ts,
      event_ts: eventTs,
      channel_type: channel.isPrivate ? 'group' : 'channel',
    });
  }

  private async deliverEnvelope(envelope: Json, retryNum: number | undefined, retryReason: string | undefined): Promise<EventDelivery> {
    const headers: Record<string, string> = {};
    if (retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(retryNum);
      headers['x-slack-retry-reason'] = retryReason ?? 'http_timeout';
    }
    const result = await this.driver.deliver(
      'events_api',
      envelope,
      { body: JSON.stringify(envelope), contentType: 'application/json', headers },
      { retry_attempt: retryNum ?? 0, retry_reason: retryNum !== undefined ? (retryReason ?? 'http_timeout') : '' },
    );
    const { ackPayload: _ignored, ...delivery } = result;
    return {
      ...delivery,
      eventId: envelope.event_id as string,
      eventTime: envelope.event_time as number,
      envelope,
      ...(retryNum !== undefined ? { retryNum, retryReason: retryReason ?? 'http_timeout' } : {}),
    };
  }
}
