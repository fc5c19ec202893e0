/**
 * Gateway reaction and deletion events → the core's `reaction` and `postsDeleted`. Partials make reactions on
 * messages posted before a restart arrive too; the adapter flags bots (ours included) before the core sees them.
 */
import type { Client, Message, MessageReaction, PartialMessage, PartialMessageReaction, PartialUser, User, Collection, Snowflake, ReadonlyCollection } from "discord.js";
import type { Logger } from "../core/ports.js";
import type { Salon } from "../core/salon.js";
import { emojiKey } from "./discord-publisher.js";

type AnyReaction = MessageReaction | PartialMessageReaction;
type AnyMessage = Message | PartialMessage;

export function attachReactionHandlers(client: Client, salon: Salon, logger: Logger): void {
  // Events about one message are applied in the order the gateway delivered them: a remove-all must not overtake
  // the adds before it (it takes fewer database steps). Different messages still proceed in parallel.
  const chains = new Map<string, Promise<void>>();
  const inOrder = (messageId: string, step: () => Promise<void>) => {
    const next = (chains.get(messageId) ?? Promise.resolve()).then(step);
    chains.set(messageId, next);
    void next.then(() => {
      if (chains.get(messageId) === next) chains.delete(messageId);
    });
  };
  const guard = (event: string, run: (log: Logger) => Promise<unknown>, messageId: string) => {
    const log = logger.child({ event });
    inOrder(messageId, () => run(log).then(
      () => undefined,
      (error: unknown) => log.error({ err: error }, "event handling failed"),
    ));
  };

  const onReaction = (kind: "add" | "remove") => (reaction: AnyReaction, user: User | PartialUser) =>
    guard(kind === "add" ? "MESSAGE_REACTION_ADD" : "MESSAGE_REACTION_REMOVE", async (log) => {
      const message = reaction.message;
      if (!message.guildId) return;
      const isBot = user.id === client.user?.id || user.bot === true;
      const likes = await salon.reaction({
        kind,
        community: { platform: "discord", externalId: message.guildId },
        channelId: message.channelId,
        messageId: message.id,
        userId: user.id,
        emoji: emojiKey(reaction.emoji),
        isBot,
      });
      if (likes !== null) log.debug({ messageId: message.id, userId: user.id, likes }, "reaction recorded");
    }, reaction.message.id);

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
