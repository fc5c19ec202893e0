/**
 * Delivers what Slack sends to the app: signed HTTP requests to the bot's endpoint, or Socket Mode envelopes
 * when the app is connected over Socket Mode.
 *
 * HTTP requests are sent, and their acknowledgement timed, from a worker thread: Slack's servers do not share the
 * app's event loop, so its work must not hold back the sending of the next requests. Sent from the app's own loop, a
 * burst of 200 commands trickled in while the app worked on the first ones (its acknowledgements-first gate saw fewer
 * than two in flight at a time), and the time measured was the app's work delaying the fake's own `fetch` calls.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { type SignOptions, signedHeaders } from './signing.js';
import type { SocketModeServer } from './socket-mode.js';
import type { DeliveryResult } from './types.js';

/** Slack's own deadline for an acknowledgement. */
export const SLACK_ACK_DEADLINE_MS = 3000;

/** A delivery result plus, for Socket Mode, the ack's payload object. */
export interface RawDelivery extends DeliveryResult {
  ackPayload?: Record<string, unknown>;
}

/** The sender's thread: POSTs what it is given and answers with the status, body and time to the response's end. */
const SENDER = `
const { parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
parentPort.on('message', async ({ id, url, headers, body, timeoutMs }) => {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    parentPort.postMessage({ id, status: res.status, text, ackMs: performance.now() - started });
  } catch {
    parentPort.postMessage({ id, status: 0, text: '', ackMs: performance.now() - started });
  }
});
`;

type Sent = { status: number; text: string; ackMs: number };

/** One worker thread sending HTTP requests, created on first use. */
class Sender {
  private worker: Worker | undefined;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: Sent) => void; started: number }>();

  post(request: { url: string; headers: Record<string, string>; body: string; timeoutMs: number }): Promise<Sent> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, started: performance.now() });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, ...request });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SENDER, { eval: true });
    worker.unref(); // referenced only while a request is out
    worker.on('message', (r: Sent & { id: number }) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      p?.resolve(r);
    });
    // A thread that stopped (closed, or failed) fails what it had out, as a request that got no answer.
    const fail = () => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.resolve({ status: 0, text: '', ackMs: performance.now() - p.started });
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
    return worker;
  }
}

export class BotDriver {
  /** Where HTTP deliveries go (`setBotEndpoint`). */
  endpoint: string | undefined;
  /** `auto`: Socket Mode while a connection is open, else HTTP. */
  mode: 'auto' | 'http' | 'socket' = 'auto';
  private readonly sender = new Sender();

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
    const { status, text, ackMs } = await this.sender.post({ url: this.endpoint, headers, body, timeoutMs: this.timeoutMs });
    return { transport: 'http', status, body: text, ackMs, timedOut: status === 0 ? ackMs >= SLACK_ACK_DEADLINE_MS : ackMs > SLACK_ACK_DEADLINE_MS };
  }

  /** Stops the sending thread (requests still out get no answer: status 0). */
  close(): Promise<void> {
    return this.sender.close();
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
