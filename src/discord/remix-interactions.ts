/**
 * The gallery post's Remix button and the form it opens. The button is answered with the form itself (a modal is an
 * interaction's first response, so it can't be deferred), or, when the creation can't be remixed, with an ephemeral
 * answer saying why. The form's submission is `/imagine` with the parent (interaction-handlers.ts).
 */
import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from "discord-api-types/v10";
import { MessageFlags, type ButtonInteraction, type ModalSubmitInteraction } from "discord.js";
import type { AcknowledgementsFirst } from "../core/acknowledgements-first.js";
import { UserError } from "../core/errors.js";
import { SORRY } from "../core/format.js";
import type { Actor } from "../core/types.js";
import type { Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import { buttonId, NO_PINGS, truncate } from "./render.js";
import { statusRefOf } from "./status-messages.js";
import { discordText } from "./words.js";

/** The form's text input: the prompt, prefilled with the parent's. */
export const REMIX_PROMPT_INPUT = "prompt";
/** Discord's limit on a text input's value, and `/imagine`'s prompt option. */
const PROMPT_MAX = 4000;

export function remixModal(creationId: number, prompt: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: buttonId("remix", creationId),
    title: "Remix this creation",
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: REMIX_PROMPT_INPUT,
            label: "Prompt for your remix",
            style: TextInputStyle.Paragraph,
            min_length: 1,
            max_length: PROMPT_MAX,
            required: true,
            value: prompt.slice(0, PROMPT_MAX),
          },
        ],
      },
    ],
  };
}

/** Answers the Remix button: the form, or why not; never rejects. */
export async function openRemixForm(salon: Salon, interaction: ButtonInteraction, actor: Actor, creationId: number, acks: AcknowledgementsFirst, log: Logger): Promise<void> {
  let answer: { modal: APIModalInteractionResponseCallbackData } | { content: string };
  try {
    if (!interaction.inGuild()) throw new UserError("not_in_guild", "Salon works inside servers, not in direct messages.");
    const start = await salon.startRemix(actor, creationId);
    answer = { modal: remixModal(start.creationId, start.prompt) };
  } catch (error) {
    if (error instanceof UserError) answer = { content: error.userMessage };
    else {
      log.error({ err: error }, "remix button failed");
      answer = { content: SORRY };
    }
  }
  try {
    await acks.acknowledge(() =>
      "modal" in answer
        ? interaction.showModal(answer.modal)
        : interaction.reply({ content: truncate(discordText(answer.content)), flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS }),
    );
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "could not answer the remix button");
  }
}

/** The remix form submitted: `/imagine` with the parent, whose status message is this interaction's deferred reply. */
export async function submitRemixForm(salon: Salon, interaction: ModalSubmitInteraction, actor: Actor, creationId: number): Promise<null> {
  await salon.imagine(actor, {
    prompt: interaction.fields.getTextInputValue(REMIX_PROMPT_INPUT),
    remixOf: creationId,
    // A guild interaction (runModal checks), so it has its channel.
    statusRef: statusRefOf({ applicationId: interaction.applicationId, token: interaction.token, channelId: interaction.channelId!, user: interaction.user }, salon.deps.clock.now().getTime()),
  });
  return null;
}
