/**
 * Slack's side of the OAuth v2 install flow, in front of one {@link FakeSlack} per workspace (one Slack app installed
 * in several workspaces):
 * - `GET /oauth/v2/authorize?client_id&scope&state[&redirect_uri]` is the page where a member approves the install;
 *   {@link FakeSlackOAuth.approve} plays that member, and returns where Slack sends the browser back
 *   (`<redirect URL>?code=…&state=…`).
 * - `POST /api/oauth.v2.access` exchanges the code: client id and secret by HTTP Basic auth or as parameters
 *   (`invalid_client_id`, `bad_client_secret`), the code single-use and valid for 10 minutes (`invalid_code`), the
 *   `redirect_uri` equal to the authorize request's when that one had one (`bad_redirect_uri`). The answer has OAuth v2's
 *   shape: `access_token` (the workspace's bot token), `token_type: "bot"`, `scope`, `bot_user_id`, `app_id`,
 *   `team`, `enterprise` (null outside Enterprise Grid), `is_enterprise_install`, `authed_user`.
 * - Every other `/api/<method>` goes to the workspace whose bot token the call carries (none known: `invalid_auth`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeSlack } from './fake-slack.js';
import { parseParams, readBody, sendJson, sendText } from './http.js';

const CODE_LIFETIME_MS = 10 * 60_000;

interface Grant {
  workspace: FakeSlack;
  userId: string;
  scopes: string[];
  redirectUri: string | undefined;
  issuedAt: number;
  used: boolean;
}

export class FakeSlackOAuth {
  readonly clientId = `${Date.now() % 1e10}.${Math.floor(Math.random() * 1e12)}`;
  readonly clientSecret = randomBytes(16).toString('hex');
  /** `http://127.0.0.1:PORT/api/`: SLACK_API_URL of the app installed in every workspace. */
  readonly apiUrl: string;
  readonly baseUrl: string;
  /** Calls of `oauth.v2.access`, with their error when refused. */
  readonly exchanges: Array<{ ok: boolean; error?: string }> = [];
  private readonly grants = new Map<string, Grant>();
  private now = () => Date.now();

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly workspaces: FakeSlack[],
    /** The app's Redirect URL (OAuth & Permissions), used when the authorize request names none. */
    private readonly redirectUrl: () => string,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}/`;
    this.apiUrl = `${this.baseUrl}api/`;
    server.on('request', (req, res) => {
      this.route(req, res).catch((e: unknown) => (res.headersSent ? res.destroy() : sendText(res, 500, String(e))));
    });
  }

  static async start(workspaces: FakeSlack[], redirectUrl: () => string): Promise<FakeSlackOAuth> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeSlackOAuth(server, (server.address() as AddressInfo).port, workspaces, redirectUrl);
  }

  /** Moves the clock codes expire on. */
  advanceClock(ms: number): void {
    const before = this.now;
    this.now = () => before() + ms;
  }

  /**
   * The member `userId` of `workspace` approves the install on the authorize page at `authorizeUrl` (where
   * `/slack/install` sent the browser). Returns the URL Slack redirects the browser to.
   */
  approve(authorizeUrl: string, workspace: FakeSlack, userId: string): string {
    const url = new URL(authorizeUrl);
    if (!url.href.startsWith(`${this.baseUrl}oauth/v2/authorize`)) throw new Error(`FakeSlackOAuth: not the authorize page: ${authorizeUrl}`);
    if (url.searchParams.get('client_id') !== this.clientId) throw new Error('FakeSlackOAuth: the authorize page shows "invalid client_id parameter"');
    const state = url.searchParams.get('state');
    if (!state) throw new Error('FakeSlackOAuth: no state in the authorize request');
    workspace.user(userId);
    const code = `${workspace.teamId}.${randomBytes(12).toString('hex')}`;
    const redirectUri = url.searchParams.get('redirect_uri') ?? undefined;
    this.grants.set(code, { workspace, userId, scopes: (url.searchParams.get('scope') ?? '').split(',').filter(Boolean), redirectUri, issuedAt: this.now(), used: false });
    const back = new URL(redirectUri ?? this.redirectUrl());
    back.searchParams.set('code', code);
    back.searchParams.set('state', state);
    return back.toString();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const body = await readBody(req);
    if (url.pathname === '/api/oauth.v2.access') return this.exchange(req, res, body, url);
    if (!url.pathname.startsWith('/api/')) return sendText(res, 404, 'Not Found');
    const params = await parseParams(req, body, url).catch(() => ({}) as Record<string, unknown>);
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? (typeof params.token === 'string' ? params.token : undefined);
    const workspace = this.workspaces.find((w) => w.botToken === token);
    if (!token) return sendJson(res, 200, { ok: false, error: 'not_authed' });
    if (!workspace) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
    this.forward(req, res, body, new URL(`${url.pathname.slice(5)}${url.search}`, workspace.apiUrl));
  }

  private exchange(req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): Promise<void> {
    return parseParams(req, body, url).then((params) => {
      const refuse = (error: string) => {
        this.exchanges.push({ ok: false, error });
        sendJson(res, 200, { ok: false, error });
      };
      const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
      const clientId = basicId ?? (params.client_id as string | undefined);
      const clientSecret = basicSecret ?? (params.client_secret as string | undefined);
      if (clientId !== this.clientId) return refuse('invalid_client_id');
      if (clientSecret !== this.clientSecret) return refuse('bad_client_secret');
      const code = params.code as string | undefined;
      const grant = code ? this.grants.get(code) : undefined;
      if (!grant || grant.used || this.now() - grant.issuedAt > CODE_LIFETIME_MS) return refuse('invalid_code');
      if (grant.redirectUri !== undefined && params.redirect_uri !== grant.redirectUri) return refuse('bad_redirect_uri');
      grant.used = true;
      const w = grant.workspace;
      this.exchanges.push({ ok: true });
      sendJson(res, 200, {
        ok: true,
        app_id: w.appId,
        authed_user: { id: grant.userId },
        scope: grant.scopes.join(','),
        token_type: 'bot',
        access_token: w.botToken,
        bot_user_id: w.botUserId,
        team: { id: w.teamId, name: 'Salon Test' },
        enterprise: null,
        is_enterprise_install: false,
      });
    });
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer, target: URL): void {
    const out = request(target, { method: req.method, headers: { ...req.headers, host: target.host, 'content-length': String(body.length) } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end(body);
  }
}
