/** `/imagine polish` on Discord: both prompts and the choice, as buttons on the member's ephemeral reply. */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent } from "discord-api-types/v10";
import type { PolishChoice, PolishView } from "../core/polish.js";
import { literal, NO_PINGS, truncate } from "./render.js";
import { discordText } from "./words.js";

const ACTIONS: Record<PolishChoice, string> = { polished: "polish-use", mine: "polish-mine", cancel: "polish-cancel" };

/** Custom ids of the choice's buttons: `salon:polish-use|polish-mine|polish-cancel:<draftId>`. */
export const polishButtonId = (choice: PolishChoice, draftId: number) => `salon:${ACTIONS[choice]}:${draftId}`;

export function parsePolishButtonId(customId: string): { choice: PolishChoice; draftId: number } | null {
  const match = /^salon:polish-(use|mine|cancel):([1-9][0-9]{0,9})$/.exec(customId);
  if (!match || Number(match[2]) > 2_147_483_647) return null;
  const choice = ({ use: "polished", mine: "mine", cancel: "cancel" } as const)[match[1] as "use" | "mine" | "cancel"];
  return { choice, draftId: Number(match[2]) };
}

/** The choice message: the refusal of a last pick if any, the member's prompt, the polished one, and the buttons. */
export function polishMessage(view: PolishView) {
  const lines: string[] = [];
  if (view.notice) lines.push(`⚠️ ${discordText(view.notice)}`, "");
  if (view.polished === null) {
    lines.push(`${view.unavailable ?? "Polish is unavailable."} Use your prompt?`, "", `**Yours:** ${literal(view.original, 1700)}`);
  } else {
    lines.push("✨ **Polished prompt** — pick one; nothing is made or paid for until you do.", "", `**Yours:** ${literal(view.original, 800)}`, "", `**Polished:** ${literal(view.polished, 900)}`);
  }
  const button = (choice: PolishChoice, label: string, style: ButtonStyle.Primary | ButtonStyle.Secondary): APIButtonComponent => ({ type: ComponentType.Button, style, label, custom_id: polishButtonId(choice, view.draftId) });
  const buttons = [
    ...(view.polished === null ? [] : [button("polished", "Use polished", ButtonStyle.Primary)]),
    button("mine", "Use mine", view.polished === null ? ButtonStyle.Primary : ButtonStyle.Secondary),
    button("cancel", "Cancel", ButtonStyle.Secondary),
  ];
  const row: APIActionRowComponent<APIButtonComponent> = { type: ComponentType.ActionRow, components: buttons };
  return { content: truncate(lines.join("\n")), components: [row], allowed_mentions: NO_PINGS };
}

/** What the choice message becomes once the member cancels. */
export const POLISH_CANCELLED = "Cancelled. Nothing was queued, and no image was paid for.";
