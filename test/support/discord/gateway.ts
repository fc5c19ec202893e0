/**
 * Gateway v10 (JSON, uncompressed) over `ws`: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats,
 * RESUME with replay of missed events, intent filtering, and sharding as Discord documents it: IDENTIFY carries
 * `shard: [shard_id, num_shards]` (4010 Invalid shard when it is wrong; 4011 Sharding required when the session would
 * hold more guilds than a shard may), each guild's events go only to the session of its shard
 * (`(guild_id >> 22) % num_shards`; DMs to shard 0), and a bucket (`shard_id % max_concurrency`) identifies at most
 * once per 5 seconds: a faster IDENTIFY is answered with Invalid Session (opcode 9, `d: false`).
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
  /** `session_start_limit.max_concurrency`: identifies allowed per 5 seconds, one per bucket. */
  readonly maxConcurrency: number;
  /** The most guilds one session may hold before Discord closes it with 4011 (Discord: 2,500). */
  readonly maxGuildsPerShard: number;
  /** Ids of every guild the bot is in. */
  guildIds(): string[];
  /** READY payload without session fields (user, guild stubs of the shard's guilds, application...). */
  readyPayload(holds: (guildId: string) => boolean): Record<string, unknown>;
  /** Full GUILD_CREATE payloads of the shard's guilds, sent right after READY. */
  guildCreates(holds: (guildId: string) => boolean): Record<string, unknown>[];
}

/** The shard of a guild among `count` (Discord: `(guild_id >> 22) % num_shards`). */
export function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** Discord's identify window per bucket. */
const IDENTIFY_WINDOW_MS = 5000;

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
  /** `[shard_id, num_shards]` of its IDENTIFY (`[0, 1]` when it sent none). */
  shard: [number, number];
}

/** An IDENTIFY answered with Invalid Session because its bucket had identified less than 5 s before. */
export interface RefusedIdentify {
  shard: [number, number];
  bucket: number;
  /** performance.now() of the refusal, and of the bucket's identify it came too soon after. */
  at: number;
  previousAt: number;
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
  readonly refusedIdentifies: RefusedIdentify[] = [];
  /** performance.now() of each bucket's last accepted IDENTIFY. */
  private readonly bucketIdentifiedAt = new Map<number, number>();
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

  /** Sends a dispatch to every live or resumable session of the event's shard whose intents allow it. */
  dispatch(event: string, data: unknown, options: DispatchOptions = {}): void {
    const needed = EVENT_INTENTS[event];
    const guildId = guildOfEvent(event, data);
    for (const session of this.sessions) {
      if (session.invalidated) continue;
      if (!options.raw && needed !== undefined && (session.intents & needed) === 0) continue;
      const [shardId, count] = session.shard;
      if ((guildId === undefined ? 0 : shardOf(guildId, count)) !== shardId) continue;
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
    const shard = validShard(d.shard);
    if (!shard) {
      ws.close(4010, 'Invalid shard.');
      return undefined;
    }
    const holds = (guildId: string) => shardOf(guildId, shard[1]) === shard[0];
    if (this.host.guildIds().filter(holds).length > this.host.maxGuildsPerShard) {
      ws.close(4011, 'Sharding required.');
      return undefined;
    }
    const bucket = shard[0] % this.host.maxConcurrency;
    const now = performance.now();
    const previousAt = this.bucketIdentifiedAt.get(bucket);
    if (previousAt !== undefined && now - previousAt < IDENTIFY_WINDOW_MS) {
      this.refusedIdentifies.push({ shard, bucket, at: now, previousAt });
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ op: 9, s: null, t: null, d: false }));
      return undefined;
    }
    this.bucketIdentifiedAt.set(bucket, now);
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      socket: ws,
      seq: 0,
      intents: d.intents,
      events: [],
      ready: false,
      invalidated: false,
      shard,
    };
    this.sessions.push(session);
    this.send(session, 'READY', {
      ...this.host.readyPayload(holds),
      session_id: session.id,
      resume_gateway_url: this.resumeUrl,
      shard,
    });
    // GUILD_CREATEs go out in a later macrotask, as they would over a real network; discord.js is
    // only reliable when READY has been fully processed first.
    setImmediate(() => {
      if ((session.intents & Intent.Guilds) !== 0) {
        for (const guild of this.host.guildCreates(holds)) this.send(session, 'GUILD_CREATE', guild);
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

/** `[shard_id, num_shards]` of an IDENTIFY (`[0, 1]` when absent), or null when it is not a valid pair. */
function validShard(shard: unknown): [number, number] | null {
  if (shard === undefined || shard === null) return [0, 1];
  if (!Array.isArray(shard) || shard.length !== 2 || !shard.every((n) => Number.isInteger(n))) return null;
  const [id, count] = shard as [number, number];
  return count >= 1 && id >= 0 && id < count ? [id, count] : null;
}

/** The guild an event belongs to: `id` for the guild's own events, `guild_id` for the rest; none for DMs. */
function guildOfEvent(event: string, data: unknown): string | undefined {
  const d = (data ?? {}) as { id?: unknown; guild_id?: unknown };
  const id = event === 'GUILD_CREATE' || event === 'GUILD_UPDATE' || event === 'GUILD_DELETE' ? d.id : d.guild_id;
  return typeof id === 'string' ? id : undefined;
}
