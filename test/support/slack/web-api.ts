/**
 * The Web API front door (`POST /api/<method>`): token check, failure injection, recording, dispatch to
 * the method tables, and Slack's `{ ok, error }` envelope (always HTTP 200 except rate limits).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseParams, sendJson } from './http.js';
import type { SlackIdentity, SlackState } from './state.js';
import type { CallHold, DropRule, FailRule, FakeSlackChannel, FakeSlackMessage, HoldRule, RecordedCall } from './types.js';

type Json = Record<string, unknown>;

/** Thrown by method handlers: answered as `{ ok: false, error, ...extra }`. */
export class SlackApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Json = {},
  ) {
    super(error);
  }
}

/** What method handlers may use besides the state. */
export interface MethodHost {
  readonly state: SlackState;
  readonly identity: SlackIdentity;
  /** Runs `share` after the configured file-share delay (cancelled by close). */
  scheduleShare(share: () => void): void;
  /** A one-time Socket Mode URL (`ws://…/socket?ticket=…`). */
  openSocketUrl(): string;
  /** Called after the bot deleted one of its messages with `chat.delete`. */
  botDeleted(message: FakeSlackMessage): void;
  /** Upload URL for a file id (`files.getUploadURLExternal`). */
  uploadUrlFor(fileId: string): string;
}

/** Typed access to Web API arguments (form values are strings). */
export class Args {
  constructor(readonly raw: Json) {}

  str(name: string): string | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  }

  bool(name: string): boolean | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    return v === true || v === 'true' || v === '1' || v === 1;
  }

  /** A JSON-encoded form field (or a JSON body's structured value); `errorCode` when it does not parse. */
  json<T>(name: string, errorCode = 'invalid_arguments'): T | undefined {
    const v = this.raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') return v as T;
    try {
      return JSON.parse(v) as T;
    } catch {
      throw new SlackApiError(errorCode);
    }
  }
}

/** One Web API method. */
export interface MethodSpec {
  /** Which token the method accepts: the bot token (`xoxb`) or the app-level token (`xapp`). */
  token: 'bot' | 'app';
  handle(args: Args, host: MethodHost): Json | Promise<Json>;
}

export type MethodTable = Record<string, MethodSpec>;

/** Resolves a channel id (or `#name` / name, as `chat.postMessage` accepts) to a channel. */
export function findChannel(host: MethodHost, idOrName: string | undefined): FakeSlackChannel | undefined {
  if (!idOrName) return undefined;
  const byId = host.state.channels.get(idOrName);
  if (byId) return byId;
  const name = idOrName.replace(/^#/, '');
  return [...host.state.channels.values()].find((c) => c.name === name);
}

/** A channel the bot may post in, else the error Slack answers (`channel_not_found`, `is_archived`, `not_in_channel`). */
export function postableChannel(host: MethodHost, idOrName: string | undefined): FakeSlackChannel {
  const c = findChannel(host, idOrName);
  if (!c) throw new SlackApiError('channel_not_found');
  if (c.archived) throw new SlackApiError('is_archived');
  if (!c.botIsMember) throw new SlackApiError(c.isPrivate ? 'channel_not_found' : 'not_in_channel');
  return c;
}

const JSON_FIELDS = ['blocks', 'attachments', 'files', 'metadata'];

function recordedArgs(params: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'token') continue;
    if (JSON_FIELDS.includes(k) && typeof v === 'string') {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // keep the raw string
      }
    }
    out[k] = v;
  }
  return out;
}

interface ActiveRule extends FailRule {
  remaining: number;
}

interface ActiveDrop extends DropRule {
  remaining: number;
}

interface ActiveHold extends HoldRule {
  remaining: number;
  released: boolean;
  gate: Promise<void>;
  onArrive(call: RecordedCall): void;
}

/** Serves `/api/<method>`. */
export class WebApi {
  readonly calls: RecordedCall[] = [];
  private readonly rules: ActiveRule[] = [];
  private holds: ActiveHold[] = [];
  private readonly drops: ActiveDrop[] = [];
  /** Answers that will never come (`hang`), closed when the fake closes. */
  private readonly hanging = new Set<ServerResponse>();
  private readonly methods: MethodTable;
  /** The bot token was revoked (the app uninstalled): Slack answers `token_revoked` to it from then on. */
  private botRevoked = false;

  constructor(
    private readonly host: MethodHost,
    private readonly tokens: { bot: string; app: string },
    ...tables: MethodTable[]
  ) {
    this.methods = Object.assign({}, ...tables) as MethodTable;
  }

  revokeBotToken(): void {
    this.botRevoked = true;
  }

  fail(rule: FailRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
  }

  clearFailures(): void {
    this.rules.length = 0;
  }

  drop(rule: DropRule): void {
    this.drops.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** Closes the connections of answers that were never sent (`hang`). */
  closeHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  hold(rule: HoldRule): CallHold {
    let open!: () => void;
    let onArrive!: (call: RecordedCall) => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const arrived = new Promise<RecordedCall>((resolve) => (onArrive = resolve));
    const active: ActiveHold = { ...rule, remaining: rule.times ?? 1, released: false, gate, onArrive };
    this.holds.push(active);
    return {
      arrived,
      release: () => {
        active.released = true;
        this.holds = this.holds.filter((h) => h !== active);
        open();
      },
    };
  }

  /** Waits for the hold's release; false when the client went away first (the call is then dropped). */
  private wait(hold: ActiveHold, record: RecordedCall, res: ServerResponse): Promise<boolean> {
    hold.onArrive(record);
    if (hold.released) return Promise.resolve(!res.destroyed);
    const closed = new Promise<false>((resolve) => res.once('close', () => resolve(false)));
    return Promise.race([hold.gate.then(() => !res.destroyed), closed]);
  }

  async handle(req: IncomingMessage, res: ServerResponse, method: string, body: Buffer, url: URL): Promise<void> {
    const at = performance.now();
    let params: Json;
    try {
      params = await parseParams(req, body, url);
    } catch {
      params = {};
    }
    const token = bearer(req) ?? (typeof params.token === 'string' ? params.token : undefined);
    const tokenType: RecordedCall['tokenType'] =
      token === undefined ? 'none' : token === this.tokens.bot ? 'bot' : token === this.tokens.app ? 'app' : 'invalid';
    const record: RecordedCall = { method, args: recordedArgs(params), at, tokenType, ok: true, status: 200 };
    this.calls.push(record);

    let drop: ActiveDrop | undefined;
    const reply = (status: number, json: Json, headers: Record<string, string> = {}) => {
      record.ok = json.ok === true;
      if (typeof json.error === 'string') record.error = json.error;
      record.status = status;
      if (drop) return this.dropAnswer(drop, record, res);
      sendJson(res, status, json, headers);
    };

    const rule = this.rules.find((r) => r.remaining > 0 && (r.method === method || r.method === '*') && argsMatch(r.where, params));
    if (rule) {
      rule.remaining -= 1;
      const status = rule.status ?? (rule.error === 'ratelimited' ? 429 : 200);
      if (status === 429) {
        reply(429, { ok: false, error: rule.error ?? 'ratelimited' }, { 'retry-after': String(rule.retryAfterSeconds ?? 1) });
      } else {
        reply(status, { ok: false, error: rule.error ?? (status === 200 ? 'internal_error' : 'fatal_error') });
      }
      return;
    }

    drop = this.drops.find((d) => d.remaining > 0 && (d.method === method || d.method === '*'));
    if (drop) drop.remaining -= 1;

    const hold = this.holds.find((h) => h.remaining > 0 && !h.released && (h.method === method || h.method === '*'));
    if (hold) hold.remaining -= 1;
    if (hold?.phase === 'before' && !(await this.wait(hold, record, res))) return;
    const afterHold = async (): Promise<boolean> => hold?.phase !== 'after' || this.wait(hold, record, res);

    const spec = this.methods[method];
    if (!spec) {
      reply(200, { ok: false, error: 'unknown_method', req_method: method });
      return;
    }
    if (tokenType === 'none') return reply(200, { ok: false, error: 'not_authed' });
    if (tokenType === 'invalid') return reply(200, { ok: false, error: 'invalid_auth' });
    if (tokenType === 'bot' && this.botRevoked) return reply(200, { ok: false, error: 'token_revoked' });
    if (tokenType !== spec.token) return reply(200, { ok: false, error: 'not_allowed_token_type' });

    try {
      const result = await spec.handle(new Args(params), this.host);
      if (await afterHold()) reply(200, { ok: true, ...result }, this.scopeHeaders(tokenType));
    } catch (e) {
      if (!(await afterHold())) return;
      if (e instanceof SlackApiError) reply(200, { ok: false, error: e.error, ...e.extra });
      else reply(200, { ok: false, error: 'internal_error', detail: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The call was carried out; its answer is lost on the way back. */
  private dropAnswer(drop: ActiveDrop, record: RecordedCall, res: ServerResponse): void {
    record.dropped = drop.how ?? 'destroy';
    if (record.dropped === 'destroy') res.destroy();
    else {
      this.hanging.add(res);
      res.once('close', () => this.hanging.delete(res));
    }
  }

  private scopeHeaders(tokenType: RecordedCall['tokenType']): Record<string, string> {
    if (tokenType === 'app') return { 'x-oauth-scopes': 'connections:write' };
    return {
      'x-oauth-scopes':
        'commands,chat:write,files:write,files:read,reactions:read,reactions:write,users:read,channels:read,groups:read,channels:history,groups:history',
    };
  }
}

/** True when every argument named in `where` has that value in the call. */
function argsMatch(where: Record<string, string> | undefined, params: Json): boolean {
  return Object.entries(where ?? {}).every(([name, value]) => String(params[name]) === value);
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1] : undefined;
}
