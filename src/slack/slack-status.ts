/**
 * The `/imagine` status message, written through the slash command's `response_url`. Slack takes a response_url 5
 * times within 30 minutes and refuses it after that (HTTP 404, `used_url` / `expired_url`), so Salon counts its own
 * uses: the states on the way (queued, generating) may take 4 of them, and the last is kept for the outcome. When the
 * URL is spent or expired all the same (another process used it, or the creation took longer than 30 minutes), states
 * on the way are dropped and the outcome (posted, failed and refunded, cancelled) reaches the member as an ephemeral
 * message (`chat.postEphemeral`, scope chat:write) in the channel where they asked.
 */
import type { Clock, JobStatus, Logger } from "../core/ports.js";
import { post, REQUEST_TIMEOUT_MS, type SlackClients } from "./slack-clients.js";
import { statusBody } from "./slack-render.js";

/**
 * What a creation's `statusRef` holds on Slack. Refs stored before `channelId`, `userId` and `issuedAt` existed hold
 * only the URL: they still work while the URL does, and there is then no other way to reach the member.
 */
export interface SlackStatusRef {
  responseUrl: string;
  /** Where the member ran the command (for the ephemeral fallback). */
  channelId?: string;
  userId?: string;
  /** When Slack issued the URL (epoch ms): it expires 30 minutes later. */
  issuedAt?: number;
  /** The workspace, whose token the ephemeral fallback uses (refs stored before many workspaces have none). */
  teamId?: string;
  /**
   * The URL is a message shortcut's (a remix): `replace_original` would replace the gallery post the shortcut was used
   * on, so each state is a new ephemeral, and of the states on the way only "queued" is sent.
   */
  appendOnly?: boolean;
}

/** Posts a response_url takes, and how long it lives. */
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
/** A post sent this close to the end of the 30 minutes might arrive after it: treated as expired. */
const EXPIRY_MARGIN_MS = 30_000;
/** URLs whose uses are counted at most; they expire within 30 minutes anyway. */
const MAX_COUNTED = 10_000;

const FINAL: ReadonlySet<JobStatus["state"]> = new Set(["posted", "failed", "cancelled"]);

interface Uses {
  used: number;
  expiresAt: number;
}

/** The statusRef for a slash command's response URL, issued now. */
export function statusRefFor(command: { response_url: string; channel_id: string; user_id: string; team_id: string }, clock: Clock): string {
  const ref: SlackStatusRef = { responseUrl: command.response_url, channelId: command.channel_id, userId: command.user_id, issuedAt: clock.now().getTime(), teamId: command.team_id };
  return JSON.stringify(ref);
}

/** Posts `body` to a response URL: `ok`, or the HTTP status Slack refused it with. */
export async function postToResponseUrl(responseUrl: string, body: object): Promise<"ok" | number> {
  const response = await fetch(responseUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  return response.ok ? "ok" : response.status;
}

export class SlackStatusMessages {
  /** Uses of each response URL this process wrote to, in order of first use. */
  private readonly uses = new Map<string, Uses>();

  constructor(
    private readonly web: SlackClients,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** URLs whose uses are being counted (bounded: forgotten at the outcome, at expiry, and past a limit). */
  get counted(): number {
    return this.uses.size;
  }

  async update(statusRef: string, status: JobStatus): Promise<void> {
    const ref = JSON.parse(statusRef) as SlackStatusRef;
    const final = FINAL.has(status.state);
    const log = this.logger.child({ state: status.state, creationId: status.creationId });
    if (ref.appendOnly && status.state === "generating") return;
    if (this.take(ref, status.state)) {
      const answer = await postToResponseUrl(ref.responseUrl, { response_type: "ephemeral", replace_original: !ref.appendOnly, ...statusBody(status) }).catch((error: unknown) => {
        log.warn({ err: error }, "could not write the status message");
        return null;
      });
      if (answer === "ok") return;
      if (answer === 404) {
        log.info({}, "Slack refused the response URL (spent or expired)");
        this.spent(ref.responseUrl);
      }
    }
    if (!final) return; // a state on the way: the outcome will say more
    await this.tellDirectly(ref, status, log);
  }

  /**
   * Counts one use of the URL if it has one to give: the outcome may take the last, a state on the way all but the
   * last. The outcome ends the count.
   */
  private take(ref: SlackStatusRef, state: JobStatus["state"]): boolean {
    const final = FINAL.has(state);
    const now = this.clock.now().getTime();
    this.prune(now);
    let uses = this.uses.get(ref.responseUrl);
    if (!uses) {
      // An old ref does not say when it was issued: assume now; Slack's refusal tells otherwise. A URL first met past
      // "queued" was written by whichever process queued the job (a gateway, when roles are split): that use counts.
      uses = { used: state === "queued" ? 0 : 1, expiresAt: (ref.issuedAt ?? now) + RESPONSE_URL_LIFETIME_MS - EXPIRY_MARGIN_MS };
      this.uses.set(ref.responseUrl, uses);
    }
    if (final) this.uses.delete(ref.responseUrl);
    if (now >= uses.expiresAt) return false;
    if (uses.used >= (final ? RESPONSE_URL_USES : RESPONSE_URL_USES - 1)) return false;
    uses.used++;
    return true;
  }

  /** Slack refused the URL: nothing more is sent to it. */
  private spent(responseUrl: string): void {
    const uses = this.uses.get(responseUrl);
    if (uses) uses.used = RESPONSE_URL_USES;
  }

  private prune(now: number): void {
    for (const [url, uses] of this.uses) {
      if (this.uses.size <= MAX_COUNTED && now < uses.expiresAt) break;
      this.uses.delete(url);
    }
  }

  /** The outcome as an ephemeral message to the member, in the channel where they ran the command. */
  private async tellDirectly(ref: SlackStatusRef, status: JobStatus, log: Logger): Promise<void> {
    if (!ref.channelId || !ref.userId) {
      log.warn({}, "the response URL is spent and this status message predates the ephemeral fallback: the member is not told");
      return;
    }
    const { channelId, userId } = ref;
    const { text } = statusBody(status);
    try {
      await post(this.clock, () => this.web.postClient.chat.postEphemeral({ channel: channelId, user: userId, text }));
      log.info({ channelId }, "told the member the outcome with an ephemeral message");
    } catch (error) {
      log.warn({ err: error, channelId }, "could not tell the member the outcome");
    }
  }
}
