/**
 * Properties of what the bot says on each platform (src/discord/render.ts, src/slack/slack-render.ts): whatever the
 * prompt or member name, a Discord body never pings (empty `allowed_mentions`) and fits Discord's limits, and Slack
 * text carries no mention, broadcast or link syntax except the bot's own links. The button custom ids the bot reads
 * back are parsed strictly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { excerpt } from "../../src/core/format.js";
import type { JobStatus } from "../../src/core/ports.js";
import type { Creation, DigestView, RankedCreation } from "../../src/core/types.js";
import { buttonId, digestMessage, galleryPost, literal, parseButtonId, profileMessage, statusMessage, topMessage, truncate } from "../../src/discord/render.js";
import { digestBlocks, galleryText, profileText, statusBody, topText } from "../../src/slack/slack-render.js";
import { anyText, ordinaryPrompt, wellFormed } from "./arbitraries.js";

/** Prompts as they reach a renderer: already validated, so well-formed, but with anything else in them. */
const storedPrompt = fc.oneof(ordinaryPrompt, anyText(120).filter(wellFormed), fc.string({ unit: "grapheme", minLength: 80, maxLength: 1000 }));
const memberName = fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), fc.constantFrom("<!channel>", "<@U123>", "&lt;b&gt;", "*bold*", "@everyone"));
const snowflake = fc.bigInt({ min: 10n ** 17n, max: 10n ** 19n - 1n }).map(String);

function creation(prompt: string, authorUserId: string): Creation {
  return {
    id: 42, communityId: 1, authorUserId, prompt, aspect: "square", quality: "medium", size: "1024x1024", model: "gpt-image-2", status: "posted",
    costMicroUsd: 40_000, day: "2026-11-25", createdAt: new Date(), imageHash: null, galleryChannelId: "1", galleryMessageId: "2",
    galleryUrl: "https://discord.com/channels/1/2/3", postedAt: new Date(), likeCount: 3, error: null, attempts: 0, rateLimitedWaits: 0, statusRef: null, imageChecked: true, heldUntil: null, parentId: null, rootId: null, depth: 0, title: null, altText: null,
  };
}

const ranked = (prompts: string[], authors: string[]): RankedCreation[] =>
  prompts.map((prompt, i) => ({
    rank: i + 1, creationId: i + 1, prompt, authorUserId: authors[i % authors.length]!, likeCount: 100 - i, channelId: "1", messageId: String(i),
    url: `https://discord.com/channels/1/2/${i}`, imageHash: null, postedAt: new Date(), title: i % 2 === 1 ? prompt : null, remixOf: i % 3 === 2 ? { authorUserId: i % 2 === 0 ? "123456789012345679" : null } : null,
  }));

const digestOf = (prompts: string[], authors: string[]): DigestView & { entries: RankedCreation[] } => ({
  day: "2026-11-25",
  title: "25 November 2026",
  entries: ranked(prompts, authors),
  summary: { creations: prompts.length, likers: 7, topCreator: { userId: authors[0]!, likeCount: 9 } },
});

const statuses: JobStatus[] = [
  { state: "queued", position: 3, creationId: 7 },
  { state: "generating", creationId: 7 },
  { state: "posted", creationId: 7, url: "https://discord.com/channels/1/2/3" },
  { state: "failed", creationId: 7, reason: "x".repeat(3000) },
  { state: "cancelled", creationId: 7 },
];

/** Slack text with the bot's own `<https://…|label>` links taken out. */
const withoutOwnLinks = (text: string) => text.replace(/<https:\/\/[^|<>\s]+\|[^<>]*>/g, "");

describe("Discord render properties", () => {
  it("every gallery post and status body carries allowed_mentions {parse: []}, and the gallery post puts the prompt only in the embed", () => {
    fc.assert(
      fc.property(storedPrompt, snowflake, (prompt, author) => {
        const body = galleryPost(creation(prompt, author), "salon-42.png");
        expect(body.allowed_mentions).toEqual({ parse: [] });
        expect(body.content).toBe(`🎨 New creation by <@${author}>`);
        // The prompt is shown literal to markdown (test/properties/discord-markdown.property.test.ts), within the embed's limit.
        expect(body.embeds[0]!.description).toBe(literal(prompt, 4096));
        expect(body.embeds[0]!.description!.length).toBeLessThanOrEqual(4096);
        expect(wellFormed(body.embeds[0]!.description!)).toBe(true);
      }),
    );
    for (const status of statuses) expect(statusMessage(status).allowed_mentions).toEqual({ parse: [] });
  });

  it("digest, /top and /profile texts stay within Discord's 2,000 characters for any prompts", () => {
    fc.assert(
      fc.property(fc.array(storedPrompt, { minLength: 1, maxLength: 10 }), fc.array(snowflake, { minLength: 1, maxLength: 3 }), (prompts, authors) => {
        const digest = digestOf(prompts, authors);
        expect(digestMessage(digest).length).toBeLessThanOrEqual(2000);
        expect(topMessage({ by: "creations", period: "week", entries: digest.entries }).length).toBeLessThanOrEqual(2000);
        expect(
          profileMessage({ userId: authors[0]!, creations: 5, likesReceived: 9, best: { url: "https://discord.com/channels/1/2/3", prompt: prompts[0]!, title: prompts[1] ?? null, likeCount: 9 }, weekRank: 1, streakDays: 2, remixesMade: 1, remixesReceived: 2 }).length,
        ).toBeLessThanOrEqual(2000);
      }),
      { numRuns: 200 },
    );
  });

  it("truncate never cuts a surrogate pair and never exceeds the limit", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.integer({ min: 2, max: 300 }), (text, max) => {
        const cut = truncate(text, max);
        if (text.length <= max) expect(cut).toBe(text);
        else expect(cut.length).toBeLessThanOrEqual(max);
        if (wellFormed(text)) expect(wellFormed(cut)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  // `excerpt` cuts on code points, so an emoji across the cut is kept whole or dropped, never halved.
  it("excerpt never leaves half of a surrogate pair", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 100 }), fc.constantFrom("😀", "🎨", "𝒜"), fc.string({ unit: "grapheme", maxLength: 100 }), (max, emoji, rest) => {
        // An emoji straddling the cut: its first half is the last code unit kept.
        const prompt = `${"a".repeat(max - 2)}${emoji}${rest}`;
        expect(wellFormed(excerpt(prompt, max))).toBe(true);
      }),
    );
  });

  it("reads back exactly the button ids it writes, and nothing else (no huge, zero, signed or padded ids)", () => {
    fc.assert(
      fc.property(fc.constantFrom("cancel" as const, "delete" as const), fc.integer({ min: 1, max: 2_147_483_647 }), (action, id) => {
        expect(parseButtonId(buttonId(action, id))).toEqual({ action, creationId: id });
      }),
    );
    for (const bad of ["salon:cancel:0", "salon:cancel:-1", "salon:cancel:+1", "salon:cancel:01", "salon:cancel:1.5", "salon:cancel:2147483648", "salon:delete:99999999999999999999", "salon:delete:1e3", "salon:retry:1", "salon:cancel:", "salon:cancel:1 ", "x:salon:cancel:1"]) {
      expect(parseButtonId(bad), bad).toBeNull();
    }
    fc.assert(
      fc.property(anyText(40), (id) => {
        const parsed = parseButtonId(id);
        if (parsed) expect(buttonId(parsed.action, parsed.creationId)).toBe(id);
      }),
    );
  });
});

describe("Slack render properties", () => {
  const nameOf = (names: string[]) => async (userId: string) => names[Number(userId.replace(/\D/g, "")) % names.length] ?? "a member";

  it("the gallery post text carries no <, > or bare & for any prompt or member name: nothing can mention, broadcast or link", async () => {
    await fc.assert(
      fc.asyncProperty(storedPrompt, fc.array(memberName, { minLength: 1, maxLength: 3 }), async (prompt, names) => {
        const text = await galleryText(creation(prompt, "U1"), nameOf(names));
        expect(text).not.toMatch(/[<>]/);
        expect(text.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
      }),
    );
  });

  it("digest blocks, /top and /profile carry no Slack syntax but the bot's own links, for any prompts and names", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(storedPrompt, { minLength: 1, maxLength: 6 }), fc.array(memberName, { minLength: 1, maxLength: 3 }), async (prompts, names) => {
        const lookup = nameOf(names);
        const digest = digestOf(prompts, ["U1", "U2", "U3"]);
        const { text, blocks } = await digestBlocks(digest, lookup, null);
        const texts = [text, JSON.stringify(blocks), await topText({ by: "creations", period: "week", entries: digest.entries }, lookup)];
        texts.push(
          await topText({ by: "creators", period: "all", entries: [{ rank: 1, userId: "U2", likeCount: 3, creations: 2, bestUrl: "https://x.slack.com/archives/C1/p1" }] }, lookup),
          await profileText({ userId: "U1", creations: 2, likesReceived: 3, best: { url: "https://x.slack.com/archives/C1/p1", prompt: prompts[0]!, title: prompts[1] ?? null, likeCount: 3 }, weekRank: 2, streakDays: 1, remixesMade: 0, remixesReceived: 3 }, lookup),
        );
        for (const t of texts) expect(withoutOwnLinks(t.replace(/\\u003c/g, "<"))).not.toMatch(/[<>]/);
      }),
      { numRuns: 150 },
    );
    for (const status of statuses) expect(statusBody(status).text).not.toMatch(/<[!@]/);
  });
});
