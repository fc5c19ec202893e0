/**
 * Text a member typed (a prompt), made literal for Discord's markdown before Salon echoes it in a post of its own: a
 * prompt must not turn the gallery post, the digest, `/top` or `/profile` into a masked link, a heading, a spoiler,
 * subtext, a list, a block quote, code, bold or italics that run past it, a mention or a timestamp.
 *
 * Discord reads a backslash before any punctuation as that punctuation alone, so the escaped text reads exactly as the
 * member typed it. discord.js's `escapeMarkdown` is not enough, even with every option on: it leaves subtext (`-# `),
 * block quotes (`> `), every masked link after the first on a line, italics after a `<:` anywhere before them, mentions
 * and links as they are.
 */

/**
 * Characters that start or end something wherever they stand: escapes, emphasis, strikethrough, spoilers, code, masked
 * links (`[`), mentions, emoji and timestamps (`<`), `@everyone`; and the `:` of a link's `://`.
 */
const ANYWHERE = /[\\*_~|`[\]<@]|:(?=\/\/)/g;

/**
 * What makes a block only at the start of a line (spaces before it allowed): headings (`#`), block quotes (`>`),
 * subtext and lists (`-`, `+`, `1.`). Once the first marker of a line is escaped, the rest of the line is text: what
 * follows an escape is never the start of a line. Inside a line they mean nothing: `burst #3` or `a -> b` stay as typed.
 */
const LINE_START = /^([^\S\n]*)(#+|>+|-|\+|\d+\.)/gm;

export function escapeMarkdown(text: string): string {
  return text.replace(ANYWHERE, "\\$&").replace(LINE_START, (_match, space: string, marker: string) => `${space}${escapeMarker(marker)}`);
}

/** `##` → `\#\#`, `>>>` → `\>\>\>`, `-` → `\-`, `12.` → `12\.`. */
function escapeMarker(marker: string): string {
  return /^\d/.test(marker) ? `${marker.slice(0, -1)}\\.` : marker.replace(/./g, "\\$&");
}
