/** A reaction emoji as Discord represents it. */
export interface EmojiRef {
  id: string | null;
  name: string;
  animated?: boolean;
}

/**
 * Parses `👍`, `name:id`, `a:name:id`, `<:name:id>` or `<a:name:id>` (already percent-decoded).
 * A bare snowflake is read as a custom emoji id with an unknown name.
 */
export function parseEmoji(input: string): EmojiRef {
  const text = input.trim().replace(/^<(.*)>$/, '$1');
  const custom = /^(?:(a):)?([\w~-]{1,32}):(\d{5,20})$/.exec(text);
  if (custom) {
    const [, animated, name, id] = custom;
    return animated ? { id: id!, name: name!, animated: true } : { id: id!, name: name! };
  }
  if (/^\d{5,20}$/.test(text)) return { id: text, name: '_' };
  return { id: null, name: text };
}

/** Identity used to match reactions: the id of a custom emoji, the character(s) of a unicode emoji. */
export function emojiKey(emoji: { id: string | null; name: string | null }): string {
  return emoji.id ?? emoji.name ?? '';
}

/** The `emoji` object of gateway payloads and reaction summaries. */
export function emojiPayload(emoji: EmojiRef): Record<string, unknown> {
  return emoji.id ? { id: emoji.id, name: emoji.name, animated: emoji.animated === true } : { id: null, name: emoji.name };
}
