import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningSalon } from "../../src/app.js";
import type { FakeSlackMessage, FakeSlackUser } from "../support/slack/types.js";
import {
  addSlackCommunity,
  createSlackPost,
  salonText,
  slackCreationOfPost,
  slackLikeCountOf,
  slackReactionsOf,
  startSlackHarness,
  type SlackCommunity,
  type SlackHarness,
} from "../support/slack-harness.js";

let h: SlackHarness;
let c: SlackCommunity;

beforeEach(async () => {
  h = await startSlackHarness();
  c = await addSlackCommunity(h);
});
afterEach(async () => {
  await h.close();
});

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const permalink = (post: FakeSlackMessage) => `https://fake.slack.com/archives/${post.channel}/p${post.ts.replace(".", "")}`;

/** Polls until the stored like count of the post is `count`, then checks it stays there. */
async function likesSettleAt(post: FakeSlackMessage, count: number, running: RunningSalon = h.running): Promise<void> {
  await expect.poll(() => slackLikeCountOf(h, c, post.ts, running), { timeout: 5_000 }).toBe(count);
  await settle();
  expect(await slackLikeCountOf(h, c, post.ts, running)).toBe(count);
}

describe("likes on Slack", () => {
  it("does not count reactions of bots, our own bot included", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const otherBot = h.slack.addUser({ name: "starboard", isBot: true });
    const post = await createSlackPost(h, c, ana, "a robot painting flowers");

    await h.slack.react(c.gallery.id, post.ts, otherBot.id, "star");
    await h.slack.react(c.gallery.id, post.ts, h.slack.botUserId, "+1");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "fire");

    await likesSettleAt(post, 1);
    expect(await slackReactionsOf(h, otherBot.id)).toEqual([]);
    expect(await slackReactionsOf(h, h.slack.botUserId)).toEqual([]);
  });

  it("does not count the author's own reaction", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "a self portrait");

    await h.slack.react(c.gallery.id, post.ts, ana.id, "heart");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "heart");

    await likesSettleAt(post, 1);
  });

  it("counts two emoji from one member as one like, and a skin tone of an emoji as that emoji", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "two emoji, one fan");
    const creationId = (await slackCreationOfPost(h, c, post.ts))!.id;

    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1::skin-tone-2");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "tada");

    await expect.poll(() => slackReactionsOf(h, ben.id)).toEqual([`${creationId}:+1`, `${creationId}:tada`]);
    await likesSettleAt(post, 1);
    expect(await slackReactionsOf(h, ben.id)).toEqual([`${creationId}:+1`, `${creationId}:tada`]);
  });

  it("keeps the like while one of two emoji remains and removes it with the last one", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "a fickle admirer");
    const creationId = (await slackCreationOfPost(h, c, post.ts))!.id;
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "fire");
    await expect.poll(() => slackReactionsOf(h, ben.id)).toEqual([`${creationId}:+1`, `${creationId}:fire`]);
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(1);

    await h.slack.unreact(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackReactionsOf(h, ben.id)).toEqual([`${creationId}:fire`]);
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(1);

    await h.slack.unreact(c.gallery.id, post.ts, ben.id, "fire");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(0);
    expect(await slackReactionsOf(h, ben.id)).toEqual([]);
  });

  it("keeps the like while one skin tone of an emoji remains and removes it with the last one", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "thumbs in every shade");
    const creationId = (await slackCreationOfPost(h, c, post.ts))!.id;
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1::skin-tone-2");
    await likesSettleAt(post, 1);

    // Ben still shows +1 with a skin tone: still a like.
    await h.slack.unreact(c.gallery.id, post.ts, ben.id, "+1");
    await likesSettleAt(post, 1);
    expect(await slackReactionsOf(h, ben.id)).toEqual([`${creationId}:+1`]);

    await h.slack.unreact(c.gallery.id, post.ts, ben.id, "+1::skin-tone-2");
    await likesSettleAt(post, 0);
    expect(await slackReactionsOf(h, ben.id)).toEqual([]);
  });

  it("ignores reactions on messages that are not gallery posts", async () => {
    const [ana, ben, chloe] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "the only real post");
    const chatter = h.slack.addMessage(c.gallery.id, ben.id, "nice gallery!");

    await h.slack.react(c.gallery.id, chatter.ts, chloe.id, "+1");
    await h.slack.react(c.gallery.id, chatter.ts, ana.id, "heart");
    await h.slack.react(c.gallery.id, post.ts, chloe.id, "+1");

    const creationId = (await slackCreationOfPost(h, c, post.ts))!.id;
    await expect.poll(() => slackReactionsOf(h, chloe.id)).toEqual([`${creationId}:+1`]);
    await settle();
    expect(await slackReactionsOf(h, chloe.id)).toEqual([`${creationId}:+1`]);
    expect(await slackReactionsOf(h, ana.id)).toEqual([]);
    expect(await slackCreationOfPost(h, c, chatter.ts)).toBeNull();
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(1);
  });

  it("takes a gallery post deleted on Slack out of /salon top", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "a short-lived masterpiece");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);
    expect(await salonText(h, c, ben, "top")).toContain(permalink(post));

    const deleted = await h.slack.deleteMessage(c.gallery.id, post.ts);
    expect(deleted!.status).toBe(200);

    await expect.poll(async () => (await slackCreationOfPost(h, c, post.ts))!.status).toBe("deleted");
    const top = await salonText(h, c, ben, "top all");
    expect(top).not.toContain(permalink(post));
    expect(top).toContain("No liked creations");
  });

  it("reconciles at start-up the reactions added, removed and the posts deleted while the bot was offline", async () => {
    const [ana, ben, chloe, dev] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser, FakeSlackUser];
    const otherBot = h.slack.addUser({ name: "starboard", isBot: true });
    const gained = await createSlackPost(h, c, ana, "gains likes while offline");
    const lost = await createSlackPost(h, c, dev, "loses its like while offline");
    const gone = await createSlackPost(h, c, ben, "deleted while offline");
    await h.slack.react(c.gallery.id, gained.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, lost.ts, chloe.id, "+1");
    await h.slack.react(c.gallery.id, gone.ts, chloe.id, "+1");
    await expect
      .poll(async () => [await slackLikeCountOf(h, c, gained.ts), await slackLikeCountOf(h, c, lost.ts), await slackLikeCountOf(h, c, gone.ts)])
      .toEqual([1, 1, 1]);
    const bensBefore = await slackReactionsOf(h, ben.id);

    await h.running.stop();
    await h.slack.react(c.gallery.id, gained.ts, chloe.id, "fire", { silent: true });
    await h.slack.react(c.gallery.id, gained.ts, chloe.id, "fire::skin-tone-4", { silent: true });
    await h.slack.react(c.gallery.id, gained.ts, dev.id, "+1::skin-tone-5", { silent: true });
    await h.slack.react(c.gallery.id, gained.ts, ana.id, "heart", { silent: true });
    await h.slack.react(c.gallery.id, gained.ts, otherBot.id, "star", { silent: true });
    await h.slack.react(c.gallery.id, gained.ts, h.slack.botUserId, "+1", { silent: true });
    await h.slack.unreact(c.gallery.id, lost.ts, chloe.id, "+1", { silent: true });
    await h.slack.deleteMessage(c.gallery.id, gone.ts, { silent: true });
    const readsBefore = h.slack.callsTo("reactions.get").length;

    const started = Date.now();
    const restarted = await h.restart();
    await restarted.reconciled;
    expect(Date.now() - started).toBeLessThan(30_000);

    expect(h.slack.callsTo("reactions.get").length - readsBefore).toBe(3);
    expect(await slackLikeCountOf(h, c, gained.ts, restarted)).toBe(3);
    const gainedId = (await slackCreationOfPost(h, c, gained.ts, restarted))!.id;
    const onGained = async (user: FakeSlackUser) => (await slackReactionsOf(h, user.id, restarted)).filter((r) => r.startsWith(`${gainedId}:`));
    expect(await slackReactionsOf(h, ben.id, restarted)).toEqual(bensBefore);
    // A skin tone read back from Slack is the same emoji as the plain one.
    expect(await onGained(chloe)).toEqual([`${gainedId}:fire`]);
    expect(await onGained(dev)).toEqual([`${gainedId}:+1`]);
    expect(await slackReactionsOf(h, otherBot.id, restarted)).toEqual([]);
    expect(await slackReactionsOf(h, h.slack.botUserId, restarted)).toEqual([]);
    expect(await slackLikeCountOf(h, c, lost.ts, restarted)).toBe(0);
    expect((await slackCreationOfPost(h, c, gone.ts, restarted))!.status).toBe("deleted");
    expect(h.logs.some((l) => l.msg === "reconciled recent likes with the platforms" && l.corrected === 2 && l.deleted === 1)).toBe(true);

    const top = await salonText(h, c, dev, "top all");
    expect(top).toContain(`— 3 likes — <${permalink(gained)}|view>`);
    expect(top).not.toContain(permalink(lost));
    expect(top).not.toContain(permalink(gone));
  });

  it("corrects silent reaction changes with /salon recount and says how many it corrected", async () => {
    const [ana, ben, chloe, dev] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser, FakeSlackUser];
    const first = await createSlackPost(h, c, ana, "recount me");
    const second = await createSlackPost(h, c, ben, "recount me too");
    const untouched = await createSlackPost(h, c, chloe, "nothing changes here");
    await h.slack.react(c.gallery.id, first.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, untouched.ts, ana.id, "+1");
    await expect.poll(async () => (await slackLikeCountOf(h, c, first.ts)) + (await slackLikeCountOf(h, c, untouched.ts))).toBe(2);

    // Changes Slack made without telling the bot (lost events).
    await h.slack.react(c.gallery.id, first.ts, chloe.id, "+1", { silent: true });
    await h.slack.react(c.gallery.id, first.ts, dev.id, "fire", { silent: true });
    await h.slack.react(c.gallery.id, second.ts, dev.id, "+1", { silent: true });
    expect(await slackLikeCountOf(h, c, first.ts)).toBe(1);

    const reply = await salonText(h, c, c.admin, "recount");

    expect(reply).toBe("Re-read the likes of 3 recent posts: 2 corrected, 0 found deleted.");
    expect(await slackLikeCountOf(h, c, first.ts)).toBe(3);
    expect(await slackLikeCountOf(h, c, second.ts)).toBe(1);
    expect(await slackLikeCountOf(h, c, untouched.ts)).toBe(1);
  });

  it("does not count a bot Slack cannot tell about as a liker, live or on /salon recount, and says a post could not be read", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const otherBot = h.slack.addUser({ name: "starboard", isBot: true });
    const post = await createSlackPost(h, c, ana, "a robot painting flowers");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await likesSettleAt(post, 1);
    // Slack cannot say who the bot is: users.info fails for it, every time.
    h.slack.fail({ method: "users.info", error: "internal_error", where: { user: otherBot.id }, times: Infinity });

    const live = await h.slack.react(c.gallery.id, post.ts, otherBot.id, "star");
    expect(live?.status).toBe(200);
    await expect.poll(() => h.slack.callsTo("users.info").filter((call) => call.args.user === otherBot.id).length).toBeGreaterThan(0);
    await likesSettleAt(post, 1);

    const reply = await salonText(h, c, c.admin, "recount");

    expect(reply).toBe("Re-read the likes of 1 recent post: 0 corrected, 0 found deleted, 1 could not be read.");
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(1);
    expect(await slackReactionsOf(h, otherBot.id)).toEqual([]);
  });
});
