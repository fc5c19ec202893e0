/** Domain answers → Slack text and Block Kit. Names, never mentions, where a mention would ping. */
import { excerpt, likes } from "../core/format.js";
import type { JobStatus, RemixCredit } from "../core/ports.js";
import type { TopView } from "../core/rankings.js";
import type { Creation, DigestView, ProfileView } from "../core/types.js";
import { creationTitle } from "../core/titles.js";
import { escapeText } from "./slack-text.js";
import { slackText } from "./slack-words.js";

/** Resolves a user id to a display name (cached by the caller). */
export type NameOf = (userId: string) => Promise<string>;

export const CANCEL_ACTION = "salon_cancel";
/** Who a member is once they asked to be forgotten. */
export const FORMER_MEMBER = "a former member";
export const DELETE_SHORTCUT = "salon_delete";

/** Slack's own markdown for bold and links. */
const link = (url: string, label: string) => (url ? `<${url}|${escapeText(label)}>` : escapeText(label));

export async function galleryText(creation: Creation, nameOf: NameOf, remixOf: RemixCredit | null = null): Promise<string> {
  return [
    `🎨 *${escapeText(creation.prompt)}*`,
    `by ${escapeText(await nameOf(creation.authorUserId))} · ${creation.model} · ${creation.quality} · ${creation.size} · react to like`,
    ...(remixOf ? [await remixCreditText(remixOf, nameOf)] : []),
  ].join("\n");
}

/** "Remix of <parent post> by <creator's name>" (a name: no mention, no ping), or "a former member" once the parent is gone. */
export async function remixCreditText(credit: RemixCredit, nameOf: NameOf): Promise<string> {
  if (credit.parentUrl === null || credit.parentAuthorUserId === null) return `🔁 Remix of a creation by ${FORMER_MEMBER}`;
  return `🔁 Remix of ${link(credit.parentUrl, "this post")} by ${escapeText(await nameOf(credit.parentAuthorUserId))}`;
}

export function statusBody(status: JobStatus) {
  switch (status.state) {
    case "queued": {
      const text = `⏳ Queued — position ${status.position}. I'll update this message as it goes.`;
      return {
        text,
        blocks: [
          { type: "section", text: { type: "mrkdwn", text } },
          { type: "actions", elements: [{ type: "button", action_id: CANCEL_ACTION, text: { type: "plain_text", text: "Cancel" }, value: String(status.creationId) }] },
        ],
      };
    }
    case "generating":
      return { text: status.preview ? `🎨 Generating your image — preview ${status.preview.index} of ${status.preview.of}` : "🎨 Generating your image…" };
    case "posted":
      return { text: `✅ Posted to the gallery: ${status.url}` };
    case "failed":
      return { text: `⚠️ ${slackText(status.reason)}` };
    case "cancelled":
      return { text: "Cancelled. It won't count toward your daily limit." };
  }
}

/** The digest's title, which also starts its message text: it identifies a posted digest when looking before a repost. */
export function digestTitle(digest: Pick<DigestView, "title">): string {
  return `🏆 Salon digest — ${digest.title}`;
}

/** A remix's original creator, beside the remixer: a name, no mention. */
async function remixOfText(e: Pick<DigestView["entries"][number], "remixOf">, nameOf: NameOf): Promise<string> {
  if (e.remixOf === null) return "";
  return ` (remix of ${e.remixOf.authorUserId === null ? FORMER_MEMBER : escapeText(await nameOf(e.remixOf.authorUserId))})`;
}

export async function digestBlocks(digest: DigestView, nameOf: NameOf, collageFileId: string | null) {
  const title = digestTitle(digest);
  const entries = await Promise.all(
    digest.entries.map(async (e) => ({
      type: "section",
      // A former member (forgotten since the digest was posted) is named as such: no prompt, no name, no link.
      text: {
        type: "mrkdwn",
        text:
          e.authorUserId === null
            ? `*${e.rank}.* A creation by ${FORMER_MEMBER} — ${likes(e.likeCount)}`
            : `*${e.rank}.* “${escapeText(creationTitle(e, 90))}” by ${escapeText(await nameOf(e.authorUserId))}${await remixOfText(e, nameOf)} — ${likes(e.likeCount)} — ${link(e.url, "view")}`,
      },
    })),
  );
  const top = digest.summary.topCreator;
  const topName = top && (top.userId === null ? FORMER_MEMBER : escapeText(await nameOf(top.userId)));
  const summary =
    `${digest.summary.creations} ${digest.summary.creations === 1 ? "creation" : "creations"} · ${digest.summary.likers} ${digest.summary.likers === 1 ? "liker" : "likers"}` +
    (top ? ` · top creator ${topName} (${likes(top.likeCount)})` : "");
  const blocks: object[] = [{ type: "header", text: { type: "plain_text", text: title.slice(0, 150) } }, ...entries, { type: "context", elements: [{ type: "mrkdwn", text: summary }] }];
  if (collageFileId) blocks.push({ type: "image", slack_file: { id: collageFileId }, alt_text: `Top creations of ${digest.title}` });
  return { text: `${title}: ${digest.entries.length} top creations`, blocks };
}

/** The digest as text, from the same blocks it is posted with: for the admin's ephemeral preview. */
export async function digestPreviewText(digest: DigestView, nameOf: NameOf): Promise<string> {
  const { blocks } = await digestBlocks(digest, nameOf, null);
  return (blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>)
    .map((b) => (b.type === "header" ? `*${b.text!.text}*` : b.type === "context" ? b.elements!.map((e) => e.text).join(" ") : b.text!.text))
    .join("\n");
}

const PERIOD_TITLE = { today: "today", week: "this week", month: "this month", all: "of all time" } as const;

export async function topText(view: TopView, nameOf: NameOf): Promise<string> {
  if (view.entries.length === 0) return `No liked creations ${PERIOD_TITLE[view.period]} yet. Make something and react to your favourites!`;
  if (view.by === "creators") {
    const lines = await Promise.all(
      view.entries.map(async (e) => `*${e.rank}.* ${escapeText(await nameOf(e.userId))} — ${likes(e.likeCount)} across ${e.creations} ${e.creations === 1 ? "creation" : "creations"}${e.bestUrl ? ` — ${link(e.bestUrl, "best")}` : ""}`),
    );
    return [`*Top creators ${PERIOD_TITLE[view.period]}*`, ...lines].join("\n");
  }
  const lines = await Promise.all(
    view.entries.map(async (e) => `*${e.rank}.* “${escapeText(creationTitle(e, 70))}” by ${escapeText(await nameOf(e.authorUserId))} — ${likes(e.likeCount)} — ${link(e.url, "view")}`),
  );
  return [`*Top creations ${PERIOD_TITLE[view.period]}*`, ...lines].join("\n");
}

export async function profileText(view: ProfileView, nameOf: NameOf): Promise<string> {
  return [
    `*Profile of ${escapeText(await nameOf(view.userId))}*`,
    `Creations: ${view.creations}`,
    `Likes received: ${likes(view.likesReceived)}`,
    `Best creation: ${view.best ? `“${escapeText(creationTitle(view.best, 70))}” — ${likes(view.best.likeCount)} — ${link(view.best.url, "view")}` : "none liked yet"}`,
    `Rank this week: ${view.weekRank === null ? "unranked" : `#${view.weekRank}`}`,
    `Daily streak: ${view.streakDays} ${view.streakDays === 1 ? "day" : "days"}`,
    `Remixes: ${view.remixesMade} made, ${view.remixesReceived} received from others`,
  ].join("\n");
}

/** Core answers use Discord-style `**bold**` nowhere, but mentions `<@id>`/`<#id>` mean the same on Slack. */
export const SALON_HELP = [
  "*Salon* — create images, like them with reactions, and read the daily digest.",
  "`/imagine <prompt> [--aspect square|portrait|landscape] [--quality low|medium|high] [--polish]`",
  "`/salon top [today|week|month|all] [creations|creators]` · `/salon profile [@member]` · `/salon privacy export|forget`",
  "Admins: `/salon setup #gallery [#digest] [HH:MM] [Time/Zone]` · `/salon settings` · `/salon limits per_member_daily=10 budget_usd_daily=5 cooldown_seconds=30 min_member_age_days=7` · `/salon digest [yesterday|today] [preview]` · `/salon recount` · `/salon block @member` · `/salon unblock @member`",
  "Delete a gallery post: ⋮ on the post → *Delete creation* (its creator or an admin).",
].join("\n");
