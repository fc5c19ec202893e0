/** The core's marked words as Discord writes them: channel links, mentions (sent with no pings) and slash commands. */
import { renderWords, type Word } from "../core/words.js";

/** The option that carries each command's example on Discord (`/imagine prompt: …`). */
const EXAMPLE_OPTION: Record<string, string> = { imagine: "prompt" };

function discordWord(word: Word): string {
  switch (word.kind) {
    case "channel":
      return `<#${word.id}>`;
    case "member":
      return `<@${word.id}>`;
    case "command": {
      const option = EXAMPLE_OPTION[word.path];
      return word.example === undefined ? `/${word.path}` : `/${word.path} ${option ? `${option}: ` : ""}${word.example}`;
    }
  }
}

/** A sentence of the core, as it is sent on Discord. */
export function discordText(text: string): string {
  return renderWords(text, discordWord);
}
