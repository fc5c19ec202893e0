/**
 * Delivers what Slack sends to the app: signed HTTP requests to the bot's endpoint, or Socket Mode envelopes
 * when the app is connected over Socket Mode.
 */
import { performance } from 'node:perf_hooks';
import { type SignOptions, signedHeaders } from './signing.js';
import type { SocketModeServer } from './socket-mode.js';
import type { DeliveryResult } from './types.js';

/** Slack's own deadline for an acknowledgement. */
export const SLACK_ACK_DEADLINE_MS = 3000;

/** A delivery result plus, for Socket Mode, the ack's payload object. */
export interface RawDelivery extends DeliveryResult {
  ackPayload?: Record<string, unknown>;
}

export class BotDriver {
  /** Where HTTP deliveries go (`setBotEndpoint`). */
  endpoint: string | undefined;
  /** `auto`: Socket Mode while a connection is open, else HTTP. */
  mode: 'auto' | 'http' | 'socket' = 'auto';

  constructor(
    private readonly signingSecret: string,
    private readonly socket: SocketModeServer,
    private readonly timeoutMs: number,
  ) {}

  /** The transport the next delivery will use; throws when there is none. */
  transport(): 'http' | 'socket' {
    if (this.mode === 'socket') return 'socket';
    if (this.mode === 'http' || (this.mode === 'auto' && this.socket.openConnections === 0)) {
      if (!this.endpoint) {
        throw new Error('FakeSlack: nowhere to deliver: call setBotEndpoint(url) for HTTP, or connect the app over Socket Mode');
      }
      return 'http';
    }
    return 'socket';
  }

  /** POSTs a signed body to the bot endpoint. Status 0 when the request failed or took longer than the delivery timeout. */
  async postSigned(
    body: string,
    contentType: string,
    opts: SignOptions = {},
    extraHeaders: Record<string, string> = {},
  ): Promise<DeliveryResult> {
    if (!this.endpoint) throw new Error('FakeSlack: no bot endpoint: call setBotEndpoint(url) first');
    const headers = {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      accept: 'application/json,*/*',
      ...signedHeaders(this.signingSecret, body, opts),
      ...extraHeaders,
    };
    const started = performance.now();
    try {
      const res = await fetch(this.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      const ackMs = performance.now() - started;
      return { transport: 'http', status: res.status, body: text, ackMs, timedOut: ackMs > SLACK_ACK_DEADLINE_MS };
    } catch {
      const ackMs = performance.now() - started;
      return { transport: 'http', status: 0, body: '', ackMs, timedOut: ackMs >= SLACK_ACK_DEADLINE_MS };
    }
  }

  /**
   * Delivers one request by the current transport.
   * @param envelopeType Socket Mode envelope type: `slash_commands`, `interactive`, `events_api`.
   * @param payload The object the app receives (Socket Mode `payload`).
   * @param http The HTTP form of the same request.
   */
  async deliver(
    envelopeType: 'slash_commands' | 'interactive' | 'events_api',
    payload: Record<string, unknown>,
    http: { body: string; contentType: string; headers?: Record<string, string> },
    socketExtra: Record<string, unknown> = {},
  ): Promise<RawDelivery> {
    if (this.transport() === 'http') return this.postSigned(http.body, http.contentType, {}, http.headers ?? {});
    const acceptsResponsePayload = envelopeType === 'slash_commands';
    const ack = await this.socket.send(
      envelopeType,
      payload,
      { accepts_response_payload: acceptsResponsePayload, ...socketExtra },
      this.timeoutMs,
    );
    const body = ack.payload && Object.keys(ack.payload).length > 0 ? JSON.stringify(ack.payload) : '';
    return {
      transport: 'socket',
      status: ack.acked ? 200 : 0,
      body,
      ackMs: ack.ackMs,
      timedOut: !ack.acked || ack.ackMs > SLACK_ACK_DEADLINE_MS,
      ...(ack.payload ? { ackPayload: ack.payload } : {}),
    };
  }
}
