/**
 * `npm run commands:deploy`: registers Salon's slash commands, guild commands in DISCORD_DEV_GUILD_ID when set
 * (they appear at once, for development), global ones otherwise. Writes only when the definitions changed.
 */
import { ConfigError, loadConfig, readEnvironment } from "../src/config/config.js";
import { deployDiscordCommands } from "./deploy-discord-commands.js";

try {
  const config = loadConfig(readEnvironment(), { openai: false });
  if (!config.discord) {
    console.error("DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set to deploy Discord commands.");
    process.exit(1);
  }
  const where = config.discord.devGuildId ? `guild ${config.discord.devGuildId}` : "global (may take up to an hour to appear)";
  const result = await deployDiscordCommands({ ...config.discord, guildId: config.discord.devGuildId });
  console.log(result === "unchanged" ? `Discord commands (${where}) are up to date: nothing written.` : `Discord commands (${where}) updated.`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
