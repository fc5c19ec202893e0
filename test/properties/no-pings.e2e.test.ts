/**
 * Echoed text never pings, end to end: members create with prompts full of mentions (`@everyone`, role and user
 * mentions, Slack broadcasts and subteams), admins mistype setup and limits with mentions, and the bot posts gallery
 * posts, a digest, rankings, profiles and refusals. Then:
 * - Discord: every message body the bot sent (channel messages, interaction replies and status edits) carries
 *   `allowed_mentions: {parse: []}`;
 * - Slack: no text the bot sent (channel messages, file comments, response_url answers) holds Slack's broadcast or
 *   subteam syntax (`<!…>`), and user mentions (`<@…>`) appear only in the ephemeral answers to `/salon block` and
 *   `/salon unblock`, naming the member acted on (an ephemeral notifies nobody), never in anything built from input.
 */
import fc from "fast-check";
import { PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser } from "../support/discord/types.js";
import { addCommunity, adminCommand, command, createPost, eventually, likeCountOf, startHarness, type Harness } from "../support/harness.js";
import { MovableClock } from "../support/movable-clock.js";
import type { FakeSlackMessage, FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, salonText, slackLikeCountOf, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

const DAY = 86_400_000;
let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open) await o.close();
  open = [];
});

/** Prompts as members type them on Discord: mentions of everyone, roles, users and channels among other words. */
const discordPrompts = (roleId: string, userId: string) =>
  fc.sample(
    fc
      .array(fc.constantFrom("@everyone", "@here", `<@&${roleId}>`, `<@${userId}>`, `<@!${userId}>`, "<#1180000000000000001>", "a lighthouse", "at dawn", "||spoiler||", "**bold**"), { minLength: 2, maxLength: 6 })
      .map((words) => words.join(" ")),
    { numRuns: 4, seed: 3 },
  );

describe("echoed text never pings", () => {
  it("Discord: every message body the bot sends carries allowed_mentions {parse: []}", async () => {
    const clock = new MovableClock(new Date(Date.now() - DAY));
    const h: Harness = await startHarness({ clock });
    open.push(h);
    const c = await addCommunity(h, "Ping Free");
    const [ana, ben, chloe, dev] = c.members as [FakeUser, FakeUser, FakeUser, FakeUser];
    await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
    const prompts = discordPrompts(c.guild.id, ben.id);
    const posts: FakeMessage[] = [];
    for (const prompt of prompts) posts.push(await createPost(h, c, ana, prompt));
    for (const post of posts) h.discord.react(c.gallery.id, post.id, chloe.id, "👍");
    await eventually(async () => expect(await likeCountOf(h.running, c, posts.at(-1)!.id)).toBe(1));
    await command(h, c, ben, "top", [{ type: 3, name: "period", value: "all" }]);
    await command(h, c, ben, "profile", [{ type: 6, name: "member", value: ana.id }]);
    await command(h, c, ben, "imagine", [{ type: 3, name: "prompt", value: "@everyone \u202Ereversed" }]);
    await adminCommand(h, c, "setup", [{ type: 7, name: "gallery", value: c.gallery.id }, { type: 3, name: "timezone", value: `<@&${c.guild.id}>` }]);
    await adminCommand(h, c, "block", [{ type: 6, name: "member", value: dev.id }]);
    await adminCommand(h, c, "digest", [{ type: 3, name: "day", value: "today" }]);
    clock.advance(DAY);
    expect(await adminCommand(h, c, "digest")).toContain("Posted the digest");

    const bodies = h.discord.requests.filter((r) => r.method !== "GET" && r.body && typeof r.body === "object");
    const withText = bodies.flatMap((r) => {
      const body = r.body as { content?: string; embeds?: unknown[]; data?: { content?: string; embeds?: unknown[]; allowed_mentions?: unknown }; allowed_mentions?: unknown };
      const message = r.path.startsWith("/interactions/") ? body.data : body;
      return message && (message.content || (message.embeds?.length ?? 0) > 0) ? [{ where: `${r.method} ${r.path.replace(/\/[\w-]{60,}\//, "/<token>/")}`, allowed: message.allowed_mentions }] : [];
    });
    expect(withText.length).toBeGreaterThan(prompts.length * 3); // posts, status edits, replies, the digest
    expect(withText.filter((m) => JSON.stringify(m.allowed) !== JSON.stringify({ parse: [] }))).toEqual([]);
    expect(h.discord.messages(c.gallery.id).some((m) => m.content.includes("Salon digest"))).toBe(true);
  }, 60_000);

  it("Slack: nothing the bot posts holds <!…>, and <@…> only names the member an admin blocked or unblocked, in an ephemeral", async () => {
    const clock = new MovableClock(new Date(Date.now() - DAY));
    const h: SlackHarness = await startSlackHarness({ clock });
    open.push(h);
    const c = await addSlackCommunity(h);
    const [ana, ben, chloe] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
    await salonText(h, c, c.admin, "limits cooldown_seconds=0");
    // As Slack sends them with escaping on: typed mentions become entities, a typed "<" arrives as &lt;.
    const prompts = [
      `<!everyone> look <@${ben.id}|ben> &amp; <!here>`,
      `<!subteam^S0123ABC|@artists> painted <#${c.gallery.id}|gallery> at dawn`,
      `&lt;!channel&gt; and &lt;@${ben.id}&gt; typed literally`,
      `<!date^1392734382^{date_num}|2014-02-18> <https://example.com|a link>`,
    ];
    const posts: FakeSlackMessage[] = [];
    for (const prompt of prompts) {
      const handle = await h.slack.slashCommand({ command: "/imagine", text: prompt, userId: ana.id, channelId: c.gallery.id });
      await handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 10_000);
      posts.push(h.slack.messages(c.gallery.id).filter((m) => m.files.length > 0).at(-1)!);
    }
    for (const post of posts) await h.slack.react(c.gallery.id, post.ts, chloe.id, "+1");
    await eventually(async () => expect(await slackLikeCountOf(h, c, posts.at(-1)!.ts)).toBe(1));
    const answers: Array<{ command: string; text: string }> = [];
    const say = async (user: FakeSlackUser, text: string) => answers.push({ command: text, text: await salonText(h, c, user, text) });
    await say(ben, "top all");
    await say(ben, `profile <@${ana.id}|ana>`);
    await say(ben, "<!here>");
    await say(ben, "&lt;!channel&gt;");
    await say(c.admin, `setup <#${c.gallery.id}|gallery> <!everyone>`);
    await say(c.admin, "setup &lt;!channel&gt;");
    await say(c.admin, "limits &lt;!channel&gt;=5");
    await say(c.admin, `limits <@${ben.id}>=1`);
    await say(c.admin, "digest today");
    await say(c.admin, `block <@${chloe.id}|chloe>`);
    await say(c.admin, `unblock <@${chloe.id}|chloe>`);
    clock.advance(DAY);
    await say(c.admin, "digest");
    expect(answers.at(-1)!.text).toContain("Posted the digest");

    // Everything the bot wrote to Slack: channel messages, file comments, ephemerals and response_url answers.
    const texts: Array<{ where: string; text: string }> = [];
    for (const call of h.slack.calls) {
      if (!["chat.postMessage", "chat.update", "chat.postEphemeral", "files.completeUploadExternal"].includes(call.method)) continue;
      texts.push({ where: call.method, text: JSON.stringify([call.args.text, call.args.blocks, call.args.initial_comment]) });
    }
    for (const e of h.slack.ephemerals()) if (e.source !== "slack") texts.push({ where: `ephemeral (${e.source})`, text: JSON.stringify([e.text, e.blocks]) });
    expect(texts.length).toBeGreaterThan(prompts.length * 2);
    expect(texts.filter((t) => t.text.includes("<!"))).toEqual([]);
    const named = new Set([`<@${chloe.id}>`]);
    const mentions = texts.flatMap((t) => [...t.text.matchAll(/<@[^>]*>/g)].map((m) => ({ where: t.where, mention: m[0], text: t.text })));
    expect(mentions.filter((m) => !m.where.startsWith("ephemeral") || !named.has(m.mention))).toEqual([]);
    // The refusals quoted what was typed, harmlessly.
    expect(answers.find((a) => a.command === "&lt;!channel&gt;")!.text).toContain("I don't know `/salon &lt;!channel&gt;`");
    expect(answers.find((a) => a.command === "limits &lt;!channel&gt;=5")!.text).toContain("I don't understand `&lt;!channel&gt;=5`");
    expect(answers.find((a) => a.command.startsWith("setup <#"))!.text).toContain("Usage: `/salon setup");
  }, 60_000);
});
