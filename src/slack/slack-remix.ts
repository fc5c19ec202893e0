/**
 * Remix on Slack: the **Remix creation** message shortcut opens a modal (`views.open` with the shortcut's trigger_id,
 * which lives 3 seconds) prefilled with the parent's prompt; its submission is `/imagine` with the parent. Refusals and
 * the status go to the shortcut's response_url as ephemeral messages (never `replace_original`: that would replace the
 * gallery post the shortcut was used on).
 */
import type { App } from "@slack/bolt";
import type { Logger } from "../core/ports.js";
import { answerWith, slackActor, type SlackContext } from "./slack-handlers.js";
import { postToResponseUrl, type SlackStatusRef } from "./slack-status.js";

export const REMIX_SHORTCUT = "remix_creation";
export const REMIX_VIEW = "remix_submit";
export const REMIX_PROMPT_BLOCK = "remix_prompt";
export const REMIX_PROMPT_ACTION = "prompt";
/** Slack's limit on a plain_text_input's value. */
const PROMPT_MAX = 3000;

/** What the modal carries to its submission (private_metadata). */
interface RemixMetadata {
  creationId: number;
  responseUrl: string;
  channelId: string;
  issuedAt: number;
}

export function remixView(creationId: number, prompt: string, metadata: RemixMetadata) {
  return {
    type: "modal" as const,
    callback_id: REMIX_VIEW,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text" as const, text: "Remix this creation" },
    submit: { type: "plain_text" as const, text: "Remix" },
    close: { type: "plain_text" as const, text: "Cancel" },
    blocks: [
      {
        type: "input",
        block_id: REMIX_PROMPT_BLOCK,
        label: { type: "plain_text" as const, text: "Prompt for your remix" },
        element: { type: "plain_text_input", action_id: REMIX_PROMPT_ACTION, multiline: true, max_length: PROMPT_MAX, initial_value: prompt.slice(0, PROMPT_MAX) },
      },
    ],
  };
}

/** Posts to a response_url as a new ephemeral message (never replacing the message the shortcut was used on). */
function respondTo(responseUrl: string, log: Logger) {
  return async (message: { response_type: "ephemeral"; text: string }) => {
    const answer = await postToResponseUrl(responseUrl, { ...message, replace_original: false });
    if (answer !== "ok") log.warn({ status: answer }, "Slack refused the remix answer");
  };
}

export function attachRemixHandlers(app: App, ctx: SlackContext): void {
  const { salon, web, acks, logger } = ctx;

  app.shortcut(REMIX_SHORTCUT, async ({ ack, shortcut, respond }) => {
    await ack();
    if (shortcut.type !== "message_action") return;
    const log = logger.child({ shortcut: REMIX_SHORTCUT, userId: shortcut.user.id });
    await answerWith(acks, respond, log, async () => {
      const teamId = shortcut.team?.id ?? "";
      const start = await salon.startRemixAt(slackActor(teamId, shortcut.user.id, false), shortcut.channel.id, shortcut.message_ts);
      const metadata: RemixMetadata = { creationId: start.creationId, responseUrl: shortcut.response_url, channelId: shortcut.channel.id, issuedAt: web.clock.now().getTime() };
      const { clients } = await web.workspaces.forTeam(teamId);
      await clients.client.views.open({ trigger_id: shortcut.trigger_id, view: remixView(start.creationId, start.prompt, metadata) });
      return null;
    });
  });

  app.view(REMIX_VIEW, async ({ ack, view, body }) => {
    await ack();
    const metadata = JSON.parse(view.private_metadata) as RemixMetadata;
    const teamId = body.team?.id ?? view.team_id;
    const log = logger.child({ view: REMIX_VIEW, userId: body.user.id });
    await answerWith(acks, respondTo(metadata.responseUrl, log), log, async () => {
      const prompt = view.state.values[REMIX_PROMPT_BLOCK]?.[REMIX_PROMPT_ACTION]?.value ?? "";
      const statusRef: SlackStatusRef = { responseUrl: metadata.responseUrl, channelId: metadata.channelId, userId: body.user.id, issuedAt: metadata.issuedAt, teamId, appendOnly: true };
      await salon.imagine(slackActor(teamId, body.user.id, false), { prompt, remixOf: metadata.creationId, statusRef: JSON.stringify(statusRef) });
      return null; // the core wrote the status message through the response URL
    });
  });
}
