/**
 * Gateway v10 (JSON, uncompressed) over `ws`: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats,
 * RESUME with replay of missed events, intent filtering and dispatch to every live session.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { EVENT_INTENTS, Intent, PRIVILEGED_INTENTS } from './constants.js';
import type { IdentifyRecord } from './types.js';

/** What the gateway needs from the fake. */
export interface GatewayHost {
  readonly botToken: string;
  readonly privilegedIntents: boolean;
  /** READY payload without session fields (user, guild stubs, application...). */
  readyPayload(): Record<string, unknown>;
  /** Full GUILD_CREATE payloads of every guild, sent right after READY. */
  guildCreates(): Record<string, unknown>[];
}

interface BufferedEvent {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

/** A gateway session (survives its socket until invalidated, so it can be resumed). */
export interface GatewaySession {
  id: string;
  socket: WebSocket | null;
  seq: number;
  intents: number;
  /** Dispatches sent in this session, kept for RESUME replays. */
  events: BufferedEvent[];
  /** True once READY and the initial GUILD_CREATEs were written. */
  ready: boolean;
  invalidated: boolean;
}

/** Options of {@link Gateway.dispatch}. */
export interface DispatchOptions {
  /** Skip intent filtering (raw dispatches from tests). */
  raw?: boolean;
}

const HEARTBEAT_INTERVAL = 41250;
const MAX_BUFFERED_EVENTS = 2000;

/** The gateway server. Attach it to the REST server's HTTP server; it answers upgrades on `/gateway`. */
export class Gateway {
  readonly sessions: GatewaySession[] = [];
  readonly identifies: IdentifyRecord[] = [];
  /** Every payload received from clients, in order. */
  readonly received: { op: number; d: unknown; at: number }[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readyWaiters: (() => void)[] = [];
  /** Gateway URL handed out as `resume_gateway_url`; set by the fake once listening. */
  resumeUrl = '';

  constructor(
    server: Server,
    private readonly host: GatewayHost,
  ) {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!request.url?.startsWith('/gateway')) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, request));
    });
  }

  /** Whether a client is connected and past READY. */
  get connected(): boolean {
    return this.sessions.some((s) => s.ready && !s.invalidated && s.socket?.readyState === WebSocket.OPEN);
  }

  /** Resolves once a session is READY and its GUILD_CREATEs are written (immediately if one is). */
  waitForReady(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends a dispatch to every live or resumable session whose intents allow it. */
  dispatch(event: string, data: unknown, options: DispatchOptions = {}): void {
    const needed = EVENT_INTENTS[event];
    for (const session of this.sessions) {
      if (session.invalidated) continue;
      if (!options.raw && needed !== undefined && (session.intents & needed) === 0) continue;
      this.send(session, event, data);
    }
  }

  /** Drops every connection: abruptly (like a network cut / crash), or with a close code. */
  disconnectAll(code?: number): void {
    for (const socket of this.sockets) {
      if (code === undefined) socket.terminate();
      else socket.close(code, 'Disconnected by FakeDiscord');
    }
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private send(session: GatewaySession, event: string, data: unknown): void {
    const payload: BufferedEvent = { op: 0, t: event, s: ++session.seq, d: data };
    session.events.push(payload);
    if (session.events.length > MAX_BUFFERED_EVENTS) session.events.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(payload));
  }

  private onConnection(ws: WebSocket, request: IncomingMessage): void {
    this.sockets.add(ws);
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    let session: GatewaySession | undefined;
    const sendRaw = (payload: unknown) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
    };
    ws.on('close', (code: number) => {
      this.sockets.delete(ws);
      if (session && session.socket === ws) {
        session.socket = null;
        // Like Discord: a client closing with 1000/1001 ends its session; other closes stay resumable.
        if (code === 1000 || code === 1001) session.invalidated = true;
      }
    });
    ws.on('error', () => undefined);
    if (query.get('v') !== '10') {
      ws.close(4012, 'Invalid API version');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json' || query.has('compress')) {
      ws.close(4002, 'Error while decoding payload.');
      return;
    }
    sendRaw({ op: 10, s: null, t: null, d: { heartbeat_interval: HEARTBEAT_INTERVAL, _trace: ['["fake-gateway",{"micros":0}]'] } });

    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      let payload: { op?: number; d?: any } | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
      try {
        payload = isBinary ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        payload = undefined;
      }
      if (!payload || typeof payload.op !== 'number') {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.received.push({ op: payload.op, d: payload.d, at: performance.now() });
      switch (payload.op) {
        case 1: // Heartbeat
          sendRaw({ op: 11, s: null, t: null, d: null });
          return;
        case 2: // Identify
          if (session) {
            ws.close(4005, 'Already authenticated.');
            return;
          }
          session = this.identify(ws, payload.d);
          return;
        case 6: // Resume
          if (session) {
            ws.close(4005, 'Already authenticated.');
            return;
          }
          session = this.resume(ws, payload.d);
          return;
        case 3: // Presence update
        case 4: // Voice state update
        case 8: // Request guild members
          if (!session) ws.close(4003, 'Not authenticated.');
          return;
        default:
          ws.close(4001, 'Unknown opcode.');
      }
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private identify(ws: WebSocket, d: any): GatewaySession | undefined {
    const token = String(d?.token ?? '').replace(/^Bot\s+/i, '');
    if (token !== this.host.botToken) {
      ws.close(4004, 'Authentication failed.');
      return undefined;
    }
    if (typeof d.intents !== 'number' || d.intents < 0) {
      ws.close(4013, 'Invalid intent(s).');
      return undefined;
    }
    this.identifies.push({ intents: d.intents, properties: d.properties, shard: d.shard, at: performance.now() });
    if (!this.host.privilegedIntents && (d.intents & PRIVILEGED_INTENTS) !== 0) {
      ws.close(4014, 'Disallowed intent(s).');
      return undefined;
    }
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      socket: ws,
      seq: 0,
      intents: d.intents,
      events: [],
      ready: false,
      invalidated: false,
    };
    this.sessions.push(session);
    this.send(session, 'READY', {
      ...this.host.readyPayload(),
      session_id: session.id,
      resume_gateway_url: this.resumeUrl,
      shard: Array.isArray(d.shard) ? d.shard : [0, 1],
    });
    // GUILD_CREATEs go out in a later macrotask, as they would over a real network; discord.js is
    // only reliable when READY has been fully processed first.
    setImmediate(() => {
      if ((session.intents & Intent.Guilds) !== 0) {
        for (const guild of this.host.guildCreates()) this.send(session, 'GUILD_CREATE', guild);
      }
      session.ready = true;
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const resolve of waiters) resolve();
    });
    return session;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private resume(ws: WebSocket, d: any): GatewaySession | undefined {
    const token = String(d?.token ?? '').replace(/^Bot\s+/i, '');
    const session = this.sessions.find((s) => s.id === d?.session_id && !s.invalidated);
    if (token !== this.host.botToken || !session || typeof d.seq !== 'number') {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ op: 9, s: null, t: null, d: false }));
      return undefined;
    }
    if (session.socket && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    const missed = session.events.filter((e) => e.s > d.seq);
    for (const event of missed) ws.send(JSON.stringify(event));
    this.send(session, 'RESUMED', { _trace: ['["fake-gateway",{"micros":0}]'] });
    return session;
  }
}
