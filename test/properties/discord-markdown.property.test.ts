/**
 * Prompts echoed on Discord render as the text the member typed, never as markdown (src/discord/markdown.ts and the
 * renderers in src/discord/render.ts). The oracle is discord-markdown-parser, built on simple-markdown (the parser
 * Discord's clients use) with Discord's rules, in its "extended" mode (masked links, as in embeds and bot messages);
 * it has no rule for lists, so those are checked against Discord's documented list syntax.
 */
import { parse } from "discord-markdown-parser";
import { escapeMarkdown as discordJsEscapeMarkdown } from "discord.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Creation, DigestView, RankedCreation } from "../../src/core/types.js";
import { escapeMarkdown } from "../../src/discord/markdown.js";
import { digestMessage, galleryPost, literal, profileMessage, topMessage } from "../../src/discord/render.js";
import { anyText, ordinaryPrompt, wellFormed } from "./arbitraries.js";

type Node = { type: string; content?: unknown; name?: string };

/** The text a parsed message shows, or the first construct in it that is not plain text. */
function plainText(nodes: Node[]): { text: string } | { construct: Node } {
  let text = "";
  for (const node of nodes) {
    if (node.type === "text" && typeof node.content === "string") text += node.content;
    else if (node.type === "twemoji") text += node.name ?? ""; // an emoji character drawn as an image: still the character
    else if (node.type === "br") text += "\n";
    else return { construct: node };
  }
  return { text };
}

/** Discord's lists: `-`, `*` or `+`, or a number and a dot, then a space, at the start of a line (indented or not). */
const LIST_ITEM = /^\s*([-*+]|\d+\.)\s/m;
/** Discord's headings may be indented, which the parser does not know. */
const INDENTED_HEADING = /^ +#{1,3} /m;

/** What simple-markdown (and so Discord) does to any text before parsing it: tabs become four spaces. */
const asShown = (text: string) => text.replace(/\r\n?/g, "\n").replace(/\f/g, "").replace(/\t/g, "    ");

/** The construct types a body's markdown makes, in order (text left out). */
function constructs(markdown: string): string[] {
  const types: string[] = [];
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      if (node.type !== "text" && node.type !== "twemoji" && node.type !== "br") types.push(node.type);
      if (Array.isArray(node.content)) walk(node.content as Node[]);
    }
  };
  walk(parse(markdown, "extended") as Node[]);
  if (LIST_ITEM.test(markdown)) types.push("list");
  if (INDENTED_HEADING.test(asShown(markdown))) types.push("heading");
  return types;
}

/** Pieces of markdown, alone and stuck together, in prompts. */
const markdownPiece = fc.constantFrom(
  "**", "*", "__", "_", "~~", "||", "`", "``", "```", "\\", "# ", "## ", "### ", "-# ", "> ", ">>> ", "- ", "* ", "+ ", "1. ", "12. ",
  "[", "]", "(", ")", "[click](https://evil.example)", "](https://evil.example)", "https://evil.example/a_b_", "<https://evil.example>",
  "<@123456789012345678>", "<@&123456789012345678>", "<#123456789012345678>", "<t:1700000000:R>", "</imagine:123456789012345678>",
  "<:blob:123456789012345678>", "<a:blob:123456789012345678>", "@everyone", "@here", "<:", ":", "//", "\n", " ", "  ", "\t", "x", "ok",
  "🔥", "#️⃣", "¯\\_(ツ)_/¯",
);
const markdownPrompt = fc.array(markdownPiece, { minLength: 1, maxLength: 24 }).map((parts) => parts.join(""));
const anyPrompt = fc.oneof(markdownPrompt, ordinaryPrompt, anyText(200).filter(wellFormed));

/** The constructs the brief names, each as a prompt that makes it when it is not escaped. */
const ATTACKS: Record<string, string> = {
  "masked link": "[click here](https://evil.example)",
  "two masked links": "see [a](https://a.example) and [b](https://b.example)",
  heading: "# BIG",
  "indented heading": "  ## still big",
  spoiler: "||surprise||",
  bold: "**loud**",
  italics: "*lean* and _lean_",
  "italics after <:": "<: _hi_",
  underline: "__under__",
  strikethrough: "~~gone~~",
  subtext: "-# small print",
  "bulleted list": "- one\n- two",
  "numbered list": "1. first\n2. second",
  "block quote": "> quoted",
  "multi-line block quote": ">>> quoted\nand more",
  "inline code": "`code`",
  "code block": "```js\nalert(1)\n```",
  "user mention": "<@123456789012345678>",
  everyone: "@everyone",
  timestamp: "<t:1700000000:F>",
  "bare link": "https://evil.example",
};

describe("Discord markdown escaping", () => {
  it("makes every construct the brief names plain text that reads as typed (discord.js's escapeMarkdown leaves some)", () => {
    const missedByDiscordJs: string[] = [];
    for (const [name, prompt] of Object.entries(ATTACKS)) {
      expect(constructs(prompt), `"${name}" makes markdown unescaped`).not.toEqual([]);
      const escaped = escapeMarkdown(prompt);
      expect(plainText(parse(escaped, "extended") as Node[]), name).toEqual({ text: asShown(prompt) });
      expect(constructs(escaped), name).toEqual([]);
      expect(LIST_ITEM.test(escaped), name).toBe(false);
      const theirs = discordJsEscapeMarkdown(prompt, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });
      if (constructs(theirs).length > 0) missedByDiscordJs.push(name);
    }
    // Why Salon escapes by itself: these still render through discord.js's escapeMarkdown with every option on.
    expect(missedByDiscordJs).toEqual(expect.arrayContaining(["two masked links", "italics after <:", "subtext", "block quote", "user mention", "everyone", "bare link"]));
  });

  it("renders no markdown construct for any prompt, and shows exactly the prompt", () => {
    fc.assert(
      fc.property(anyPrompt, (prompt) => {
        const escaped = escapeMarkdown(prompt);
        expect(plainText(parse(escaped, "extended") as Node[])).toEqual({ text: asShown(prompt) });
        expect(constructs(escaped)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves ordinary words as they are", () => {
    for (const prompt of ["a lighthouse at dawn, oil on canvas", "un renard roux dans la neige", "猫と桜", "a 1980s poster, 4k", "red-haired fox; 50% off!", "poster #3, a -> b, 2 + 2", "1980s"]) {
      expect(escapeMarkdown(prompt)).toBe(prompt);
    }
  });

  it("cuts a long prompt so that its escaped form fits, and a cut never leaves markdown behind", () => {
    fc.assert(
      fc.property(markdownPrompt, fc.integer({ min: 2, max: 120 }), (prompt, max) => {
        const shown = literal(prompt, max);
        expect(shown.length).toBeLessThanOrEqual(max);
        expect(constructs(shown)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});

const creation = (prompt: string): Creation => ({
  id: 42, communityId: 1, authorUserId: "123456789012345678", prompt, aspect: "square", quality: "medium", size: "1024x1024", model: "gpt-image-2",
  status: "posted", costMicroUsd: 40_000, day: "2026-11-25", createdAt: new Date(), imageHash: null, galleryChannelId: "1", galleryMessageId: "2",
  galleryUrl: "https://discord.com/channels/1/2/3", postedAt: new Date(), likeCount: 3, error: null, attempts: 0, rateLimitedWaits: 0, statusRef: null, imageChecked: true, heldUntil: null, parentId: null, rootId: null, depth: 0, title: null, altText: null,
});

const ranked = (prompts: string[]): RankedCreation[] =>
  prompts.map((prompt, i) => ({
    rank: i + 1, creationId: i + 1, prompt, authorUserId: "123456789012345678", likeCount: 9 - i, channelId: "1", messageId: String(i),
    url: `https://discord.com/channels/1/2/${i}`, imageHash: null, postedAt: new Date(), title: i % 2 === 1 ? prompt : null, remixOf: i % 3 === 2 ? { authorUserId: i % 2 === 0 ? "123456789012345679" : null } : null,
  }));

const digestOf = (prompts: string[]): DigestView => ({
  day: "2026-11-25", title: "25 November 2026", entries: ranked(prompts), summary: { creations: prompts.length, likers: 3, topCreator: { userId: "123456789012345678", likeCount: 9 } },
});

/** Everything Salon posts with prompts in it, as Discord renders it. */
const bodies = (prompts: string[]) => [
  galleryPost(creation(prompts[0]!), "salon-42.png").embeds[0]!.description!,
  digestMessage(digestOf(prompts)),
  topMessage({ by: "creations", period: "week", entries: ranked(prompts) }),
  profileMessage({ userId: "123456789012345678", creations: 2, likesReceived: 9, best: { url: "https://discord.com/channels/1/2/3", prompt: prompts[0]!, title: prompts[1] ?? null, likeCount: 9 }, weekRank: 1, streakDays: 2, remixesMade: 1, remixesReceived: 2 }),
];

describe("Discord posts that echo prompts", () => {
  it("the gallery post, the digest, /top and /profile make the same markdown whatever the prompts: only Salon's own", () => {
    const neutral = bodies(["plain words"]).map(constructs);
    fc.assert(
      fc.property(fc.array(anyPrompt, { minLength: 1, maxLength: 5 }), (prompts) => {
        const rendered = bodies(prompts);
        // With several entries Salon's own markup repeats per entry: compare the set of construct types.
        rendered.forEach((body, i) => expect(new Set(constructs(body)), body).toEqual(new Set(neutral[i])));
        expect(plainText(parse(rendered[0]!, "extended") as Node[])).toEqual({ text: asShown(prompts[0]!) });
      }),
      { numRuns: 500 },
    );
  });
});
