/**
 * REST API v10 over node:http: body parsing (JSON and multipart), Bot-token auth, failure injection,
 * request recording, routing, and Discord-shaped errors. The routes live in `routes-*.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CommandStore } from './commands.js';
import { DiscordHttpError, Errors } from './errors.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import type { DiscordState } from './state.js';
import type { FailureRule, FakeAttachment, HoldRule, RecordedRequest, RequestHold } from './types.js';

/** A file part of a multipart request (`files[n]`). */
export interface UploadedFile {
  /** n of `files[n]` (or the position when the field name has no index). */
  index: number;
  field: string;
  filename: string;
  contentType?: string;
  data: Buffer;
}

/** What a route handler receives. */
export interface RouteRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  files: UploadedFile[];
}

/** What a route handler returns; a 204 is sent without body or content type. */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Shared services for route handlers. */
export interface RestContext {
  readonly state: DiscordState;
  readonly commands: CommandStore;
  readonly botToken: string;
  /** `http://127.0.0.1:PORT` */
  readonly baseUrl: string;
  /** `ws://127.0.0.1:PORT/gateway` */
  readonly gatewayUrl: string;
  readonly interactionDeadlineMs: number;
  /** How long an enforced nonce dedupes (0: never). */
  readonly nonceWindowMs: number;
  /** Whether the app has the Message Content intent (content of others' messages is visible). */
  readonly messageContent: boolean;
  /** Uploaded files by attachment id (served at `/attachments/...`). */
  readonly files: Map<string, FakeAttachment>;
  /** Dispatches a gateway event caused by the bot's own REST call (not replayable). */
  echo(event: string, data: unknown): void;
  /** What `GET /gateway/bot` tells: the recommended shard count and `session_start_limit.max_concurrency`. */
  gatewayBot(): { shards: number; maxConcurrency: number };
}

/** A route: `path` segments starting with `:` are parameters. */
export interface Route {
  method: string;
  path: string;
  /** Whether `Authorization: Bot <token>` is required (default true). */
  auth?: boolean;
  handler(request: RouteRequest, context: RestContext): RouteResult | Promise<RouteResult>;
}

interface ActiveFailure extends FailureRule {
  remaining: number;
}

interface ActiveHold extends HoldRule {
  remaining: number;
  released: boolean;
  gate: Promise<void>;
  open(): void;
  onArrive(request: RecordedRequest): void;
}

const API_PREFIX = '/api/v10';

/**
 * The path's segments, each percent-decoded as Discord decodes them. Empty segments are kept: `/reactions/` is not
 * `/reactions`, and an emoji sent unencoded with a `#` in it (a keycap) arrives as `/reactions/` — the client cut
 * everything from the `#` on as the URL's fragment, query included — and matches no route, as on Discord.
 */
function splitPath(path: string): string[] | undefined {
  try {
    return path.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function match(route: Route, segments: string[]): Record<string, string> | undefined {
  const parts = route.path.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      params[part.slice(1)] = segment;
    } else if (part !== segment) return undefined;
  }
  return params;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The REST half of the fake. */
export class RestServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests no route matched (answered 404). */
  readonly unhandled: { method: string; path: string; query: URLSearchParams; body: unknown }[] = [];
  private failures: ActiveFailure[] = [];
  private holds: ActiveHold[] = [];

  constructor(
    private readonly context: RestContext,
    private readonly routes: Route[],
  ) {}

  /** Queues an injected failure. */
  fail(rule: FailureRule): void {
    this.failures.push({ ...rule, remaining: rule.times ?? 1 });
  }

  /** Forgets every injected failure not used yet. */
  clearFailures(): void {
    this.failures = [];
  }

  /** Holds the next matching requests until released (see {@link HoldRule}). */
  hold(rule: HoldRule): RequestHold {
    let open!: () => void;
    let onArrive!: (request: RecordedRequest) => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const arrived = new Promise<RecordedRequest>((resolve) => (onArrive = resolve));
    const active: ActiveHold = { ...rule, remaining: rule.times ?? 1, released: false, gate, open, onArrive };
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

  /** Waits for the hold's release; false when the client went away first (the request is then dropped). */
  private async wait(hold: ActiveHold, record: RecordedRequest, res: ServerResponse): Promise<boolean> {
    hold.onArrive(record);
    if (hold.released) return !res.destroyed;
    const closed = new Promise<false>((resolve) => res.once('close', () => resolve(false)));
    return Promise.race([hold.gate.then(() => !res.destroyed), closed]);
  }

  /** Node request listener. */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.process(req, res).catch((error: unknown) => {
      if (!res.headersSent) this.send(res, { status: 500, body: { message: String(error), code: 0 } });
      else res.destroy();
    });
  };

  private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);

    if (url.pathname.startsWith('/attachments/')) {
      this.serveAttachment(url.pathname, res);
      return;
    }
    const rawPath = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : undefined;
    const segments = rawPath === undefined ? undefined : splitPath(rawPath);
    const path = segments ? `/${segments.join('/')}` : url.pathname;
    const record: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      body: undefined,
      files: [],
      authorized: req.headers.authorization === `Bot ${this.context.botToken}`,
      at,
    };
    this.requests.push(record);

    let body: unknown;
    let files: UploadedFile[] = [];
    try {
      ({ body, files } = this.parseBody(req, raw));
    } catch (error) {
      this.reply(res, record, error);
      return;
    }
    record.body = body;
    record.files = files.map((f) => ({ field: f.field, filename: f.filename, contentType: f.contentType ?? '', size: f.data.length }));

    const failure = this.failures.find(
      (f) => f.remaining > 0 && (f.method === '*' || f.method.toUpperCase() === method) && f.pathPattern.test(path),
    );
    if (failure) {
      failure.remaining--;
      this.failures = this.failures.filter((f) => f.remaining > 0);
      const headers: Record<string, string> = { ...(failure.headers ?? {}) };
      let failureBody = failure.body;
      if (failure.status === 429) {
        const retryAfter = Number(headers['retry-after'] ?? headers['Retry-After'] ?? 0);
        failureBody ??= { message: 'You are being rate limited.', retry_after: retryAfter, global: false };
        headers['x-ratelimit-scope'] ??= 'user';
      }
      failureBody ??= { message: failure.status >= 500 ? `${failure.status}: Internal Server Error` : 'Injected failure', code: 0 };
      record.status = failure.status;
      this.send(res, { status: failure.status, body: failureBody, headers });
      return;
    }

    const hold = this.holds.find(
      (h) => h.remaining > 0 && !h.released && (h.method === '*' || h.method.toUpperCase() === method) && h.pathPattern.test(path),
    );
    if (hold) hold.remaining--;
    if (hold?.phase === 'before' && !(await this.wait(hold, record, res))) return;

    if (!segments) {
      this.unhandled.push({ method, path, query: url.searchParams, body });
      this.reply(res, record, Errors.notFound());
      return;
    }
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      if (route.auth !== false && !record.authorized) {
        this.reply(res, record, Errors.unauthorized());
        return;
      }
      try {
        const result = await route.handler({ method, path, params, query: url.searchParams, body, files }, this.context);
        record.status = result.status;
        if (hold?.phase === 'after' && !(await this.wait(hold, record, res))) return;
        this.send(res, result);
      } catch (error) {
        this.reply(res, record, error);
      }
      return;
    }
    if (pathMatched) {
      this.reply(res, record, Errors.methodNotAllowed());
      return;
    }
    this.unhandled.push({ method, path, query: url.searchParams, body });
    this.reply(res, record, Errors.notFound());
  }

  private parseBody(req: IncomingMessage, raw: Buffer): { body: unknown; files: UploadedFile[] } {
    if (raw.length === 0) return { body: undefined, files: [] };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const boundary = boundaryOf(type);
      if (!boundary) throw Errors.badRequest();
      let body: unknown;
      const files: UploadedFile[] = [];
      for (const part of parseMultipart(raw, boundary)) {
        if (part.name === 'payload_json') {
          body = this.parseJson(part.data);
        } else if (part.filename !== undefined) {
          const index = /\[(\d+)\]$/.exec(part.name)?.[1];
          files.push({
            index: index === undefined ? files.length : Number(index),
            field: part.name,
            filename: part.filename,
            contentType: part.contentType,
            data: part.data,
          });
        }
      }
      return { body, files };
    }
    return { body: this.parseJson(raw), files: [] };
  }

  private parseJson(data: Buffer): unknown {
    try {
      return JSON.parse(data.toString('utf8'));
    } catch {
      throw new DiscordHttpError(400, 50109, 'The request body contains invalid JSON.');
    }
  }

  private serveAttachment(pathname: string, res: ServerResponse): void {
    const id = pathname.split('/')[3];
    const file = id ? this.context.files.get(id) : undefined;
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
    res.end(file.bytes);
  }

  private reply(res: ServerResponse, record: RecordedRequest, error: unknown): void {
    if (error instanceof DiscordHttpError) {
      record.status = error.status;
      this.send(res, { status: error.status, body: error.toBody() });
      return;
    }
    record.status = 500;
    this.send(res, { status: 500, body: { message: `500: Internal Server Error (${String(error)})`, code: 0 } });
  }

  private send(res: ServerResponse, result: RouteResult): void {
    if (result.status === 204) {
      // No JSON content type on a 204: @discordjs/rest would try to parse the empty body.
      res.writeHead(204, result.headers ?? {});
      res.end();
      return;
    }
    const text = JSON.stringify(result.body ?? null);
    res.writeHead(result.status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...(result.headers ?? {}),
    });
    res.end(text);
  }
}
