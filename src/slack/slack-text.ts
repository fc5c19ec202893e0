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
  "Usage: `/imagine <prompt> [--aspect square|portrait|landscape] [--quality low|medium|high]`, e.g. `/imagine a lighthouse at dawn --aspect landscape`.";

/** `/imagine` text → prompt and options. Malformed flags get the usage, never a guess. */
export function parseImagine(text: string): { prompt: string; aspect?: Aspect; quality?: Quality } {
  const words: string[] = [];
  const options: { aspect?: Aspect; quality?: Quality } = {};
  const tokens = text.split(/(\s+)/);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flag = /^--([a-z-]+)(?:=(.*))?$/i.exec(token);
    if (!flag) {
      words.push(token);
      continue;
    }
    const name = flag[1]!.toLowerCase();
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

/** Splits `/salon` text into the subcommand and its arguments. */
export function splitCommand(text: string): { sub: string; args: string[] } {
  const [sub = "", ...args] = text.trim().split(/\s+/).filter(Boolean);
  return { sub: sub.toLowerCase(), args };
}

/** `key=value` / `key:value` arguments, for `/salon limits`. Unknown keys are an error. */
export function keyValues(args: string[], known: readonly string[], usage: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const match = /^([a-z_]+)[=:](.+)$/i.exec(arg);
    if (!match || !known.includes(match[1]!.toLowerCase())) throw new UserError("bad_args", `I don't understand \`${plainText(arg)}\`. ${usage}`);
    out[match[1]!.toLowerCase()] = match[2]!;
  }
  return out;
}
