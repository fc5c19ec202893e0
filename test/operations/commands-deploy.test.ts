import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commandsDiffer } from "../../commands/commands-differ.js";
import { deployDiscordCommands } from "../../commands/deploy-discord-commands.js";
import { discordCommands } from "../../commands/discord-commands.js";
import { FakeDiscord } from "../support/discord/index.js";

let discord: FakeDiscord;
beforeEach(async () => {
  discord = await FakeDiscord.start();
});
afterEach(async () => {
  await discord.close();
});

const options = () => ({ token: discord.botToken, apiUrl: discord.apiUrl, applicationId: discord.applicationId });
const writes = () => discord.requests.filter((r) => r.method !== "GET" && r.path.includes("/commands"));

describe("npm run commands:deploy", () => {
  it("writes the commands the first time and nothing when they did not change", async () => {
    expect(await deployDiscordCommands(options())).toBe("updated");
    expect(writes()).toHaveLength(1);
    expect(await deployDiscordCommands(options())).toBe("unchanged");
    expect(writes()).toHaveLength(1);
    const names = (discord.commands() as Array<{ name: string }>).map((c) => c.name).sort();
    expect(names).toEqual(["imagine", "privacy", "profile", "salon", "top"]);
  });

  it("registers guild commands in the development guild instead of global ones", async () => {
    const guild = discord.addGuild({ name: "dev" });
    expect(await deployDiscordCommands({ ...options(), guildId: guild.id })).toBe("updated");
    expect(discord.commands(guild.id)).toHaveLength(5);
    expect(discord.commands()).toHaveLength(0);
  });

  it("registers /salon for Manage Server only, and every command for servers only", async () => {
    await deployDiscordCommands(options());
    const salon = (discord.commands() as Array<{ name: string; default_member_permissions: string | null; contexts: number[] }>).find((c) => c.name === "salon")!;
    expect(salon.default_member_permissions).toBe("32");
    for (const command of discord.commands() as Array<{ contexts: number[] }>) expect(command.contexts).toEqual([0]);
  });

  it("sees a changed description as a difference", () => {
    const changed = structuredClone(discordCommands);
    changed[0]!.description = "something else";
    expect(commandsDiffer(discordCommands, discordCommands)).toBe(false);
    expect(commandsDiffer(discordCommands, changed)).toBe(true);
    expect(commandsDiffer(discordCommands, discordCommands.slice(1))).toBe(true);
  });
});
