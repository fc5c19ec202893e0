/** The core's marked words as Slack writes them: channel links, member references, and its slash commands. */
import { renderWords, type Word } from "../core/words.js";

/** Salon's commands that live under `/salon` on Slack (Discord has them at the top level). */
const UNDER_SALON = new Set(["top", "profile", "privacy"]);

function slackWord(word: Word): string {
  switch (word.kind) {
    case "channel":
      return `<#${word.id}>`;
    case "member":
      // Only in answers the member alone sees (an admin's block); Slack shows the name and pings no one there.
      return `<@${word.id}>`;
    case "command": {
      const path = UNDER_SALON.has(word.path.split(" ")[0]!) ? `salon ${word.path}` : word.path;
      return `/${path}${word.example === undefined ? "" : ` ${word.example}`}`;
    }
  }
}

/** A sentence of the core, as it is sent on Slack. */
export function slackText(text: string): string {
  return renderWords(text, slackWord);
}
