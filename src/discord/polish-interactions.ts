/**
 * `/imagine polish` on Discord. The command shows the choice in its deferred ephemeral reply. A click on the choice is
 * acknowledged as an update of that message (no new one), and its own interaction token (15 fresh minutes) becomes the
 * creation's status message: the choice turns into "Queued", then the outcome, in place.
 */
import type { ButtonInteraction, ChatInputCommandInteraction } from "discord.js";
import { ACK_PRIORITY_MS, type AcknowledgementsFirst } from "../core/acknowledgements-first.js";
import { STORE_UNAVAILABLE_LOG, StoreUnavailableError, UserError } from "../core/errors.js";
import { SORRY } from "../core/format.js";
import type { PolishChoice } from "../core/polish.js";
import type { Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import type { Actor, Aspect, Quality } from "../core/types.js";
import { POLISH_CANCELLED, polishMessage } from "./polish-render.js";
import { NO_PINGS, truncate } from "./render.js";
import { statusRefOf } from "./status-messages.js";
import { discordText } from "./words.js";


/** `/imagine … polish:True`: polishes the prompt and writes the choice into the deferred reply. */
export async function showPolish(salon: Salon, actor: Actor, interaction: ChatInputCommandInteraction): Promise<null> {
  const o = interaction.options;
  const view = await salon.polish(actor, {
    prompt: o.getString("prompt", true),
    aspect: (o.getString("aspect") ?? undefined) as Aspect | undefined,
    quality: (o.getString("quality") ?? undefined) as Quality | undefined,
  });
  const message = polishMessage(view);
  await interaction.editReply({ content: message.content, components: message.components, allowedMentions: NO_PINGS });
  return null;
}

/** A click on Use polished, Use mine or Cancel. `scrub` takes the interaction token out of an error before it is logged. */
export async function onPolishButton(
  salon: Salon,
  interaction: ButtonInteraction,
  pick: { choice: PolishChoice; draftId: number },
  ctx: { log: Logger; acks: AcknowledgementsFirst; scrub: (error: unknown) => unknown },
): Promise<void> {
  const { log, acks, scrub } = ctx;
  try {
    await acks.acknowledge(() => interaction.deferUpdate());
  } catch (error) {
    log.error({ err: scrub(error) }, "could not acknowledge the polish choice");
    return;
  }
  await acks.settled(ACK_PRIORITY_MS);
  let edit: { content: string; components: ReturnType<typeof polishMessage>["components"] } | null = null;
  try {
    if (!interaction.inGuild()) throw new UserError("not_in_guild", "Salon works inside servers, not in direct messages.");
    const actor: Actor = { community: { platform: "discord", externalId: interaction.guildId }, userId: interaction.user.id, displayName: interaction.user.username, isAdmin: false };
    const statusRef = statusRefOf(interaction, salon.deps.clock.now().getTime());
    const outcome = await salon.choosePolish(actor, pick.draftId, pick.choice, statusRef);
    if (outcome.state === "cancelled") edit = { content: POLISH_CANCELLED, components: [] };
    else if (outcome.state === "refused") edit = polishMessage(outcome.view);
    // queued: the core wrote "Queued" into this message; already: another click is handling it.
    else if (outcome.state === "already") log.debug({ draftId: pick.draftId }, "a polish draft already chosen");
  } catch (error) {
    if (error instanceof StoreUnavailableError) log.warn({ err: error }, STORE_UNAVAILABLE_LOG);
    if (error instanceof UserError) edit = { content: truncate(discordText(error.userMessage)), components: [] };
    else {
      log.error({ err: error }, "polish choice failed");
      edit = { content: SORRY, components: [] };
    }
  }
  if (!edit) return;
  try {
    await interaction.editReply({ content: edit.content, components: edit.components, allowedMentions: NO_PINGS });
  } catch (error) {
    log.warn({ err: scrub(error) }, "could not edit the polish choice");
  }
}
