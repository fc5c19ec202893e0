/**
 * `/imagine --polish` on Slack: both prompts and the choice as Block Kit buttons in the ephemeral answer. A click
 * arrives as block_actions with a fresh response_url, which becomes the creation's status message: the choice turns
 * into "Queued", then the outcome, in place (`replace_original`).
 */
import type { App, RespondArguments, RespondFn } from "@slack/bolt";
import { STORE_UNAVAILABLE_LOG, StoreUnavailableError, UserError } from "../core/errors.js";
import { SORRY } from "../core/format.js";
import type { PolishChoice, PolishInput, PolishView } from "../core/polish.js";
import type { Salon } from "../core/salon.js";
import type { Actor } from "../core/types.js";
import type { SlackContext } from "./slack-handlers.js";
import { statusRefFor } from "./slack-status.js";
import { creationIdOf, escapeText } from "./slack-text.js";
import { slackText } from "./slack-words.js";

export const POLISH_ACTIONS: Record<PolishChoice, string> = { polished: "salon_polish_use", mine: "salon_polish_mine", cancel: "salon_polish_cancel" };
const CHOICE_OF: Record<string, PolishChoice> = Object.fromEntries(Object.entries(POLISH_ACTIONS).map(([choice, id]) => [id, choice as PolishChoice]));
export const POLISH_CANCELLED = "Cancelled. Nothing was queued, and no image was paid for.";

/** A prompt in a section, literal, cut (with an ellipsis) so that its escaped form fits Slack's 3,000 characters. */
function quoted(label: string, prompt: string, max = 2_900): string {
  let chars = Array.from(prompt);
  let text = escapeText(prompt);
  while (text.length > max) {
    chars = chars.slice(0, chars.length - (text.length - max) - 1);
    text = `${escapeText(chars.join(""))}…`;
  }
  return `*${label}:* ${text}`;
}

/** The choice: the refusal of a last pick if any, the member's prompt, the polished one, and the buttons. */
export function polishBlocks(view: PolishView) {
  const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
  const button = (choice: PolishChoice, label: string, primary: boolean) => ({
    type: "button",
    action_id: POLISH_ACTIONS[choice],
    text: { type: "plain_text", text: label },
    value: String(view.draftId),
    ...(primary ? { style: "primary" } : {}),
  });
  const head = view.polished === null ? `${view.unavailable ?? "Polish is unavailable."} Use your prompt?` : "✨ Polished prompt — pick one; nothing is made or paid for until you do.";
  const text = [view.notice ? `⚠️ ${slackText(view.notice)}` : null, head].filter(Boolean).join("\n");
  return {
    text,
    blocks: [
      ...(view.notice ? [section(`⚠️ ${slackText(view.notice)}`)] : []),
      section(head),
      section(quoted("Yours", view.original)),
      ...(view.polished === null ? [] : [section(quoted("Polished", view.polished))]),
      {
        type: "actions",
        elements: [...(view.polished === null ? [] : [button("polished", "Use polished", true)]), button("mine", "Use mine", view.polished === null), button("cancel", "Cancel", false)],
      },
    ],
  };
}

/** `/imagine … --polish`: polishes the prompt and answers with the choice. */
export async function showSlackPolish(salon: Salon, actor: Actor, input: PolishInput, respond: RespondFn): Promise<null> {
  const view = await salon.polish(actor, input);
  await respond({ response_type: "ephemeral", ...polishBlocks(view) } as RespondArguments);
  return null;
}

/** The clicks on Use polished, Use mine and Cancel. */
export function attachPolishActions(app: App, { salon, web, acks, logger }: SlackContext): void {
  app.action(/^salon_polish_(use|mine|cancel)$/, async ({ ack, body, action, respond }) => {
    await ack();
    const actionId = (action as { action_id?: string }).action_id ?? "";
    const log = logger.child({ action: actionId, userId: body.user.id });
    let answer: RespondArguments | null = null;
    try {
      await acks.settled();
      const draftId = creationIdOf((action as { value?: string }).value);
      const choice = CHOICE_OF[actionId];
      if (draftId === null || !choice) throw new UserError("polish_not_found", "That choice is gone.");
      const { response_url: responseUrl, channel } = body as { response_url?: string; channel?: { id: string } };
      const teamId = body.team?.id ?? "";
      const statusRef = responseUrl && channel ? statusRefFor({ response_url: responseUrl, channel_id: channel.id, user_id: body.user.id, team_id: teamId }, web.clock) : null;
      const outcome = await salon.choosePolish({ community: { platform: "slack", externalId: teamId }, userId: body.user.id, isAdmin: false }, draftId, choice, statusRef);
      if (outcome.state === "cancelled") answer = { replace_original: true, text: POLISH_CANCELLED };
      else if (outcome.state === "refused") answer = { replace_original: true, ...polishBlocks(outcome.view) } as RespondArguments;
      else if (outcome.state === "already") log.debug({ draftId }, "a polish draft already chosen");
      // queued: the core wrote "Queued" over the choice through the response URL.
    } catch (error) {
      if (error instanceof StoreUnavailableError) log.warn({ err: error }, STORE_UNAVAILABLE_LOG);
      if (error instanceof UserError) answer = { replace_original: true, text: slackText(error.userMessage) };
      else {
        log.error({ err: error }, "polish choice failed");
        answer = { replace_original: true, text: SORRY };
      }
    }
    if (answer) await respond(answer).catch((error: unknown) => log.warn({ err: error }, "could not answer the polish choice"));
  });
}
