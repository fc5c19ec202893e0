/**
 * Gateway reaction and deletion events → the core's `reaction` and `postsDeleted`. Partials make reactions on
 * messages posted before a restart arrive too; the adapter flags bots (ours included) before the core sees them.
 */
import { Events, type Client, type Message, type MessageReaction, type PartialMessage, type PartialMessageReaction, type PartialUser, type User, type Collection, type Snowflake, type ReadonlyCollection } from "discord.js";
import type { GatewayDispatchPayload } from "discord-api-types/v10";
import type { Logger } from "../core/ports.js";
import type { ReactionEvent } from "../core/likes.js";
import type { Salon } from "../core/salon.js";
import type { MemberDates } from "../core/types.js";
import { accountCreatedAt, emojiKey } from "./discord-publisher.js";

type AnyReaction = MessageReaction | PartialMessageReaction;
type AnyMessage = Message | PartialMessage;

type EventName = "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" | "MESSAGE_REACTION_REMOVE_ALL" | "MESSAGE_REACTION_REMOVE_EMOJI" | "MESSAGE_DELETE" | "MESSAGE_DELETE_BULK";

/** One message's events: how many unordered ones run, whether an ordered one runs, and what waits behind them. */
interface Lane {
  running: number;
  ordered: boolean;
  waiting: Array<{ ordered: boolean; step: () => Promise<void> }>;
}

export function attachReactionHandlers(client: Client, salon: Salon, logger: Logger): void {
  // Events about one message are applied in the order the gateway delivered them: a remove-all must not overtake
  // the adds before it (it takes fewer database steps). Adds and removals all take the same steps through the store,
  // which serves each step first in, first out (in batches), so they keep their order while several are in flight;
  // a remove-all, a remove-emoji or a deletion ("ordered") waits for every event before it, and every event after it
  // waits for it. Different messages proceed in parallel. (One event at a time per message held a popular post's
  // burst of reactions to a fifth of the rate: bench/README.md, reactions.) A lane is a counter and a queue rather
  // than a chain of promises: a burst keeps thousands of events in flight, and what each holds is copied by the
  // collections of the small young generation `npm start` runs with.
  const lanes = new Map<string, Lane>();
  const start = (messageId: string, lane: Lane, ordered: boolean, step: () => Promise<void>) => {
    if (ordered) lane.ordered = true;
    else lane.running++;
    void step().then(() => {
      if (ordered) lane.ordered = false;
      else lane.running--;
      // Start what waited, in order: unordered events until an ordered one, which starts once nothing else runs.
      while (lane.waiting.length > 0 && !lane.ordered) {
        const next = lane.waiting[0]!;
        if (next.ordered && lane.running > 0) break;
        lane.waiting.shift();
        start(messageId, lane, next.ordered, next.step);
      }
      if (lane.running === 0 && !lane.ordered && lanes.get(messageId) === lane) lanes.delete(messageId);
    });
  };
  const inOrder = (messageId: string, step: () => Promise<void>, ordered: boolean) => {
    let lane = lanes.get(messageId);
    if (!lane) lanes.set(messageId, (lane = { running: 0, ordered: false, waiting: [] }));
    if (lane.ordered || lane.waiting.length > 0 || (ordered && lane.running > 0)) lane.waiting.push({ ordered, step });
    else start(messageId, lane, ordered, step);
  };
  // One child logger per kind of event, made once (not one per event), and one catch per event.
  const logs = new Map<EventName, Logger>();
  const logFor = (event: EventName) => logs.get(event) ?? logs.set(event, logger.child({ event })).get(event)!;
  const guard = (event: EventName, run: (log: Logger) => Promise<unknown>, messageId: string) => {
    const ordered = event !== "MESSAGE_REACTION_ADD" && event !== "MESSAGE_REACTION_REMOVE";
    inOrder(messageId, () => run(logFor(event)).then(
      () => undefined,
      (error: unknown) => logFor(event).error({ err: error }, "event handling failed"),
    ), ordered);
  };

  // A guild's MESSAGE_REACTION_ADD carries the reacting member, with when they joined, but discord.js passes on only
  // the user (and Salon caches no members). "raw" is emitted synchronously just before discord.js handles the same
  // packet, so the join date is kept for the reaction event that follows it.
  let lastAdd: { messageId: string; userId: string; joinedAt: Date | null } | null = null;
  client.on(Events.Raw, (packet: GatewayDispatchPayload) => {
    if (packet.t !== "MESSAGE_REACTION_ADD") return;
    const joined = packet.d.member?.joined_at;
    lastAdd = { messageId: packet.d.message_id, userId: packet.d.user_id, joinedAt: joined ? new Date(joined) : null };
  });
  const memberDates = (messageId: string, userId: string): MemberDates => {
    const joinedAt = lastAdd?.messageId === messageId && lastAdd.userId === userId ? lastAdd.joinedAt : null;
    return { accountCreatedAt: accountCreatedAt(userId), ...(joinedAt ? { joinedAt } : {}) };
  };

  const onReaction = (kind: "add" | "remove") => (reaction: AnyReaction, user: User | PartialUser) => {
    // The event is read here, at once: what waits in a lane is this small object, not discord.js's structures.
    const message = reaction.message;
    if (!message.guildId) return;
    const event: ReactionEvent = {
      kind,
      community: { platform: "discord", externalId: message.guildId },
      channelId: message.channelId,
      messageId: message.id,
      userId: user.id,
      emoji: emojiKey(reaction.emoji),
      isBot: user.id === client.user?.id || user.bot === true,
      ...(kind === "add" ? { member: memberDates(message.id, user.id) } : {}),
    };
    guard(kind === "add" ? "MESSAGE_REACTION_ADD" : "MESSAGE_REACTION_REMOVE", async (log) => {
      const likes = await salon.reaction(event);
      if (likes !== null) log.debug({ messageId: event.messageId, userId: event.userId, likes }, "reaction recorded");
    }, event.messageId);
  };

  client.on("messageReactionAdd", onReaction("add"));
  client.on("messageReactionRemove", onReaction("remove"));
  client.on("messageReactionRemoveAll", (message: AnyMessage) =>
    guard("MESSAGE_REACTION_REMOVE_ALL", async () => {
      if (!message.guildId) return;
      await salon.reaction({ kind: "remove_all", community: { platform: "discord", externalId: message.guildId }, channelId: message.channelId, messageId: message.id });
    }, message.id),
  );
  client.on("messageReactionRemoveEmoji", (reaction: AnyReaction) =>
    guard("MESSAGE_REACTION_REMOVE_EMOJI", async () => {
      const message = reaction.message;
      if (!message.guildId) return;
      await salon.reaction({
        kind: "remove_emoji",
        community: { platform: "discord", externalId: message.guildId },
        channelId: message.channelId,
        messageId: message.id,
        emoji: emojiKey(reaction.emoji),
      });
    }, reaction.message.id),
  );
  client.on("messageDelete", (message: AnyMessage) =>
    guard("MESSAGE_DELETE", async () => {
      if (!message.guildId) return;
      await salon.postsDeleted({ platform: "discord", externalId: message.guildId }, message.channelId, [message.id]);
    }, message.id),
  );
  client.on("messageDeleteBulk", (messages: ReadonlyCollection<Snowflake, AnyMessage> | Collection<Snowflake, AnyMessage>) =>
    guard("MESSAGE_DELETE_BULK", async () => {
      const first = messages.first();
      if (!first?.guildId) return;
      await salon.postsDeleted({ platform: "discord", externalId: first.guildId }, first.channelId, [...messages.keys()]);
    }, "bulk"),
  );
}
