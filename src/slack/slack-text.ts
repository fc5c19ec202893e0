/**
 * Slack text in and out. Commands arrive with escaping on, so channels and users are `<#C…|name>` and `<@U…|name>`;
 * anything echoed back is escaped (`&`, `<`, `>`) so a prompt can never ping or link.
 */
import { UserError } from "../core/errors.js";
import { ASPECTS, QUALITIES, type Aspect, type Quality } from "../core/types.js";

/** Escapes the three characters Slack treats as control characters in message text. */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Turns Slack's escaped references into plain text (`<@U1|ana>` → `@ana`, `<!channel>` → `@channel`, `&amp;` → `&`). */
export function plainText(text: string): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, name?: string) => `@${name || id}`)
    .replace(/<#(C[A-Z0-9]+|G[A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, name?: string) => `#${name || id}`)
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_, name?: string) => name || "@group")
    .replace(/<!([a-z]+)(?:\|([^>]*))?>/g, (_, word: string, label?: string) => label || `@${word}`)
    .replace(/<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>/g, (_, url: string, label?: string) => label || url)
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export const IMAGINE_USAGE =
  "Usage: `/imagine <prompt> [--aspect square|portrait|landscape] [--quality low|medium|high] [--polish]`, e.g. `/imagine a lighthouse at dawn --aspect landscape`.";

/** `/imagine` text → prompt and options. Malformed flags get the usage, never a guess. */
export function parseImagine(text: string): { prompt: string; aspect?: Aspect; quality?: Quality; polish?: true } {
  const words: string[] = [];
  const options: { aspect?: Aspect; quality?: Quality; polish?: true } = {};
  const tokens = text.split(/(\s+)/);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flag = /^--([a-z-]+)(?:=(.*))?$/i.exec(token);
    if (!flag) {
      words.push(token);
      continue;
    }
    // The space before a flag goes with it: "a cat --aspect portrait on a mat" is "a cat on a mat", one space.
    if (words.length > 0 && /^\s+$/.test(words[words.length - 1]!)) words.pop();
    const name = flag[1]!.toLowerCase();
    // `--polish` is a switch: it takes no value.
    if (name === "polish" && flag[2] === undefined) {
      if (options.polish) throw new UserError("bad_flag", `\`--polish\` is given twice. ${IMAGINE_USAGE}`);
      options.polish = true;
      continue;
    }
    let value = flag[2];
    if (value === undefined) {
      // the value is the next non-space token
      while (i + 1 < tokens.length && /^\s*$/.test(tokens[i + 1]!)) i++;
      value = tokens[++i];
    }
    if (name !== "aspect" && name !== "quality") throw new UserError("bad_flag", `Unknown option \`--${name}\`. ${IMAGINE_USAGE}`);
    const allowed: readonly string[] = name === "aspect" ? ASPECTS : QUALITIES;
    if (!value || !allowed.includes(value.toLowerCase())) {
      throw new UserError("bad_flag", `\`--${name}\` takes one of ${allowed.join(", ")}. ${IMAGINE_USAGE}`);
    }
    if (options[name] !== undefined) throw new UserError("bad_flag", `\`--${name}\` is given twice. ${IMAGINE_USAGE}`);
    (options as Record<string, string>)[name] = value.toLowerCase();
  }
  return { prompt: plainText(words.join("")).trim(), ...options };
}

/** A channel reference `<#C123|name>` or `<#C123>` → `C123`. */
export function channelId(token: string): string | null {
  return /^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token)?.[1] ?? null;
}

/** A user reference `<@U123|name>` or `<@U123>` → `U123`. */
export function userId(token: string): string | null {
  return /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token)?.[1] ?? null;
}

/** A creation id carried in a button's value (the database's 32-bit `Int`), or null when it was never one of ours. */
export function creationIdOf(value: unknown): number | null {
  if (typeof value !== "string" || !/^[1-9][0-9]{0,9}$/.test(value)) return null;
  const id = Number(value);
  return id <= 2_147_483_647 ? id : null;
}

/** Splits `/salon` text into the subcommand and its arguments. */
export function splitCommand(text: string): { sub: string; args: string[] } {
  const [sub = "", ...args] = text.trim().split(/\s+/).filter(Boolean);
  return { sub: sub.toLowerCase(), args };
}

/** What a member typed, as Slack text that shows it and can never mention or link (`<!channel>` shows as `@channel`). */
export function echo(token: string, max = 40): string {
  const chars = [...plainText(token)];
  return escapeText(chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`);
}

/** `key=value` / `key:value` arguments, for `/salon limits`. Unknown and repeated keys are an error. */
export function keyValues(args: string[], known: readonly string[], usage: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const match = /^([a-z_]+)[=:](.+)$/i.exec(arg);
    if (!match || !known.includes(match[1]!.toLowerCase())) throw new UserError("bad_args", `I don't understand \`${echo(arg)}\`. ${usage}`);
    const key = match[1]!.toLowerCase();
    if (out[key] !== undefined) throw new UserError("bad_args", `\`${key}\` is given twice. ${usage}`);
    out[key] = match[2]!;
  }
  return out;
}

export const SETUP_USAGE = "Usage: `/salon setup #gallery [#digest] [HH:MM] [Time/Zone]`, e.g. `/salon setup #gallery #digest 09:00 Europe/Paris`.";

/**
 * `/salon setup` arguments: one or two channel references (gallery, then digest), at most one time (anything shaped
 * like `H:M`, checked by the core) and at most one time zone (any other word). Anything else is the usage: an extra
 * word is never ignored, and a mention is never taken for a time zone.
 */
export function parseSetupArgs(args: string[]): { galleryChannelId: string; digestChannelId?: string; digestTime?: string; timezone?: string } {
  const channels: string[] = [];
  const times: string[] = [];
  const zones: string[] = [];
  for (const arg of args) {
    const channel = channelId(arg);
    if (channel) channels.push(channel);
    else if (/^[+-]?[0-9]+:[0-9]+$/.test(arg)) times.push(arg);
    else if (/[<>&]/.test(arg)) throw new UserError("usage", SETUP_USAGE);
    else zones.push(arg);
  }
  const [galleryChannelId, digestChannelId] = channels;
  if (!galleryChannelId || channels.length > 2 || times.length > 1 || zones.length > 1) throw new UserError("usage", SETUP_USAGE);
  return {
    galleryChannelId,
    ...(digestChannelId ? { digestChannelId } : {}),
    ...(times[0] ? { digestTime: times[0] } : {}),
    ...(zones[0] ? { timezone: zones[0] } : {}),
  };
}
