/**
 * Slack commands, actions and events → the core. Every command is acknowledged first (Slack's 3-second deadline);
 * answers go to `response_url` as ephemeral messages. Each handler is an error boundary: a UserError becomes the
 * answer, anything else is logged with the request's context and the member gets a short apology.
 */
import type { App, SlashCommand } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { AcknowledgementsFirst } from "../core/acknowledgements-first.js";
import { STORE_UNAVAILABLE_LOG, StoreUnavailableError, UserError } from "../core/errors.js";
import { digestOutcomeText, forgetText, recountText, SORRY } from "../core/format.js";
import type { Clock, Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import { TOP_PERIODS, type Actor, type TopBy, type TopPeriod } from "../core/types.js";
import type { SlackWeb } from "./slack-bot.js";
import type { SlackClients } from "./slack-clients.js";
import { emojiKey } from "./slack-publisher.js";
import { slackText } from "./slack-words.js";
import { CANCEL_ACTION, DELETE_SHORTCUT, digestPreviewText, profileText, SALON_HELP, topText } from "./slack-render.js";
import { attachPolishActions, showSlackPolish } from "./slack-polish.js";
import { attachRemixHandlers } from "./slack-remix.js";
import { statusRefFor } from "./slack-status.js";
import { shareFile, uploadBytes } from "./slack-upload.js";
import { creationIdOf, echo, IMAGINE_USAGE, keyValues, parseImagine, parseSetupArgs, splitCommand, userId } from "./slack-text.js";

const ADMIN_SUBCOMMANDS = new Set(["setup", "settings", "limits", "digest", "recount", "block", "unblock"]);
const LIMITS_USAGE =
  "Usage: `/salon limits per_member_daily=10 budget_usd_daily=5 cooldown_seconds=30 min_account_age_days=0 min_member_age_days=0` (any of them).";

type Answer = { text: string } | null;

export interface SlackContext {
  salon: Salon;
  /** The Web API side: each workspace's clients and directory, the clock (Bolt's own client is not used). */
  web: SlackWeb;
  /** The requests still to be acknowledged, which go before any command's work (acknowledgements-first.ts). */
  acks: AcknowledgementsFirst;
  logger: Logger;
}

export async function answerWith(acks: AcknowledgementsFirst, respond: (message: { response_type: "ephemeral"; text: string }) => Promise<unknown>, log: Logger, run: () => Promise<Answer>): Promise<void> {
  let answer: Answer;
  try {
    await acks.settled();
    answer = await run();
  } catch (error) {
    if (error instanceof StoreUnavailableError) log.warn({ err: error }, STORE_UNAVAILABLE_LOG);
    if (error instanceof UserError) answer = { text: error.userMessage };
    else {
      log.error({ err: error }, "slack request failed");
      answer = { text: SORRY };
    }
  }
  // Every answer of the core is rendered here, once: its channel, member and command words become Slack's.
  if (answer) await respond({ response_type: "ephemeral", text: slackText(answer.text) }).catch((error: unknown) => log.warn({ err: error }, "could not answer"));
}

function actor(teamId: string, user: string, isAdmin: boolean): Actor {
  return { community: { platform: "slack", externalId: teamId }, userId: user, isAdmin };
}
export { actor as slackActor };

export function attachSlackHandlers(app: App, ctx: SlackContext): void {
  const { salon, web, acks, logger } = ctx;

  app.command("/imagine", async ({ ack, command, respond }) => {
    await ack();
    const log = logger.child({ command: "/imagine", teamId: command.team_id, userId: command.user_id, triggerId: command.trigger_id });
    await answerWith(acks, respond, log, async () => {
      if (!command.text.trim()) throw new UserError("usage", IMAGINE_USAGE);
      const { polish, ...parsed } = parseImagine(command.text);
      if (polish) return showSlackPolish(salon, actor(command.team_id, command.user_id, false), parsed, respond);
      await salon.imagine(actor(command.team_id, command.user_id, false), { ...parsed, statusRef: statusRefFor(command, web.clock) });
      return null; // the core wrote the status message (position and Cancel button) through the response URL
    });
  });

  app.command("/salon", async ({ ack, command, respond }) => {
    await ack();
    const log = logger.child({ command: "/salon", teamId: command.team_id, userId: command.user_id, triggerId: command.trigger_id });
    await answerWith(acks, respond, log, () => runSalon(ctx, command));
  });

  app.action(CANCEL_ACTION, async ({ ack, body, action, respond }) => {
    await ack();
    const log = logger.child({ action: CANCEL_ACTION, userId: body.user.id });
    await answerWith(acks, respond, log, async () => {
      const creationId = creationIdOf((action as { value?: string }).value);
      if (creationId === null) throw new UserError("not_found", "That creation no longer exists.");
      await salon.cancel(actor(body.team?.id ?? "", body.user.id, false), creationId);
      return null; // the core replaced the status message with "Cancelled"
    });
  });

  attachPolishActions(app, ctx);

  app.shortcut(DELETE_SHORTCUT, async ({ ack, shortcut, respond }) => {
    await ack();
    if (shortcut.type !== "message_action") return;
    const log = logger.child({ shortcut: DELETE_SHORTCUT, userId: shortcut.user.id });
    await answerWith(acks, respond, log, async () => {
      const teamId = shortcut.team?.id ?? "";
      const isAdmin = await (await web.workspaces.forTeam(teamId)).directory.isAdmin(shortcut.user.id);
      await salon.deletePostAt(actor(teamId, shortcut.user.id, isAdmin), shortcut.channel.id, shortcut.message_ts);
      return { text: "Deleted the post. It no longer counts in any ranking." };
    });
  });

  attachRemixHandlers(app, ctx);

  const onReaction = (kind: "add" | "remove") =>
    async ({ event, body, context }: { event: { user: string; reaction: string; item: { type: string; channel?: string; ts?: string }; event_ts: string }; body: { team_id: string; event_id: string }; context: { retryNum?: number } }) => {
      if (event.item.type !== "message" || !event.item.channel || !event.item.ts) return;
      const log = logger.child({ event: `reaction_${kind === "add" ? "added" : "removed"}`, eventId: body.event_id });
      // Slack retries with the same id, and has been seen to resend one event under a new id: the natural key
      // (who, what, where, when) catches both.
      const natural = `slack:reaction_${kind}:${body.team_id}:${event.item.channel}:${event.item.ts}:${event.user}:${event.reaction}:${event.event_ts}`;
      const keys = [`slack:event:${body.event_id}`, natural];
      try {
        if (!(await salon.firstDelivery(keys))) {
          // Slack's retry (X-Slack-Retry-Num) or a resend, on this process or another one: the database knows.
          log.debug({ retry: context.retryNum ?? null }, "already handled: a redelivery");
          return;
        }
        const { clients, directory } = await web.workspaces.forTeam(body.team_id);
        // `+1` and `+1::skin-tone-2` are one emoji here but two reactions on Slack: removing one while the member still
        // shows the other removes nothing.
        if (kind === "remove" && (await stillReacted(clients.client, event.item.channel, event.item.ts, event.user, emojiKey(event.reaction), log))) return;
        await salon.reaction({
          kind,
          community: { platform: "slack", externalId: body.team_id },
          channelId: event.item.channel,
          messageId: event.item.ts,
          userId: event.user,
          emoji: emojiKey(event.reaction),
          // Slack unable to say who reacted fails the event (nothing is counted); a recount reads it again.
          isBot: await directory.isBot(event.user),
        });
      } catch (error) {
        log.error({ err: error }, "reaction handling failed");
        // Not handled after all: let Slack's retry (or a re-send) through.
        await salon.releaseDelivery(keys).catch((e: unknown) => log.error({ err: e }, "could not release the delivery"));
      }
    };
  app.event("reaction_added", onReaction("add"));
  app.event("reaction_removed", onReaction("remove"));

  // Slack tells no account or join dates; a join seen here is the member's age for the minimum-age rules on likes.
  app.event("team_join", async ({ event, body }) => {
    const { team_id: teamId, event_time: eventTime } = body as { team_id: string; event_time?: number };
    try {
      await salon.memberJoined({ platform: "slack", externalId: teamId }, event.user.id, eventTime ? new Date(eventTime * 1000) : undefined);
    } catch (error) {
      logger.error({ err: error, event: "team_join" }, "join handling failed");
    }
  });

  app.event("message", async ({ event, body }) => {
    if (event.subtype !== "message_deleted") return;
    const deleted = event as { channel: string; deleted_ts: string };
    const teamId = (body as { team_id: string }).team_id;
    try {
      await salon.postsDeleted({ platform: "slack", externalId: teamId }, deleted.channel, [deleted.deleted_ts]);
    } catch (error) {
      logger.error({ err: error, event: "message_deleted" }, "deletion handling failed");
    }
  });
}

/** True when the member still shows a reaction that is the same emoji as `emoji` (another skin tone of it). */
async function stillReacted(client: WebClient, channel: string, ts: string, user: string, emoji: string, log: Logger): Promise<boolean> {
  try {
    const result = (await client.reactions.get({ channel, timestamp: ts, full: true })) as { message?: { reactions?: Array<{ name: string; users?: string[] }> } };
    return (result.message?.reactions ?? []).some((r) => emojiKey(r.name) === emoji && (r.users ?? []).includes(user));
  } catch (error) {
    // A deleted message, or Slack unreachable: apply the removal; `/salon recount` corrects it if needed.
    log.warn({ err: error }, "could not re-read the message's reactions");
    return false;
  }
}

async function runSalon({ salon, web, logger }: SlackContext, command: SlashCommand): Promise<Answer> {
  const workspace = await web.workspaces.forTeam(command.team_id);
  const { directory } = workspace;
  const { sub, args } = splitCommand(command.text);
  const isAdmin = ADMIN_SUBCOMMANDS.has(sub) ? await directory.isAdmin(command.user_id) : false;
  const who = actor(command.team_id, command.user_id, isAdmin);
  const nameOf = directory.nameOf;
  switch (sub) {
    case "":
    case "help":
      return { text: SALON_HELP };
    case "top": {
      const period = args.find((a) => (TOP_PERIODS as readonly string[]).includes(a.toLowerCase()))?.toLowerCase() as TopPeriod | undefined;
      const by = args.find((a) => ["creations", "creators"].includes(a.toLowerCase()))?.toLowerCase() as TopBy | undefined;
      if (args.length !== Number(Boolean(period)) + Number(Boolean(by))) throw new UserError("usage", "Usage: `/salon top [today|week|month|all] [creations|creators]`.");
      return { text: await topText(await salon.top(who, period ?? "week", by ?? "creations"), nameOf) };
    }
    case "profile": {
      const target = args[0] ? userId(args[0]) : command.user_id;
      if (!target || args.length > 1) throw new UserError("usage", "Usage: `/salon profile [@member]`.");
      return { text: await profileText(await salon.profile(who, target), nameOf) };
    }
    case "privacy":
      return runPrivacy(salon, who, args[0]?.toLowerCase(), workspace.clients, web.clock, logger, args.slice(1));
    case "setup":
      return { text: await salon.setup(who, parseSetupArgs(args)) };
    case "settings":
      return { text: await salon.settings(who) };
    case "limits": {
      const values = keyValues(args, ["per_member_daily", "budget_usd_daily", "cooldown_seconds", "min_account_age_days", "min_member_age_days"], LIMITS_USAGE);
      return {
        text: await salon.limits(who, {
          perMemberDaily: values.per_member_daily,
          budgetUsdDaily: values.budget_usd_daily,
          cooldownSeconds: values.cooldown_seconds,
          minAccountAgeDays: values.min_account_age_days,
          minMemberAgeDays: values.min_member_age_days,
        }),
      };
    }
    case "digest": {
      const day = args.find((a) => a === "yesterday" || a === "today") as "yesterday" | "today" | undefined;
      const preview = args.includes("preview");
      if (args.length !== Number(Boolean(day)) + Number(preview)) throw new UserError("usage", "Usage: `/salon digest [yesterday|today] [preview]`.");
      const result = await salon.digest(who, day ?? "yesterday", preview);
      switch (result.status) {
        case "preview":
          if (result.digest.entries.length === 0) return { text: `Preview for ${result.digest.title}: no liked creations, so nothing would be posted.` };
          return { text: `Preview (only you can see this):\n${await digestPreviewText(result.digest, nameOf)}` };
        case "posted":
          return { text: digestOutcomeText({ status: "posted", title: result.digest.title, url: result.post.url }) };
        case "empty":
          return { text: digestOutcomeText({ status: "empty", title: result.digest.title }) };
        default:
          return { text: digestOutcomeText(result) };
      }
    }
    case "recount":
      return { text: recountText(await salon.recount(who)) };
    case "block":
    case "unblock": {
      const target = args.length === 1 ? userId(args[0]!) : null;
      if (!target) throw new UserError("usage", `Usage: \`/salon ${sub} @member\`.`);
      return { text: sub === "block" ? await salon.block(who, target) : await salon.unblock(who, target) };
    }
  }
  throw new UserError("unknown_subcommand", `I don't know \`/salon ${echo(sub)}\`.\n${SALON_HELP}`);
}

async function runPrivacy(salon: Salon, who: Actor, sub: string | undefined, clients: SlackClients, clock: Clock, logger: Logger, rest: string[] = []): Promise<Answer> {
  if (sub === "remixes") {
    const setting = rest.length === 1 ? rest[0]!.toLowerCase() : "";
    if (setting !== "on" && setting !== "off") throw new UserError("usage", "Usage: `/salon privacy remixes off` or `/salon privacy remixes on`.");
    return { text: await salon.setRemixesAllowed(who, setting === "on") };
  }
  if (sub === "export") {
    const json = await salon.exportData(who);
    // A file in a direct message: nobody else sees it. Opening the DM again only finds it; the share is sent once.
    const dm = await clients.client.conversations.open({ users: who.userId });
    const fileId = await uploadBytes(clients, clock, { bytes: Buffer.from(json), filename: "salon-export.json" });
    const shared = await shareFile(clients, clock, logger, { fileId, title: "Your Salon data", channelId: dm.channel!.id! });
    if (shared === "uncertain") return { text: "Slack didn't confirm sending your data (salon-export.json). Look in your direct messages with Salon before asking again." };
    return { text: "I sent you a direct message with everything Salon stores about you (salon-export.json)." };
  }
  if (sub === "forget") {
    return { text: forgetText(await salon.forget(who)) };
  }
  throw new UserError("usage", "Usage: `/salon privacy export`, `/salon privacy forget` or `/salon privacy remixes off|on`.");
}
