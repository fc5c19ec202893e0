import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Creation } from "../../src/core/types.js";
import { buildSalon, rankedCreations, rankedCreators, waitFor, type SalonHarness } from "../support/core-fakes.js";

let h: SalonHarness;
const me = "u-me";

beforeEach(async () => {
  h = await buildSalon();
  await h.setUp({ limits: { cooldownSeconds: 0 } });
});
afterEach(async () => {
  await h.cleanup();
});

function react(c: Creation, userId: string, emoji = "👍") {
  h.publisher.react(c.galleryMessageId!, userId, emoji);
  return h.salon.reaction({ community: h.ref(), channelId: c.galleryChannelId!, messageId: c.galleryMessageId!, kind: "add", userId, emoji, isBot: false });
}

describe("/privacy forget and the digests already posted", () => {
  it("edits every posted digest that named the member: a former member, no prompt, no link, their image out of the collage", async () => {
    const mine = await h.createPosted(me, "my secret lighthouse", { at: "2026-11-25T10:00:00Z" });
    const theirs = await h.createPosted("u-other", "their fox", { at: "2026-11-25T11:00:00Z" });
    await react(mine, "u-a");
    await react(mine, "u-b");
    await react(theirs, "u-a");
    h.clock.set("2026-11-26T12:00:00Z");
    expect(await h.salon.publishDueDigests()).toBe(1);
    const [posted] = h.publisher.digests;
    expect(posted!.digest!.entries.map((e) => e.authorUserId)).toEqual([me, "u-other"]);
    expect(h.collage.renders).toEqual([2]);

    expect(await h.salon.forget(h.actor(me))).toMatchObject({ digests: 1 });

    expect(h.publisher.digestEdits).toHaveLength(1);
    const edited = h.publisher.digestEdits[0]!;
    expect(edited.messageId).toBe(posted!.messageId);
    expect(edited.digest.title).toBe("25 November 2026");
    expect(edited.digest.entries.map((e) => [e.rank, e.authorUserId, e.prompt, e.likeCount])).toEqual([
      [1, null, "", 2],
      [2, "u-other", "their fox", 1],
    ]);
    expect(edited.digest.entries[0]!.url).toBe("");
    expect(edited.digest.summary.topCreator).toEqual({ userId: null, likeCount: 2 });
    expect(JSON.stringify(edited.digest)).not.toContain("my secret lighthouse");
    // The collage is drawn again from what is left: the other member's image only.
    expect(h.collage.renders).toEqual([2, 1]);
    // A member who never made a listed creation is not touched, and forgetting again changes nothing more.
    await h.salon.forget(h.actor("u-a"));
    expect(h.publisher.digestEdits).toHaveLength(1);
  });

  it("says which digests could not be edited, and edits them when asked again", async () => {
    const mine = await h.createPosted(me, "my lighthouse", { at: "2026-11-25T10:00:00Z" });
    await react(mine, "u-a");
    h.clock.set("2026-11-26T12:00:00Z");
    await h.salon.publishDueDigests();
    h.publisher.failEdits(new Error("the platform is down"));

    await expect(h.salon.forget(h.actor(me))).rejects.toMatchObject({ code: "forget_incomplete", userMessage: expect.stringContaining("1 digest that names you couldn't be edited") });
    expect(await h.salon.forget(h.actor(me))).toMatchObject({ digests: 1 });
    expect(h.publisher.digestEdits.at(-1)!.digest.entries[0]!.authorUserId).toBeNull();
  });
});

describe("/privacy", () => {
  it("exports the member's creations and likes as JSON, and nobody else's", async () => {
    const mine = await h.createPosted(me, "my lighthouse");
    const theirs = await h.createPosted("u-other", "their secret prompt");
    await react(mine, "u-other");
    await react(theirs, me, "👍");
    await react(theirs, me, "❤️");

    const exported = JSON.parse(await h.salon.exportData(h.actor(me)));
    expect(exported.community).toEqual(h.ref());
    expect(exported.member.userId).toBe(me);
    expect(exported.member.creations).toEqual([
      expect.objectContaining({ id: mine.id, prompt: "my lighthouse", status: "posted", likeCount: 1, galleryUrl: mine.galleryUrl, costMicroUsd: 40_000 }),
    ]);
    expect(exported.member.reactions).toEqual([
      { creationId: theirs.id, emoji: "❤️", galleryUrl: theirs.galleryUrl, reactedAt: h.clock.now().toISOString() },
      { creationId: theirs.id, emoji: "👍", galleryUrl: theirs.galleryUrl, reactedAt: h.clock.now().toISOString() },
    ]);
    expect(JSON.stringify(exported)).not.toContain("their secret prompt");
  });

  it("forgets a member: prompts, likes given and received, gallery posts and images go; every count stays consistent", async () => {
    const mine1 = await h.createPosted(me, "my first prompt");
    const mine2 = await h.createPosted(me, "my second prompt");
    const theirs = await h.createPosted("u-other", "their picture");
    const third = await h.createPosted("u-third", "another picture");
    await react(mine1, "u-other");
    await react(mine2, "u-third");
    await react(theirs, me);
    await react(theirs, me, "❤️");
    await react(theirs, "u-third");
    await react(third, me);
    expect((await h.creation(theirs.id)).likeCount).toBe(2);
    expect((await h.creation(third.id)).likeCount).toBe(1);

    const result = await h.salon.forget(h.actor(me));
    // Three reactions of theirs stay on others' posts (only they can take them off): counted no more, even by a recount.
    expect(result).toEqual({ posts: 2, images: 2, reactionsLeft: 3, digests: 0 });

    // Prompts and posts are gone.
    for (const c of [mine1, mine2]) {
      expect(await h.creation(c.id)).toMatchObject({ prompt: "", status: "deleted", likeCount: 0, imageHash: null, galleryUrl: null });
      expect(await h.files.get(c.imageHash!)).toBeNull();
    }
    expect(h.publisher.deletes).toEqual([
      { channelId: mine1.galleryChannelId, messageId: mine1.galleryMessageId },
      { channelId: mine2.galleryChannelId, messageId: mine2.galleryMessageId },
    ]);
    expect(h.publisher.message(mine1.galleryMessageId!).deleted).toBe(true);

    // Likes given are gone and the counts they fed dropped; others' images stay.
    expect((await h.creation(theirs.id)).likeCount).toBe(1);
    expect((await h.creation(third.id)).likeCount).toBe(0);
    expect(await h.files.get(theirs.imageHash!)).not.toBeNull();
    const memberRow = await h.db.prisma.member.findFirstOrThrow({ where: { userId: me } });
    expect(await h.db.prisma.reaction.count({ where: { memberId: memberRow.id } })).toBe(0);
    expect(await h.db.prisma.reaction.count({ where: { creationId: { in: [mine1.id, mine2.id] } } })).toBe(0);
    expect(await h.db.prisma.creation.count({ where: { prompt: { contains: "my " } } })).toBe(0);

    // Rankings no longer show the member.
    const top = await h.salon.top(h.actor("u-other"), "all");
    expect(rankedCreations(top).map((e) => [e.creationId, e.likeCount])).toEqual([[theirs.id, 1]]);
    const creators = await h.salon.top(h.actor("u-other"), "all", "creators");
    expect(rankedCreators(creators).map((e) => e.userId)).toEqual(["u-other"]);
    expect(await h.salon.profile(h.actor(me))).toMatchObject({ creations: 0, likesReceived: 0, best: null });

    // And the export now holds nothing of them.
    const exported = JSON.parse(await h.salon.exportData(h.actor(me)));
    expect(exported.member.reactions).toEqual([]);
    expect(exported.member.creations.map((c: { prompt: string }) => c.prompt)).toEqual(["", ""]);
  });

  it("keeps the day's spend after forgetting, so the budget is not handed out twice", async () => {
    await h.createPosted(me, "costly");
    await h.salon.forget(h.actor(me));
    const community = await h.community();
    expect((await h.stores.creations.usage(community.id, "u-other", "2026-11-25")).spendTodayMicroUsd).toBe(40_000);
  });

  it("forgets nothing and fails nothing for a member the bot never saw", async () => {
    expect(await h.salon.forget(h.actor("u-stranger"))).toEqual({ posts: 0, images: 0, reactionsLeft: 0, digests: 0 });
    const exported = JSON.parse(await h.salon.exportData(h.actor("u-stranger")));
    expect(exported.member).toEqual({ userId: "u-stranger", blocked: false, accountCreatedAt: null, joinedAt: null, creations: [], reactions: [], forgottenReactions: [], polishDrafts: [] });
  });

  it("does not post, and deletes the image of, a creation forgotten while it was being generated", async () => {
    const hold = h.provider.hold();
    const { creation } = await h.salon.imagine(h.actor(me), { prompt: "forget me while drawing", statusRef: null });
    await h.startQueue();
    await hold.started;
    await h.salon.forget(h.actor(me));
    hold.release();
    await h.drain();
    await waitFor(() => h.salon.queue.busy === 0, { what: "the worker to finish" });
    expect(await h.creation(creation.id)).toMatchObject({ status: "deleted", prompt: "", imageHash: null });
    expect(h.publisher.posts).toHaveLength(0);
    expect(h.files.images.size).toBe(0);
  });

  it("takes down a post that was being made when the member asked to be forgotten", async () => {
    const hold = h.publisher.holdPost();
    const { creation } = await h.salon.imagine(h.actor(me), { prompt: "forget me while posting", statusRef: null });
    await h.startQueue();
    await hold.started;
    await h.salon.forget(h.actor(me));
    hold.release();
    await waitFor(() => h.publisher.deletes.length === 1, { what: "the post to be taken down" });
    const [post] = h.publisher.posts;
    expect(h.publisher.deletes).toEqual([{ channelId: post!.channelId, messageId: post!.messageId }]);
    expect(post!.deleted).toBe(true);
    expect(await h.creation(creation.id)).toMatchObject({ status: "deleted", prompt: "", galleryUrl: null });
  });
});
