/**
 * Platform words in the core's sentences. The core never writes a platform's syntax (`<#id>` links a channel on
 * Discord and Slack, but `/imagine prompt: …` is Discord's and `/imagine …` Slack's): it marks a channel, a member or
 * a command hint with these functions, and each adapter renders the marks as its platform writes them
 * (`renderWords`) before anything reaches the platform. A mark is an object's JSON between two private-use
 * characters; text a member typed is stripped of those characters before the core quotes it (`unmarked`), so it can
 * never forge one.
 */

const OPEN = "\uE000";
const CLOSE = "\uE001";

/** What a mark stands for. */
export type Word =
  | { kind: "channel"; id: string }
  | { kind: "member"; id: string }
  /** A command, by its path in Salon's own terms (`imagine`, `salon setup`, `top`), with an example of its main argument. */
  | { kind: "command"; path: string; example?: string };

const mark = (word: Word) => `${OPEN}${JSON.stringify(word)}${CLOSE}`;

/** A channel of the community (a link where the platform has one). */
export const channel = (id: string): string => mark({ kind: "channel", id });
/** A member of the community (named or mentioned without a ping, as the platform does it). */
export const member = (id: string): string => mark({ kind: "member", id });
/** A command hint: `command("imagine", "a lighthouse at dawn")`, `command("salon settings")`. */
export const command = (path: string, example?: string): string => mark(example === undefined ? { kind: "command", path } : { kind: "command", path, example });

const MARK = new RegExp(`${OPEN}([^${OPEN}${CLOSE}]*)${CLOSE}`, "g");

/**
 * The core's sentence with every mark rendered by the platform's `render`. Only the core makes marks (members' text is
 * `unmarked`), so one that does not parse is a bug, and throws.
 */
export function renderWords(text: string, render: (word: Word) => string): string {
  return text.replace(MARK, (_whole, json: string) => render(JSON.parse(json) as Word));
}

/** Text a member typed, as the core may quote it: the characters that delimit marks are taken out. */
export function unmarked(text: string): string {
  return text.replace(/[\uE000\uE001]/g, "");
}
