/**
 * `response_url`s handed out with slash commands and button clicks, served by the fake. JSON posts are
 * recorded on the handle and applied like Slack does:
 * - `delete_original: true` deletes the message the button was on (or the ephemeral);
 * - `replace_original: true` replaces that message's text/blocks (or the ephemeral's);
 * - otherwise `response_type: "in_channel"` posts a channel message as the bot, anything else an ephemeral
 *   for the invoking user.
 *
 * A response_url takes 5 posts within 30 minutes of being issued, as Slack documents ("You can use a response_url five
 * times within 30 minutes"). Past that Slack refuses the post with HTTP 404: `used_url` after the fifth post,
 * `expired_url` after 30 minutes, and nothing is shown. Only accepted posts count as uses. Time is Slack's clock
 * (`FakeSlack.advanceClock`), so a test moves past the 30 minutes without waiting them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { blockProblems, withBlockIds } from './blocks.js';
import { sendJson, sendText } from './http.js';
import { hexSecret } from './ids.js';
import type { SlackState } from './state.js';
import type { ResponseUrlPost } from './types.js';

/** Where a response_url's posts go. */
export interface ResponseTarget {
  kind: 'commands' | 'actions';
  /** When it was issued, on Slack's clock (epoch ms). */
  issuedAt: number;
  channelId: string;
  userId: string;
  /** Button clicks: the message the button was on. */
  messageTs?: string;
  isEphemeral?: boolean;
  /** The last message/ephemeral this response_url created (what a later `replace_original` replaces). */
  last?: { ts: string; isEphemeral: boolean };
  readonly posts: ResponseUrlPost[];
  /** Posts Slack refused because the URL was spent or expired, in order. */
  readonly refused: Array<'expired_url' | 'used_url'>;
}

/** Posts a response_url takes. */
export const RESPONSE_URL_USES = 5;
/** How long a response_url lives. */
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

export class ResponseUrls {
  private readonly targets = new Map<string, ResponseTarget>();
  private seq = 1_000_000_000;

  constructor(
    private readonly state: SlackState,
    private readonly baseUrl: string,
  ) {}

  /** A fresh response_url (`…/commands/T…/<n>/<secret>`) and its record. */
  create(t: Omit<ResponseTarget, 'posts' | 'refused' | 'issuedAt'>): { url: string; target: ResponseTarget } {
    this.seq += 1;
    const path = `/${t.kind}/${this.state.identity.teamId}/${this.seq}/${hexSecret(12)}`;
    const target: ResponseTarget = { ...t, issuedAt: this.state.ids.now(), posts: [], refused: [] };
    this.targets.set(path, target);
    return { url: `${this.baseUrl}${path.slice(1)}`, target };
  }

  /** True when `pathname` is a response_url path (whether known or not). */
  static matches(pathname: string): boolean {
    return /^\/(commands|actions)\//.test(pathname);
  }

  handle(pathname: string, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const target = this.targets.get(pathname);
    if (!target) return sendText(res, 404, 'expired_url');
    if (req.method !== 'POST') return sendText(res, 405, 'method_not_allowed');
    if (this.state.ids.now() - target.issuedAt >= RESPONSE_URL_LIFETIME_MS) return this.refuse(target, res, 'expired_url');
    if (target.posts.length >= RESPONSE_URL_USES) return this.refuse(target, res, 'used_url');
    let json: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      json = parsed as Record<string, unknown>;
    } catch {
      return sendText(res, 400, 'invalid_payload');
    }
    const text = typeof json.text === 'string' ? json.text : '';
    const blocks = Array.isArray(json.blocks) ? json.blocks : undefined;
    const deleteOriginal = json.delete_original === true || json.delete_original === 'true';
    const replaceOriginal = json.replace_original === true || json.replace_original === 'true';
    if (!deleteOriginal && !text && !blocks?.length) return sendText(res, 400, 'no_text');
    if (blocks && blockProblems(blocks).length > 0) return sendText(res, 400, 'invalid_blocks');
    const post: ResponseUrlPost = {
      at: performance.now(),
      body: json,
      responseType: json.response_type === 'in_channel' ? 'in_channel' : 'ephemeral',
      text,
      ...(blocks ? { blocks } : {}),
      replaceOriginal,
      deleteOriginal,
    };
    target.posts.push(post);
    this.apply(target, post);
    this.state.notify();
    sendJson(res, 200, { ok: true });
  }

  private refuse(target: ResponseTarget, res: ServerResponse, error: 'expired_url' | 'used_url'): void {
    target.refused.push(error);
    sendText(res, 404, error);
    this.state.notify();
  }

  private apply(target: ResponseTarget, post: ResponseUrlPost): void {
    const { state } = this;
    const blocks = post.blocks ? withBlockIds(post.blocks) : undefined;
    // The original is the message the button was on; for a slash command, the last response this URL posted.
    const original = target.messageTs ? { ts: target.messageTs, isEphemeral: target.isEphemeral ?? false } : target.last;
    if ((post.deleteOriginal || post.replaceOriginal) && original) {
      if (original.isEphemeral) {
        const eph = state.ephemerals.find((e) => e.ts === original.ts && e.channel === target.channelId);
        if (eph && post.deleteOriginal) eph.deleted = true;
        else if (eph) {
          eph.text = post.text;
          if (blocks) eph.blocks = blocks;
          else delete eph.blocks;
          eph.replaced = true;
        }
      } else {
        const m = state.message(target.channelId, original.ts);
        if (m && post.deleteOriginal) m.deleted = true;
        else if (m) {
          m.text = post.text;
          if (blocks) m.blocks = blocks;
          else delete m.blocks;
          m.edited = { user: state.identity.botUserId, ts: state.ids.ts() };
        }
      }
      return;
    }
    if (post.deleteOriginal) return;
    if (post.responseType === 'in_channel') {
      const m = state.appendMessage({
        channel: target.channelId,
        text: post.text,
        ...(blocks ? { blocks } : {}),
        user: state.identity.botUserId,
        botId: state.identity.botId,
        source: 'response_url',
      });
      target.last = { ts: m.ts, isEphemeral: false };
    } else {
      const eph = state.addEphemeral({
        channel: target.channelId,
        user: target.userId,
        text: post.text,
        ...(blocks ? { blocks } : {}),
        source: 'response_url',
      });
      target.last = { ts: eph.ts, isEphemeral: true };
    }
  }
}
