/** Writes Salon's Discord commands only when they differ from what Discord has. */
import { Routes } from "discord.js";
import { createDiscordRest } from "../src/discord/discord-bot.js";
import { commandsDiffer } from "./commands-differ.js";
import { discordCommands } from "./discord-commands.js";

export async function deployDiscordCommands(options: { token: string; apiUrl: string; applicationId: string; guildId?: string | undefined }): Promise<"unchanged" | "updated"> {
  const rest = createDiscordRest(options);
  const route = options.guildId ? Routes.applicationGuildCommands(options.applicationId, options.guildId) : Routes.applicationCommands(options.applicationId);
  const remote = (await rest.get(route)) as unknown[];
  if (!commandsDiffer(discordCommands, remote)) return "unchanged";
  await rest.put(route, { body: discordCommands });
  return "updated";
}
