/**
 * Salon's Discord application commands, as the JSON Discord stores. `npm run commands:deploy` writes them only when
 * they differ from what Discord already has.
 */
import {
  ApplicationCommandOptionType as Option,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody as CommandJSON,
} from "discord-api-types/v10";
import { MAX_MIN_AGE_DAYS } from "../src/core/admin.js";
import { MAX_BUDGET_USD } from "../src/core/settings-input.js";

const textChannels: (ChannelType.GuildText | ChannelType.GuildAnnouncement)[] = [ChannelType.GuildText, ChannelType.GuildAnnouncement];
const guildOnly = [InteractionContextType.Guild];
const choices = (...values: string[]) => values.map((value) => ({ name: value, value }));

export const discordCommands: CommandJSON[] = [
  {
    name: "imagine",
    description: "Create an image from a prompt and post it to the gallery",
    contexts: guildOnly,
    options: [
      { type: Option.String, name: "prompt", description: "What to draw", required: true, max_length: 4000 },
      { type: Option.String, name: "aspect", description: "Shape of the image (default square)", choices: choices("square", "portrait", "landscape") },
      { type: Option.String, name: "quality", description: "Image quality (default medium)", choices: choices("low", "medium", "high") },
      { type: Option.Boolean, name: "polish", description: "AI polishes your prompt first; you pick yours or the polished one" },
    ],
  },
  {
    name: "top",
    description: "The most liked creations or creators",
    contexts: guildOnly,
    options: [
      { type: Option.String, name: "period", description: "Time window (default week)", choices: choices("today", "week", "month", "all") },
      { type: Option.String, name: "by", description: "Rank creations or creators (default creations)", choices: choices("creations", "creators") },
    ],
  },
  {
    name: "profile",
    description: "A member's creations, likes, best work and streak",
    contexts: guildOnly,
    options: [{ type: Option.User, name: "member", description: "Whose profile (default: yours)" }],
  },
  {
    name: "privacy",
    description: "Your data in Salon",
    contexts: guildOnly,
    options: [
      { type: Option.Subcommand, name: "export", description: "Get a JSON file of your creations and likes" },
      { type: Option.Subcommand, name: "forget", description: "Delete your prompts, images, posts and likes" },
      {
        type: Option.Subcommand,
        name: "remixes",
        description: "Let others remix your creations, or not",
        options: [{ type: Option.String, name: "setting", description: "on (the default) or off", required: true, choices: choices("off", "on") }],
      },
    ],
  },
  {
    name: "salon",
    description: "Set up and run Salon in this server",
    contexts: guildOnly,
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    options: [
      {
        type: Option.Subcommand,
        name: "setup",
        description: "Choose the gallery and the digest",
        options: [
          { type: Option.Channel, name: "gallery", description: "Where creations are posted", required: true, channel_types: textChannels },
          { type: Option.Channel, name: "digest", description: "Where the daily digest is posted (default: the gallery)", channel_types: textChannels },
          { type: Option.String, name: "digest_time", description: "Local time of the digest, HH:MM (default 09:00)", min_length: 4, max_length: 5 },
          { type: Option.String, name: "timezone", description: "IANA time zone, e.g. Europe/Paris (default UTC)", max_length: 64 },
        ],
      },
      { type: Option.Subcommand, name: "settings", description: "Show the settings, today's spend and what remains" },
      {
        type: Option.Subcommand,
        name: "limits",
        description: "Set the daily limits and who likes count from",
        options: [
          { type: Option.Integer, name: "per_member_daily", description: "Creations per member per day", min_value: 0, max_value: 1000 },
          { type: Option.Number, name: "budget_usd_daily", description: "Community budget per day in USD", min_value: 0, max_value: MAX_BUDGET_USD },
          { type: Option.Integer, name: "cooldown_seconds", description: "Seconds between a member's creations", min_value: 0, max_value: 86400 },
          { type: Option.Integer, name: "min_account_age_days", description: "Likes count only from accounts at least this many days old (0: any)", min_value: 0, max_value: MAX_MIN_AGE_DAYS },
          { type: Option.Integer, name: "min_member_age_days", description: "Likes count only from members of at least this many days (0: any)", min_value: 0, max_value: MAX_MIN_AGE_DAYS },
        ],
      },
      {
        type: Option.Subcommand,
        name: "digest",
        description: "Post or preview a digest now",
        options: [
          { type: Option.String, name: "day", description: "Which day (default yesterday; today is always a preview)", choices: choices("yesterday", "today") },
          { type: Option.Boolean, name: "preview", description: "Only show it to me" },
        ],
      },
      { type: Option.Subcommand, name: "recount", description: "Re-read the likes of recent posts from Discord" },
      {
        type: Option.Subcommand,
        name: "block",
        description: "Stop a member from creating and from liking",
        options: [{ type: Option.User, name: "member", description: "Who", required: true }],
      },
      {
        type: Option.Subcommand,
        name: "unblock",
        description: "Let a blocked member create and like again",
        options: [{ type: Option.User, name: "member", description: "Who", required: true }],
      },
    ],
  },
];
