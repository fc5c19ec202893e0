/**
 * The member's status message of `/imagine`: the deferred interaction reply, edited with the interaction token. That
 * token lives 15 minutes (Discord then refuses it: 401 `50027 Invalid Webhook Token`), and a job can take longer (a
 * long queue, rate limits, retries). Past it, the final outcome — posted with its link, or failed with the reason and
 * the refund — still reaches the member: an ordinary message with the bot token in the channel where they ran
 * `/imagine`, mentioning (and pinging) only them, or a DM when that channel refuses. Earlier states (queued, generating)
 * are dropped then: they are news only while the member watches the status message.
 */
import { DiscordAPIError, type REST } from "discord.js";
import { Routes, type APIChannel } from "discord-api-types/v10";
import type { Clock, JobStatus, Logger } from "../core/ports.js";
import { withPreview } from "./preview-attachment.js";
import { outcomeMessage, statusMessage, type FinalStatus } from "./render.js";

/** What the adapter stores as a creation's `statusRef`. */
export interface DiscordStatusRef {
  applicationId: string;
  /** The interaction token: a credential for the status message, never logged. */
  token: string;
  /** Where the member ran `/imagine`: where they are told once the token is spent. Absent in older statusRefs. */
  channelId?: string;
  /** The member. Absent in older statusRefs. */
  userId?: string;
  /**
   * When Salon received the interaction, on its own clock (epoch ms), within Discord's 3 seconds of creating it: the
   * token is known dead 15 minutes after. Absent in older statusRefs, whose death only Discord's refusal tells.
   */
  receivedAt?: number;
}

/** The statusRef of an interaction received now: its token edits the interaction's reply for 15 minutes. */
export function statusRefOf(interaction: { applicationId: string; token: string; channelId: string; user: { id: string } }, receivedAt: number): string {
  const ref: DiscordStatusRef = { applicationId: interaction.applicationId, token: interaction.token, channelId: interaction.channelId, userId: interaction.user.id, receivedAt };
  return JSON.stringify(ref);
}

/** Discord's documented lifetime of an interaction token. */
export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;

/**
 * Refusals that mean the status message can't be edited any more: the token expired (50027), a token Discord no longer
 * knows (10015), or the message is gone (10008: the member dismissed it).
 */
const STATUS_MESSAGE_GONE = new Set([50027, 10015, 10008]);

/** Creations whose final outcome is remembered, to tell it once however often it is sent (the oldest are forgotten). */
const FINALS_REMEMBERED = 1_000;

const isFinal = (status: JobStatus): status is FinalStatus => status.state === "posted" || status.state === "failed";

/** A stored statusRef, or null when it is not one (a hand-edited row, another platform's). */
export function parseStatusRef(statusRef: string): DiscordStatusRef | null {
  let ref: unknown;
  try {
    ref = JSON.parse(statusRef);
  } catch {
    return null;
  }
  if (typeof ref !== "object" || ref === null) return null;
  const { applicationId, token, channelId, userId, receivedAt } = ref as Record<string, unknown>;
  if (typeof applicationId !== "string" || typeof token !== "string") return null;
  return {
    applicationId,
    token,
    ...(typeof channelId === "string" && typeof userId === "string" ? { channelId, userId } : {}),
    ...(typeof receivedAt === "number" ? { receivedAt } : {}),
  };
}

export class StatusMessages {
  /**
   * Per creation, whether its final outcome has reached the member. A later final waits for the one before it and
   * is sent only if that one did not get through: the core may say "posted" twice, the member hears it once.
   */
  private readonly finals = new Map<number, Promise<boolean>>();

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  async update(statusRef: string, status: JobStatus): Promise<void> {
    const ref = parseStatusRef(statusRef);
    if (!ref) {
      this.logger.warn({ state: status.state, creationId: status.creationId }, "the creation's statusRef is not Discord's; its status is not shown");
      return;
    }
    if (!isFinal(status)) {
      if (!this.expired(ref)) await this.edit(ref, status);
      return;
    }
    await this.once(status.creationId, () => this.tellFinal(ref, status));
  }

  /** Runs `tell` unless an earlier final of this creation got through; resolves with whether the member knows. */
  private once(creationId: number, tell: () => Promise<boolean>): Promise<boolean> {
    const before = this.finals.get(creationId) ?? Promise.resolve(false);
    const told = before
      .then((known) => known || tell())
      .catch((error: unknown) => {
        this.logger.warn({ err: error, creationId }, "could not tell the member how their creation ended");
        return false;
      });
    this.finals.delete(creationId); // re-inserted last: the map stays in order of use
    this.finals.set(creationId, told);
    for (const oldest of this.finals.keys()) {
      if (this.finals.size <= FINALS_REMEMBERED) break;
      this.finals.delete(oldest);
    }
    return told;
  }

  private async tellFinal(ref: DiscordStatusRef, status: FinalStatus): Promise<boolean> {
    if (!this.expired(ref)) {
      const edit = await this.edit(ref, status);
      if (edit !== "gone") return edit === "edited";
    }
    return this.tellElsewhere(ref, status);
  }

  /** Whether the token is past its 15 minutes by Salon's clock (an older statusRef can't tell: then it is tried). */
  private expired(ref: DiscordStatusRef): boolean {
    return ref.receivedAt !== undefined && this.clock.now().getTime() - ref.receivedAt >= INTERACTION_TOKEN_LIFETIME_MS;
  }

  /** Edits the deferred reply: "gone" when Discord says it can't be edited any more. */
  private async edit(ref: DiscordStatusRef, status: JobStatus): Promise<"edited" | "gone" | "failed"> {
    try {
      await this.rest.patch(Routes.webhookMessage(ref.applicationId, ref.token, "@original"), { ...withPreview(statusMessage(status), status), auth: false });
      return "edited";
    } catch (error) {
      const gone = error instanceof DiscordAPIError && STATUS_MESSAGE_GONE.has(Number(error.code));
      // The error's URL carries the token, a credential for the message: only a scrubbed description is logged.
      const reason = String(error instanceof Error ? error.message : error).split(ref.token).join("[token]");
      this.logger.warn({ reason, state: status.state, creationId: status.creationId }, gone ? "the status message can't be edited any more" : "could not update the status message");
      return gone ? "gone" : "failed";
    }
  }

  /** The final outcome as a message in the channel where the member ran `/imagine`, or a DM when that channel refuses. */
  private async tellElsewhere(ref: DiscordStatusRef, status: FinalStatus): Promise<boolean> {
    const log = this.logger.child({ creationId: status.creationId, state: status.state });
    if (!ref.channelId || !ref.userId) {
      log.warn({}, "the status message's token is spent and its statusRef names no channel or member: the member is not told");
      return false;
    }
    const body = outcomeMessage(status, ref.userId);
    try {
      await this.rest.post(Routes.channelMessages(ref.channelId), { body });
      log.info({ channelId: ref.channelId }, "told the member in the channel, the status message's token being spent");
      return true;
    } catch (error) {
      if (!(error instanceof DiscordAPIError) || error.status >= 500) {
        log.warn({ err: error, channelId: ref.channelId }, "could not tell the member in the channel");
        return false;
      }
      log.info({ code: error.code, channelId: ref.channelId }, "the channel refuses the message; telling the member in a DM");
    }
    try {
      const dm = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: ref.userId } })) as APIChannel;
      // The same nonce: were the channel message made after all (its answer lost), Discord hands it back instead.
      await this.rest.post(Routes.channelMessages(dm.id), { body });
      log.info({}, "told the member in a DM, the status message's token being spent");
      return true;
    } catch (error) {
      log.warn({ err: error }, "could not tell the member in a DM either");
      return false;
    }
  }
}
