/**
 * Domain answers → Discord message bodies. Echoed text never pings (every body carries empty allowed_mentions) and
 * never formats: a prompt is shown literal to markdown ({@link literal}).
 */
import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from "discord-api-types/v10";
import { excerpt, likes } from "../core/format.js";
import { creationAltText, creationTitle } from "../core/titles.js";
import type { JobStatus, RemixCredit } from "../core/ports.js";
import { discordText } from "./words.js";
import type { TopView } from "../core/rankings.js";
import type { Creation, DigestView, ProfileView } from "../core/types.js";
import { escapeMarkdown } from "./markdown.js";

export const NO_PINGS = { parse: [] as never[] };
const CONTENT_LIMIT = 2000;

export function truncate(text: string, max = CONTENT_LIMIT): string {
  if (text.length <= max) return text;
  // Never cut between the two halves of a surrogate pair: half an emoji is not text.
  const cut = /[\uD800-\uDBFF]/.test(text[max - 2] ?? "") ? max - 2 : max - 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * Nonces of the messages Salon posts with `enforce_nonce`. Discord dedupes those by author, in every channel, for a
 * few minutes ("if another message was created by the same author with the same nonce, that message will be
 * returned"), so each nonce names the one message it belongs to — never the time alone, never shared by two
 * communities — within Discord's 25 characters (ids are the database's 32-bit `Int`, 10 digits at most).
 */
export const nonceOf = {
  /** A creation's gallery post (≤ 25). */
  creation: (creationId: number) => `salon-creation-${creationId}`,
  /** A community's digest of one day (`YYYY-MM-DD`) (≤ 24). */
  digest: (communityId: number, day: string) => `dgst-${communityId}-${day.replaceAll("-", "")}`,
  /** The message that tells a member how their creation ended, once its interaction token is spent (≤ 18). */
  outcome: (creationId: number) => `outcome-${creationId}`,
};

/**
 * A member's text as a post shows it: literal to Discord's markdown (see {@link escapeMarkdown}), cut on the text
 * itself (with an ellipsis) so that the escaped form fits `max` characters.
 */
export function literal(text: string, max = CONTENT_LIMIT): string {
  let escaped = escapeMarkdown(text);
  // Each character escapes to two at most, so this ends, and after a step or two for ordinary text.
  for (let keep = text.length; escaped.length > max; ) {
    keep -= escaped.length - max;
    escaped = escapeMarkdown(truncate(text, keep));
  }
  return escaped;
}

/** A creation in a list (digest, `/top`, `/profile`): its title (else its prompt's excerpt), literal. */
const quotedTitle = (c: { title: string | null; prompt: string }, max: number) => `“${escapeMarkdown(creationTitle(c, max))}”`;

/** Custom ids of Salon's buttons (and of the remix form): `salon:<action>:<creationId>`. */
export const buttonId = (action: "cancel" | "delete" | "remix", creationId: number) => `salon:${action}:${creationId}`;

/** Creation ids are the database's 32-bit `Int`: a larger id in a custom id was never ours. */
const MAX_ID = 2_147_483_647;

export function parseButtonId(customId: string): { action: "cancel" | "delete" | "remix"; creationId: number } | null {
  const match = /^salon:(cancel|delete|remix):([1-9][0-9]{0,9})$/.exec(customId);
  if (!match || Number(match[2]) > MAX_ID) return null;
  return { action: match[1] as "cancel" | "delete" | "remix", creationId: Number(match[2]) };
}

function row(...buttons: APIButtonComponent[]): APIActionRowComponent<APIButtonComponent> {
  return { type: ComponentType.ActionRow, components: buttons };
}

export function imageFileName(creation: Pick<Creation, "id">, mimeType: string): string {
  return `salon-${creation.id}.${mimeType === "image/jpeg" ? "jpg" : "png"}`;
}

/**
 * The gallery post: title, image (with its alt text as the attachment's description), prompt, creator (no ping),
 * model/quality/size, a remix's credit line, Remix and Delete buttons.
 */
export function galleryPost(creation: Creation, fileName: string, remixOf: RemixCredit | null = null) {
  const embed: APIEmbed = {
    title: literal(creationTitle(creation), 256),
    description: literal(creation.prompt, 4096),
    image: { url: `attachment://${fileName}` },
    fields: [
      { name: "Creator", value: `<@${creation.authorUserId}>`, inline: true },
      { name: "Model", value: creation.model, inline: true },
      { name: "Quality · Size", value: `${creation.quality} · ${creation.size}`, inline: true },
    ],
    footer: { text: "React to like · Salon" },
  };
  return {
    content: `🎨 New creation by <@${creation.authorUserId}>${remixOf ? `\n${remixCreditLine(remixOf)}` : ""}`,
    embeds: [embed],
    // The attachment's description is what screen readers say for the image (Discord allows 1024 characters).
    attachments: [{ id: 0, filename: fileName, description: creationAltText(creation).slice(0, 1024) }],
    components: [
      row(
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: "Remix", emoji: { name: "🔁" }, custom_id: buttonId("remix", creation.id) },
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: "Delete", emoji: { name: "🗑️" }, custom_id: buttonId("delete", creation.id) },
      ),
    ],
    allowed_mentions: NO_PINGS,
    // Discord drops a second message with the same nonce for a few minutes: a retried post can't appear twice.
    nonce: nonceOf.creation(creation.id),
    enforce_nonce: true,
  };
}

/** "Remix of <parent post> by <creator>" (sent with no pings), or "a former member" once the parent is gone. */
export function remixCreditLine(credit: RemixCredit): string {
  if (credit.parentUrl === null || credit.parentAuthorUserId === null) return `🔁 Remix of a creation by ${FORMER_MEMBER}`;
  return `🔁 Remix of ${credit.parentUrl} by <@${credit.parentAuthorUserId}>`;
}

export function statusMessage(status: JobStatus) {
  switch (status.state) {
    case "queued":
      return {
        content: `⏳ Queued — position ${status.position}. I'll update this message as it goes.`,
        components: [row({ type: ComponentType.Button, style: ButtonStyle.Secondary, label: "Cancel", custom_id: buttonId("cancel", status.creationId) })],
        allowed_mentions: NO_PINGS,
      };
    case "generating":
      return { content: status.preview ? `🎨 Generating your image — preview ${status.preview.index} of ${status.preview.of}` : "🎨 Generating your image…", components: [], allowed_mentions: NO_PINGS };
    case "posted":
      return { content: `✅ Posted to the gallery: ${status.url}`, components: [], allowed_mentions: NO_PINGS };
    case "failed":
      return { content: `⚠️ ${truncate(discordText(status.reason))}`, components: [], allowed_mentions: NO_PINGS };
    case "cancelled":
      return { content: "Cancelled. It won't count toward your daily limit.", components: [], allowed_mentions: NO_PINGS };
  }
}

/** How a creation ended: what the member must learn even once their status message can't be edited. */
export type FinalStatus = Extract<JobStatus, { state: "posted" | "failed" }>;

/**
 * The final outcome as an ordinary message (in the channel where the member ran `/imagine`, or a DM), for when the
 * status message's interaction token is spent: it mentions the member and may ping only them. Its nonce is the
 * creation's: a retry, or the DM after a channel message whose answer was lost, can't tell them twice.
 */
export function outcomeMessage(status: FinalStatus, userId: string) {
  const text = status.state === "posted" ? `✅ Your \`/imagine\` is posted to the gallery: ${status.url}` : `⚠️ About your \`/imagine\`: ${discordText(status.reason)}`;
  return {
    content: truncate(`<@${userId}> ${text}`),
    allowed_mentions: { parse: [] as never[], users: [userId] },
    nonce: nonceOf.outcome(status.creationId),
    enforce_nonce: true,
  };
}

/** Who a member is once they asked to be forgotten. */
export const FORMER_MEMBER = "a former member";

/** The digest's first line, which also identifies a posted digest when looking before a repost. */
export function digestTitleLine(digest: Pick<DigestView, "title">): string {
  return `🏆 **Salon digest — ${digest.title}**`;
}

/** A remix's original creator, beside the remixer (no ping: the digest is sent with no mentions allowed). */
const remixOfText = (e: Pick<DigestView["entries"][number], "remixOf">) =>
  e.remixOf === null ? "" : ` (remix of ${e.remixOf.authorUserId === null ? FORMER_MEMBER : `<@${e.remixOf.authorUserId}>`})`;

export function digestMessage(digest: DigestView): string {
  const lines = [digestTitleLine(digest), ""];
  for (const e of digest.entries) {
    // A former member (forgotten since the digest was posted) is named as such: no prompt, no mention, no link.
    if (e.authorUserId === null) lines.push(`**${e.rank}.** A creation by ${FORMER_MEMBER} — ${likes(e.likeCount)}`);
    else lines.push(`**${e.rank}.** ${quotedTitle(e, 90)} by <@${e.authorUserId}>${remixOfText(e)} — ${likes(e.likeCount)} — ${e.url}`);
  }
  const top = digest.summary.topCreator;
  lines.push(
    "",
    `${digest.summary.creations} ${digest.summary.creations === 1 ? "creation" : "creations"} · ${digest.summary.likers} ${digest.summary.likers === 1 ? "liker" : "likers"}` +
      (top ? ` · top creator ${top.userId === null ? FORMER_MEMBER : `<@${top.userId}>`} (${likes(top.likeCount)})` : ""),
  );
  return truncate(lines.join("\n"));
}

const PERIOD_TITLE = { today: "today", week: "this week", month: "this month", all: "of all time" } as const;

export function topMessage(view: TopView): string {
  if (view.entries.length === 0) return `No liked creations ${PERIOD_TITLE[view.period]} yet. Make something and react to your favourites!`;
  if (view.by === "creators") {
    const lines = view.entries.map((e) => `**${e.rank}.** <@${e.userId}> — ${likes(e.likeCount)} across ${e.creations} ${e.creations === 1 ? "creation" : "creations"}${e.bestUrl ? ` — best: ${e.bestUrl}` : ""}`);
    return truncate([`**Top creators ${PERIOD_TITLE[view.period]}**`, ...lines].join("\n"));
  }
  const lines = view.entries.map((e) => `**${e.rank}.** ${quotedTitle(e, 70)} by <@${e.authorUserId}> — ${likes(e.likeCount)} — ${e.url}`);
  return truncate([`**Top creations ${PERIOD_TITLE[view.period]}**`, ...lines].join("\n"));
}

const remixesLine = (view: ProfileView) => `Remixes: ${view.remixesMade} made, ${view.remixesReceived} received from others`;

export function profileMessage(view: ProfileView): string {
  return truncate(
    [
      `**Profile of <@${view.userId}>**`,
      `Creations: ${view.creations}`,
      `Likes received: ${likes(view.likesReceived)}`,
      `Best creation: ${view.best ? `${quotedTitle(view.best, 70)} — ${likes(view.best.likeCount)} — ${view.best.url}` : "none liked yet"}`,
      `Rank this week: ${view.weekRank === null ? "unranked" : `#${view.weekRank}`}`,
      `Daily streak: ${view.streakDays} ${view.streakDays === 1 ? "day" : "days"}`,
      remixesLine(view),
    ].join("\n"),
  );
}
