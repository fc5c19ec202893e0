/**
 * Properties of the Slack text parsers (src/slack/slack-text.ts). Slack sends command text with escaping on: a typed
 * `<`, `>` and `&` arrive as `&lt;`, `&gt;`, `&amp;`, and mentions as `<@U…|name>`, `<#C…|name>`, `<!here>`. The
 * behaviour pinned down:
 * - `/imagine` flags `--aspect` and `--quality` (value after a space or `=`, any case, anywhere in the text) are taken
 *   out of the prompt with the space before them; unknown, repeated or value-less flags get the usage;
 * - references are exactly `<#C…>`/`<#G…>` (optionally `|name`) for channels and `<@U…>`/`<@W…>` for users;
 * - `/salon setup` takes one or two channels, at most one `H:M`-shaped time and at most one zone word, in any order
 *   (the first channel is the gallery); anything else, e.g. a mention where a zone goes, is the usage;
 * - `/salon limits` takes known `key=value` pairs once each;
 * - whatever a member typed is quoted back escaped: no refusal can mention, broadcast or link.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.js";
import { channelId, echo, escapeText, keyValues, parseImagine, parseSetupArgs, plainText, splitCommand, userId } from "../../src/slack/slack-text.js";
import { anyText, outcome, thrown } from "./arbitraries.js";

/** Slack's escaping of typed text (what arrives when a member types `s`). */
const slackEscaped = (s: string) => escapeText(s);
const slackId = (prefix: string) => fc.stringMatching(/^[A-Z0-9]{2,11}$/).map((rest) => `${prefix}${rest}`);
const slackName = fc.stringMatching(/^[a-z0-9._-]{0,12}$/);
/** A Slack entity as it arrives in command text. */
const entity = fc.oneof(
  fc.tuple(fc.constantFrom("U", "W"), fc.nat(), slackName).chain(([p, , name]) => slackId(p).map((id) => (name ? `<@${id}|${name}>` : `<@${id}>`))),
  fc.tuple(fc.constantFrom("C", "G"), slackName).chain(([p, name]) => slackId(p).map((id) => `<#${id}|${name}>`)),
  fc.constantFrom("<!channel>", "<!here>", "<!everyone>", "<!here|here>", "<!subteam^S0123ABC|@artists>", "<https://example.com|a link>", "<mailto:a@b.c>"),
);
/** A word of prompt text that is not a flag. */
const word = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }).map(slackEscaped),
  entity,
  fc.constantFrom("&amp;", "&lt;3", "a-b", "-", "—", "-x", "50%"),
).filter((w) => !/\s/.test(w) && !w.startsWith("--"));
const aspect = fc.constantFrom("square", "portrait", "landscape");
const quality = fc.constantFrom("low", "medium", "high");
const upperSome = (s: string) => fc.boolean().map((up) => (up ? s.toUpperCase() : s));

/** True when `s` contains Slack mention, broadcast, channel or link syntax. */
const hasSlackEntity = (s: string) => /<[@#!]|<https?:|<mailto:/.test(s);

describe("Slack /imagine flag properties", () => {
  it("never throws anything but a UserError, for any command text", () => {
    fc.assert(
      fc.property(fc.oneof(anyText(80), fc.array(fc.oneof(word, fc.constantFrom("--aspect", "--quality", "--aspect=", "--x", "portrait", "high", " ")), { maxLength: 12 }).map((w) => w.join(" "))), (text) => {
        expect(["ok", "bad_flag"]).toContain(outcome(() => parseImagine(text)));
      }),
      { numRuns: 500 },
    );
  });

  it("takes --aspect and --quality out from anywhere (space or =, any case) and leaves the words in order, one space apart", () => {
    const flag = (name: string, value: fc.Arbitrary<string>) =>
      fc.tuple(upperSome(`--${name}`), value.chain(upperSome), fc.boolean()).map(([n, v, eq]) => ({ text: eq ? `${n}=${v}` : `${n} ${v}`, value: v.toLowerCase() }));
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 10 }),
        fc.option(flag("aspect", aspect), { nil: undefined }),
        fc.option(flag("quality", quality), { nil: undefined }),
        fc.nat(),
        fc.nat(),
        (words, a, q, atA, atQ) => {
          const tokens = [...words];
          if (a) tokens.splice(atA % (tokens.length + 1), 0, a.text);
          if (q) tokens.splice(atQ % (tokens.length + 1), 0, q.text);
          const parsed = parseImagine(tokens.join(" "));
          expect(parsed.aspect).toBe(a?.value);
          expect(parsed.quality).toBe(q?.value);
          expect(parsed.prompt).toBe(plainText(words.join(" ")).trim());
          expect(parsed.prompt).not.toMatch(/--(aspect|quality)/i);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("refuses unknown, repeated and value-less flags with the usage, never guessing", () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), fc.constantFrom("--size big", "--aspect", "--aspect wide", "--quality ultra", "--aspect square --aspect portrait", "--quality=", "--ASPECT", "---", "--no-fluff"), (words, bad) => {
        const error = thrown(() => parseImagine([...words, bad].join(" ")));
        expect(error).toBeInstanceOf(UserError);
        expect(error).toMatchObject({ code: "bad_flag", userMessage: expect.stringContaining("Usage: `/imagine <prompt>") });
      }),
    );
  });

  it("turns mentions, broadcasts and links into plain words: the prompt never carries Slack entity syntax that arrived as such", () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 10 }), (words) => {
        const text = words.join(" ");
        // Only entities Slack sent; a typed "<" arrives as &lt; and becomes "<" in the prompt, which renderers escape.
        const { prompt } = parseImagine(text);
        const sentEntities = words.filter((w) => w.startsWith("<"));
        for (const e of sentEntities) expect(prompt).not.toContain(e);
        if (!words.some((w) => w.includes("&lt;") || w.includes("&amp;"))) expect(hasSlackEntity(prompt)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("Slack escaping properties", () => {
  it("escapeText leaves no < or > and only entity ampersands, and plainText undoes it for any text", () => {
    fc.assert(
      fc.property(anyText(60), (s) => {
        const escaped = escapeText(s);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
        expect(plainText(escaped)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it("echo quotes any typed token as at most 40 characters of plain text that can't mention, broadcast or link", () => {
    fc.assert(
      fc.property(fc.oneof(anyText(100), entity, entity.map(escapeText), fc.constantFrom("&lt;!channel&gt;", "&lt;@U123&gt;", "<!everyone>")), (token) => {
        const quoted = echo(token);
        expect(quoted).not.toMatch(/[<>]/);
        expect([...plainText(quoted)].length).toBeLessThanOrEqual(40);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("Slack reference properties", () => {
  it("reads a channel id exactly from <#C…> / <#G…> with or without a name, and a user id exactly from <@U…> / <@W…>", () => {
    fc.assert(
      fc.property(fc.constantFrom("C", "G"), fc.constantFrom("U", "W"), fc.stringMatching(/^[A-Z0-9]{1,12}$/), slackName, (cp, up, rest, name) => {
        expect(channelId(`<#${cp}${rest}|${name}>`)).toBe(`${cp}${rest}`);
        expect(channelId(`<#${cp}${rest}>`)).toBe(`${cp}${rest}`);
        expect(userId(`<@${up}${rest}|${name}>`)).toBe(`${up}${rest}`);
        expect(userId(`<@${up}${rest}>`)).toBe(`${up}${rest}`);
        // never the other kind, never a bare id, never with anything around it
        expect(userId(`<#${cp}${rest}>`)).toBeNull();
        expect(channelId(`<@${up}${rest}>`)).toBeNull();
        expect(channelId(`${cp}${rest}`)).toBeNull();
        expect(userId(`${up}${rest}`)).toBeNull();
        expect(userId(` <@${up}${rest}>`)).toBeNull();
        expect(channelId(`<#${cp}${rest}>x`)).toBeNull();
        expect(userId(`<!here>`)).toBeNull();
        expect(userId(`<@${up}${rest}x>`)).toBeNull();
        expect(channelId(`<#${cp}${rest} |${name}>`)).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it("returns null (never throws) for any other token, and an id only of Slack's id alphabet", () => {
    fc.assert(
      fc.property(anyText(30), (token) => {
        for (const id of [channelId(token), userId(token)]) if (id !== null) expect(id).toMatch(/^[CGUW][A-Z0-9]+$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("Slack /salon argument properties", () => {
  const channelRef = fc.tuple(fc.constantFrom("C", "G"), fc.stringMatching(/^[A-Z0-9]{4,10}$/), slackName).map(([p, id, name]) => ({ id: `${p}${id}`, ref: `<#${p}${id}|${name}>` }));
  const zone = fc.constantFrom("Europe/Paris", "UTC", "Asia/Kolkata", "America/New_York", "Mars/Olympus", "Bogus");
  const time = fc.constantFrom("09:00", "9:05", "24:00", "9:5", "-1:00", "12:60", "23:59");

  it("setup reads gallery, digest, time and zone in any order (the first channel is the gallery)", () => {
    fc.assert(
      fc.property(channelRef, fc.option(channelRef, { nil: undefined }), fc.option(time, { nil: undefined }), fc.option(zone, { nil: undefined }), fc.infiniteStream(fc.nat()), (gallery, digest, t, z, seeds) => {
        // Shuffle the optional arguments around, keeping the gallery before the digest.
        const rest = [...(t ? [t] : []), ...(z ? [z] : [])];
        const args = [gallery.ref, ...(digest ? [digest.ref] : [])];
        for (const a of rest) args.splice(seeds.next().value % (args.length + 1), 0, a);
        expect(parseSetupArgs(args)).toEqual({
          galleryChannelId: gallery.id,
          ...(digest ? { digestChannelId: digest.id } : {}),
          ...(t ? { digestTime: t } : {}),
          ...(z ? { timezone: z } : {}),
        });
      }),
    );
  });

  it("setup refuses with the usage: no gallery, a third channel, a second time, a second zone word, or a mention where a zone goes", () => {
    fc.assert(
      fc.property(channelRef, channelRef, channelRef, fc.constantFrom("extra", "Asia/Tokyo", "09:30", "<@U12345>", "<!channel>", "&lt;b&gt;", "ok&amp;"), (a, b, c, extra) => {
        const bad = [
          [],
          ["09:00", "UTC"],
          [a.ref, b.ref, c.ref],
          [a.ref, "09:00", "10:00"],
          [a.ref, "UTC", "Europe/Paris"],
          [a.ref, b.ref, "09:00", "UTC", extra],
          [a.ref, extra.startsWith("<") || extra.includes("&") ? extra : "<!here>"],
        ];
        for (const args of bad) expect(thrown(() => parseSetupArgs(args)), args.join(" ")).toMatchObject({ code: "usage", userMessage: expect.stringContaining("Usage: `/salon setup") });
      }),
    );
  });

  it("limits reads known keys once each and refuses unknown or repeated ones, quoting them harmlessly", () => {
    const KNOWN = ["per_member_daily", "budget_usd_daily", "cooldown_seconds"];
    fc.assert(
      fc.property(fc.subarray(KNOWN), fc.array(fc.stringMatching(/^[0-9.$-]{1,6}$/), { minLength: 3, maxLength: 3 }), fc.constantFrom("=", ":"), (keys, values, sep) => {
        const args = keys.map((k, i) => `${k}${sep}${values[i]}`);
        expect(keyValues(args, KNOWN, "usage")).toEqual(Object.fromEntries(keys.map((k, i) => [k, values[i]])));
        if (keys[0]) expect(outcome(() => keyValues([...args, `${keys[0]}=1`], KNOWN, "usage"))).toBe("bad_args");
      }),
    );
    fc.assert(
      fc.property(fc.oneof(anyText(30), entity, fc.constantFrom("&lt;!channel&gt;", "&lt;@U1&gt;=1", "<!everyone>", "size=5")), (arg) => {
        fc.pre(!/^(per_member_daily|budget_usd_daily|cooldown_seconds)[=:].+$/i.test(arg));
        const error = thrown(() => keyValues([arg], KNOWN, "usage")) as UserError;
        expect(error.code).toBe("bad_args");
        expect(error.userMessage).not.toMatch(/<[@#!]/);
      }),
      { numRuns: 1000 },
    );
  });

  it("splitCommand never throws, lower-cases the subcommand and gives arguments without white space", () => {
    fc.assert(
      fc.property(anyText(60), (text) => {
        const { sub, args } = splitCommand(text);
        expect(sub).toBe(sub.toLowerCase());
        for (const a of [sub, ...args]) expect(a).not.toMatch(/\s/);
      }),
      { numRuns: 2000 },
    );
  });
});
