/**
 * Slash commands and buttons. Every interaction is deferred (ephemeral) before anything else, so Discord's
 * 3-second deadline always holds; then the core is called and the reply edited. This is the error boundary:
 * a UserError becomes the reply, anything else is logged with the interaction's context and gets a short apology.
 */
import {
  AttachmentBuilder,
  MessageFlags,
  PermissionFlagsBits,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from "discord.js";
import { STORE_UNAVAILABLE_LOG, StoreUnavailableError, UserError } from "../core/errors.js";
import { digestOutcomeText, forgetText, recountText, SORRY } from "../core/format.js";
import { ACK_PRIORITY_MS, AcknowledgementsFirst } from "../core/acknowledgements-first.js";
import type { Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import type { Actor, Aspect, DigestDay, Quality, TopBy, TopPeriod } from "../core/types.js";
import { onPolishButton, showPolish } from "./polish-interactions.js";
import { parsePolishButtonId } from "./polish-render.js";
import { openRemixForm, submitRemixForm } from "./remix-interactions.js";
import { statusRefOf } from "./status-messages.js";
import { digestMessage, NO_PINGS, parseButtonId, profileMessage, topMessage, truncate } from "./render.js";
import { discordText } from "./words.js";


type Reply = { content: string; files?: AttachmentBuilder[] };

function actorOf(interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction, isAdmin: boolean): Actor {
  return {
    community: { platform: "discord", externalId: interaction.guildId! },
    userId: interaction.user.id,
    displayName: interaction.user.username,
    isAdmin,
  };
}

/**
 * `/salon` is registered with default_member_permissions = Manage Server, and Discord enforces it (including any
 * override the server owner makes in Server Settings → Integrations), so reaching the handler is the admin right.
 */
function commandActor(interaction: ChatInputCommandInteraction): Actor {
  return actorOf(interaction, interaction.commandName === "salon");
}

/** Buttons carry no command permission: the creator or a member who can manage the server or messages. */
function buttonActor(interaction: ButtonInteraction): Actor {
  const perms = interaction.memberPermissions;
  return actorOf(interaction, Boolean(perms?.has(PermissionFlagsBits.ManageGuild) || perms?.has(PermissionFlagsBits.ManageMessages)));
}

/**
 * An error as it may be logged: the interaction token (a credential for 15 minutes: it edits the reply and sends
 * follow-ups as the app) replaced wherever it appears — discord.js puts the request URL, which holds it, on the error.
 */
function withoutToken(error: unknown, token: string): unknown {
  if (!(error instanceof Error) || !token) return error;
  const scrub = (value: unknown): unknown => (typeof value === "string" ? value.split(token).join("[redacted]") : value);
  const copy = new Error(scrub(error.message) as string);
  copy.name = error.name;
  copy.stack = scrub(error.stack) as string;
  for (const [key, value] of Object.entries(error)) (copy as unknown as Record<string, unknown>)[key] = scrub(value);
  return copy;
}

export function createInteractionHandler(salon: Salon, logger: Logger) {
  const acks = new AcknowledgementsFirst();
  return async function onInteractionCreate(interaction: Interaction): Promise<void> {
    if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isModalSubmit()) return;
    const log = logger.child({
      interactionId: interaction.id,
      guildId: interaction.guildId,
      userId: interaction.user.id,
      command: interaction.isChatInputCommand() ? `${interaction.commandName} ${interaction.options.getSubcommand(false) ?? ""}`.trim() : interaction.customId,
    });
    // The Remix button is answered with its form (a modal can't follow a deferral): remix-interactions.ts.
    const remix = interaction.isButton() ? parseButtonId(interaction.customId) : null;
    if (interaction.isButton() && remix?.action === "remix") return openRemixForm(salon, interaction, buttonActor(interaction), remix.creationId, acks, log);
    const polish = interaction.isButton() ? parsePolishButtonId(interaction.customId) : null;
    if (polish) return onPolishButton(salon, interaction as ButtonInteraction, polish, { log, acks, scrub: (error) => withoutToken(error, interaction.token) });
    try {
      await acks.acknowledge(() => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
    } catch (error) {
      log.error({ err: withoutToken(error, interaction.token) }, "could not defer the interaction");
      return;
    }
    await acks.settled(ACK_PRIORITY_MS);
    let reply: Reply | null;
    try {
      if (!interaction.inGuild()) throw new UserError("not_in_guild", "Salon works inside servers, not in direct messages.");
      reply = interaction.isChatInputCommand() ? await runCommand(salon, interaction) : interaction.isModalSubmit() ? await runModal(salon, interaction) : await runButton(salon, interaction);
    } catch (error) {
      if (error instanceof StoreUnavailableError) log.warn({ err: error }, STORE_UNAVAILABLE_LOG);
      if (error instanceof UserError) reply = { content: error.userMessage };
      else {
        log.error({ err: error }, "interaction failed");
        reply = { content: SORRY };
      }
    }
    if (reply === null) return;
    try {
      // Every answer of the core is rendered here, once: its channel, member and command words become Discord's.
      await interaction.editReply({ content: truncate(discordText(reply.content)), files: reply.files ?? [], allowedMentions: NO_PINGS });
    } catch (error) {
      log.warn({ err: withoutToken(error, interaction.token) }, "could not edit the interaction reply");
    }
  };
}

/** The reply to write, or null when the core already wrote it (the `/imagine` status message). */
async function runCommand(salon: Salon, interaction: ChatInputCommandInteraction): Promise<Reply | null> {
  const actor = commandActor(interaction);
  const o = interaction.options;
  switch (interaction.commandName) {
    case "imagine": {
      if (o.getBoolean("polish")) return showPolish(salon, actor, interaction);
      await salon.imagine(actor, {
        prompt: o.getString("prompt", true),
        aspect: (o.getString("aspect") ?? undefined) as Aspect | undefined,
        quality: (o.getString("quality") ?? undefined) as Quality | undefined,
        // Enough to edit the deferred reply for 15 minutes, and to tell the member in the channel (or a DM) after that.
        statusRef: statusRefOf(interaction, salon.deps.clock.now().getTime()),
      });
      // The core already wrote the status message (position and Cancel button) into the deferred reply.
      return null;
    }
    case "top":
      return { content: topMessage(await salon.top(actor, (o.getString("period") ?? "week") as TopPeriod, (o.getString("by") ?? "creations") as TopBy)) };
    case "profile":
      return { content: profileMessage(await salon.profile(actor, o.getUser("member")?.id)) };
    case "privacy":
      return runPrivacy(salon, actor, o.getSubcommand(true), o.getString("setting"));
    case "salon":
      return runAdmin(salon, actor, interaction);
    default:
      throw new UserError("unknown_command", "I don't know that command. Try `/imagine`, `/top` or `/profile`.");
  }
}

async function runPrivacy(salon: Salon, actor: Actor, sub: string, setting: string | null): Promise<Reply> {
  if (sub === "remixes") return { content: await salon.setRemixesAllowed(actor, setting !== "off") };
  if (sub === "export") {
    const json = await salon.exportData(actor);
    return { content: "Here is everything Salon stores about you in this server.", files: [new AttachmentBuilder(Buffer.from(json), { name: "salon-export.json" })] };
  }
  return { content: forgetText(await salon.forget(actor)) };
}

async function runAdmin(salon: Salon, actor: Actor, interaction: ChatInputCommandInteraction): Promise<Reply> {
  const o = interaction.options;
  switch (o.getSubcommand(true)) {
    case "setup":
      return {
        content: await salon.setup(actor, {
          galleryChannelId: ownChannel(interaction, o.getChannel("gallery", true))!,
          digestChannelId: ownChannel(interaction, o.getChannel("digest")),
          digestTime: o.getString("digest_time") ?? undefined,
          timezone: o.getString("timezone") ?? undefined,
        }),
      };
    case "settings":
      return { content: await salon.settings(actor) };
    case "limits":
      return {
        content: await salon.limits(actor, {
          perMemberDaily: o.getInteger("per_member_daily") ?? undefined,
          budgetUsdDaily: o.getNumber("budget_usd_daily") ?? undefined,
          cooldownSeconds: o.getInteger("cooldown_seconds") ?? undefined,
          minAccountAgeDays: o.getInteger("min_account_age_days") ?? undefined,
          minMemberAgeDays: o.getInteger("min_member_age_days") ?? undefined,
        }),
      };
    case "digest": {
      const result = await salon.digest(actor, (o.getString("day") ?? "yesterday") as DigestDay, o.getBoolean("preview") ?? false);
      switch (result.status) {
        case "preview":
          if (result.digest.entries.length === 0) return { content: `Preview for ${result.digest.title}: no liked creations, so nothing would be posted.` };
          return {
            content: `Preview (only you can see this):\n\n${digestMessage(result.digest)}`.slice(0, 2000),
            files: result.collage ? [new AttachmentBuilder(result.collage.bytes, { name: `salon-digest-preview.${result.collage.mimeType === "image/jpeg" ? "jpg" : "png"}` })] : [],
          };
        case "posted":
          return { content: digestOutcomeText({ status: "posted", title: result.digest.title, url: result.post.url }) };
        case "empty":
          return { content: digestOutcomeText({ status: "empty", title: result.digest.title }) };
        default:
          return { content: digestOutcomeText(result) };
      }
    }
    case "recount":
      return { content: recountText(await salon.recount(actor)) };
    case "block":
      return { content: await salon.block(actor, o.getUser("member", true).id) };
    case "unblock":
      return { content: await salon.unblock(actor, o.getUser("member", true).id) };
    default:
      throw new UserError("unknown_subcommand", "Unknown `/salon` subcommand. Try `/salon settings`.");
  }
}

/**
 * The id of a channel option, refused when the channel belongs to another server: one community's admin must never
 * point Salon at another community's channel (Discord itself only offers the server's own channels; this holds even
 * for a forged interaction).
 */
function ownChannel(interaction: ChatInputCommandInteraction, channel: { id: string } | null): string | undefined {
  if (!channel) return undefined;
  const guildId = "guildId" in channel ? channel.guildId : (interaction.client.channels.cache.get(channel.id) as { guildId?: string } | undefined)?.guildId;
  if (guildId && guildId !== interaction.guildId) {
    throw new UserError("foreign_channel", `<#${channel.id}> is not a channel of this server. Choose one of this server's text channels.`);
  }
  return channel.id;
}

/** The remix form (the only modal Salon opens), submitted. */
async function runModal(salon: Salon, interaction: ModalSubmitInteraction): Promise<Reply | null> {
  const parsed = parseButtonId(interaction.customId);
  if (parsed?.action !== "remix") throw new UserError("unknown_form", "This form is no longer supported.");
  return submitRemixForm(salon, interaction, actorOf(interaction, false), parsed.creationId);
}

async function runButton(salon: Salon, interaction: ButtonInteraction): Promise<Reply> {
  const parsed = parseButtonId(interaction.customId);
  if (!parsed) throw new UserError("unknown_button", "This button is no longer supported.");
  const actor = buttonActor(interaction);
  if (parsed.action === "cancel") {
    await salon.cancel(actor, parsed.creationId);
    return { content: "Cancelled. It won't count toward your daily limit." };
  }
  await salon.deletePost(actor, parsed.creationId);
  return { content: "Deleted the post. It no longer counts in any ranking." };
}
