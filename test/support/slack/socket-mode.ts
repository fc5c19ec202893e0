/**
 * Socket Mode over `ws`: `apps.connections.open` hands out a one-time `ws://…/socket?ticket=…` URL; on
 * connect the fake sends `hello`; envelopes `{ envelope_id, type, payload, accepts_response_payload }` go to
 * one open connection and resolve when the app acknowledges `{ envelope_id, payload? }`.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';

/** The answer to one envelope. */
export interface SocketAck {
  acked: boolean;
  /** The ack's `payload` (`{}` for a bare ack); undefined when not acked. */
  payload: Record<string, unknown> | undefined;
  ackMs: number;
}

interface Pending {
  resolve: (ack: SocketAck) => void;
  sentAt: number;
  timer: NodeJS.Timeout;
}

/** One message received from the app over Socket Mode. */
export interface SocketReceived {
  at: number;
  data: unknown;
}

export class SocketModeServer {
  /** Everything the app sent (acks, or anything else), in order. */
  readonly received: SocketReceived[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly pingTimers = new Map<WebSocket, NodeJS.Timeout>();

  constructor(
    private readonly wsBase: string,
    private readonly appId: string,
    private readonly pingIntervalMs = 10_000,
  ) {}

  /** A fresh one-time URL, what `apps.connections.open` answers. */
  issueUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${this.wsBase}socket?ticket=${ticket}&app_id=${this.appId}`;
  }

  /** Number of open Socket Mode connections. */
  get openConnections(): number {
    return this.sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  }

  /** Handles an HTTP upgrade on `/socket`; false when the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/socket') return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
    return true;
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.push(ws);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      this.received.push({ at: performance.now(), data: msg });
      const envelopeId = (msg as { envelope_id?: unknown }).envelope_id;
      if (typeof envelopeId !== 'string') return;
      const p = this.pending.get(envelopeId);
      if (!p) return;
      this.pending.delete(envelopeId);
      clearTimeout(p.timer);
      const payload = (msg as { payload?: unknown }).payload;
      p.resolve({
        acked: true,
        payload: payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {},
        ackMs: performance.now() - p.sentAt,
      });
    });
    ws.on('close', () => {
      const i = this.sockets.indexOf(ws);
      if (i >= 0) this.sockets.splice(i, 1);
      clearInterval(this.pingTimers.get(ws));
      this.pingTimers.delete(ws);
    });
    ws.on('error', () => {});
    const timer = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.ping(Buffer.from(`ping-${Date.now()}`));
    }, this.pingIntervalMs);
    timer.unref();
    this.pingTimers.set(ws, timer);
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.openConnections,
        debug_info: { host: 'applink-fake-1', build_number: 118, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
  }

  /**
   * Sends an envelope to the most recent open connection. Resolves when the app acks it, or with
   * `acked: false` after `timeoutMs` (or at once when no connection is open).
   */
  send(type: string, payload: unknown, extra: Record<string, unknown>, timeoutMs: number): Promise<SocketAck> {
    const ws = [...this.sockets].reverse().find((s) => s.readyState === WebSocket.OPEN);
    if (!ws) return Promise.resolve({ acked: false, payload: undefined, ackMs: 0 });
    const envelopeId = randomUUID();
    return new Promise<SocketAck>((resolve) => {
      const sentAt = performance.now();
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve({ acked: false, payload: undefined, ackMs: performance.now() - sentAt });
      }, timeoutMs);
      this.pending.set(envelopeId, { resolve, sentAt, timer });
      ws.send(JSON.stringify({ envelope_id: envelopeId, payload, type, ...extra }));
    });
  }

  /**
   * Sends Slack's `disconnect` message (`reason`: `warning`, `refresh_requested`, `link_disabled`) to every
   * connection. The SDK closes and reconnects (after its reconnect delay) through `apps.connections.open`.
   */
  sendDisconnect(reason = 'refresh_requested'): void {
    for (const ws of this.sockets) {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
      }
    }
  }

  /**
   * Closes every connection with a close handshake (1001 "going away"), waiting up to `graceMs` for it, then
   * drops what is left, and resolves pending envelopes as unacknowledged.
   *
   * Bolt's `SocketModeReceiver.stop()` resolves *before* its close handshake completes, so an abrupt
   * terminate right after `app.stop()` would make the SDK log a WebSocket error and arm a 30 s timer.
   */
  async close(graceMs = 1000): Promise<void> {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve({ acked: false, payload: undefined, ackMs: performance.now() - p.sentAt });
    }
    this.pending.clear();
    for (const t of this.pingTimers.values()) clearInterval(t);
    this.pingTimers.clear();
    const sockets = [...this.sockets];
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, graceMs);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'going away');
          }),
      ),
    );
    this.sockets.length = 0;
    this.wss.close();
  }
}
