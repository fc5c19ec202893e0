/**
 * A prompt echoed by Salon on Discord shows as the member typed it and makes no markdown of its own: no masked link,
 * heading, spoiler, subtext, block quote or list in an official-looking post.
 */
import { parse } from "discord-markdown-parser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCommunity, command, imagine, likeCountOf, startHarness, type Community, type Harness } from "../support/harness.js";

let h: Harness;
let c: Community;

beforeEach(async () => {
  h = await startHarness();
  c = await addCommunity(h);
});
afterEach(async () => {
  await h.close();
});

type Node = { type: string; content?: unknown; name?: string; target?: string };
const types = (nodes: Node[]): string[] => nodes.flatMap((n) => [n.type, ...(Array.isArray(n.content) ? types(n.content as Node[]) : [])]);

const PROMPT = "[official notice](https://evil.example) # BIG\n-# fine print\n> quoted ||secret|| **loud**\n- a list";

describe("prompts echoed on Discord", () => {
  it("shows a markdown-laden prompt in the gallery post and in /top as plain text, exactly as typed", async () => {
    const [ana, ben] = c.members;
    const handle = imagine(h, c, ana!, PROMPT);
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    const post = h.discord.messages(c.gallery.id).find((m) => m.embeds.length > 0)!;

    const shown = parse(post.embeds[0].description, "extended") as Node[];
    expect(types(shown).filter((t) => t !== "text" && t !== "br")).toEqual([]);
    expect(shown.map((n) => (n.type === "br" ? "\n" : n.content)).join("")).toBe(PROMPT);

    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id)).toBe(1);
    const top = await command(h, c, ben!, "top", [{ type: 3, name: "period", value: "all" }]);
    // Salon's own markup (the rank in bold, the creator's mention, the link) and nothing from the prompt.
    expect(new Set(types(parse(top, "extended") as Node[]).filter((t) => t !== "text" && t !== "br"))).toEqual(new Set(["strong", "user", "url"]));
    expect(top).toContain("official notice");
  });
});
