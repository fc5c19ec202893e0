/**
 * Looking before a repost (an attempt that may have posted, a digest claim taken over) matches only Salon's own
 * messages: its bot user's, never another app's bot or a webhook's, however they are titled.
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import type { Community, Creation, DigestView } from "../../src/core/types.js";
import { createSlackWeb } from "../../src/slack/slack-bot.js";
import { SilentLogger } from "../support/core-fakes.js";
import { FakeSlack } from "../support/slack/index.js";
import type { FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import { addSlackCommunity, salonText, slackCreationOfPost, startSlackHarness, storedSlackCommunity, type SlackHarness } from "../support/slack-harness.js";
import { likedYesterday } from "./support/liked-yesterday.js";
import { systemClock } from "../../src/runtime/system-clock.js";

let h: SlackHarness | undefined;
let fake: FakeSlack | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await fake?.close();
  fake = undefined;
});

describe("looking before reposting on Slack", () => {
  it("knows whose messages are its own before it first looks, and skips another bot's and a webhook's", async () => {
    fake = await FakeSlack.start();
    const gallery = fake.addChannel({ name: "gallery" });
    const otherBot = fake.addUser({ name: "copycat", isBot: true });
    const since = new Date(Date.now() - 60_000);
    fake.addBotMessage(gallery.id, { userId: otherBot.id, text: "look what I made", fileTitles: ["Salon creation #7"] });
    fake.addBotMessage(gallery.id, { text: "🏆 Salon digest — 30 November 2026\n1. something else" });
    const config = loadConfig({ SLACK_BOT_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: fake.signingSecret, SLACK_API_URL: fake.apiUrl, OPENAI_API_KEY: "sk-test" });
    // The publisher as the process builds it, before the bot has started (and said who it is).
    const { publisher } = createSlackWeb(config.slack!, systemClock, new SilentLogger());
    const community = { galleryChannelId: gallery.id } as Community;

    expect(await publisher.findCreationPost({ community, creation: { id: 7 } as Creation, since })).toBeNull();
    expect(await publisher.findDigestPost({ community, channelId: gallery.id, digest: { title: "30 November 2026" } as DigestView, since })).toBeNull();
    expect(fake.callsTo("auth.test")).toHaveLength(1);
  });

  it("posts its own creation after an attempt that may have posted, though another bot's upload carries its title", async () => {
    h = await startSlackHarness();
    const c = await addSlackCommunity(h);
    const [ana] = c.members as [FakeSlackUser];
    const otherBot = h.slack.addUser({ name: "copycat", isBot: true });
    // Creations are numbered from 1 in a new database: the next one is #1.
    h.slack.addBotMessage(c.gallery.id, { userId: otherBot.id, text: "look what I made", fileTitles: ["Salon creation #1"] });
    // Slack cannot hand out an upload URL, again and again: the attempt fails with the image made and stored, and the
    // next one looks for a post it may have made.
    h.slack.fail({ method: "files.getUploadURLExternal", status: 503, times: 4 });

    const handle: SlackCommandHandle = await h.slack.slashCommand({ command: "/imagine", text: "a fox in the snow", userId: ana.id, channelId: c.gallery.id });
    await handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 20_000);

    const own = h.slack.messages(c.gallery.id).filter((m) => m.user === h!.slack.botUserId && m.files.length > 0);
    expect(own).toHaveLength(1);
    expect(await slackCreationOfPost(h, c, own[0]!.ts)).toMatchObject({ id: 1, status: "posted" });
    expect(h.slack.callsTo("conversations.history").length).toBeGreaterThan(0);
  });

  it("posts its own digest after taking over a claim, though a webhook's message carries the digest's title", async () => {
    const world = await likedYesterday();
    h = world.h;
    const { c, day } = world;
    const stored = await storedSlackCommunity(h);
    // Another process claimed the digest long ago and died; a webhook posted a message titled like it.
    expect(await h.running.salon.deps.store.claimDigest(stored.id, day, "elsewhere:1:1:0badcafe", new Date(Date.now() - 2 * 86_400_000), 60_000)).toBe(true);
    const preview = await salonText(h, c, c.admin, "digest preview");
    const title = /\*(🏆 Salon digest — [^*]+)\*/.exec(preview)![1]!;
    h.slack.addBotMessage(c.gallery.id, { text: title });

    expect(await h.running.salon.publishDueDigests()).toBe(1);

    const own = h.slack.messages(c.gallery.id).filter((m) => m.user === h!.slack.botUserId && m.text.startsWith(title));
    expect(own).toHaveLength(1);
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(1);
  });
});
