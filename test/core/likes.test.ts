import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReactionEvent } from "../../src/core/likes.js";
import { PublishError } from "../../src/core/errors.js";
import type { Creation } from "../../src/core/types.js";
import { buildSalon, GALLERY, rankedCreations, type SalonHarness } from "../support/core-fakes.js";

let h: SalonHarness;
let post: Creation;
const author = "u-author";
const admin = () => h.actor("u-admin", { admin: true });

beforeEach(async () => {
  h = await buildSalon();
  await h.setUp({ limits: { cooldownSeconds: 0 } });
  post = await h.createPosted(author, "a lighthouse at dawn");
});
afterEach(async () => {
  await h.cleanup();
});

/** A reaction as the platform adapter hands it to the core; it also happens on the fake platform. */
async function react(userId: string, emoji: string, opts: { on?: Creation; isBot?: boolean; remove?: boolean } = {}) {
  const target = opts.on ?? post;
  if (opts.remove) h.publisher.unreact(target.galleryMessageId!, userId, emoji);
  else h.publisher.react(target.galleryMessageId!, userId, emoji, opts.isBot ?? false);
  return h.salon.reaction({
    community: h.ref(),
    channelId: target.galleryChannelId!,
    messageId: target.galleryMessageId!,
    kind: opts.remove ? "remove" : "add",
    userId,
    emoji,
    isBot: opts.isBot ?? false,
  });
}
const unreact = (userId: string, emoji: string, on?: Creation) => react(userId, emoji, { remove: true, on });
const likesOf = async (c: Creation = post) => (await h.creation(c.id)).likeCount;
const reactionRows = () => h.db.prisma.reaction.count();

describe("likes while a reconciliation reads the platform", () => {
  it("keeps the reactions added and removed live while a slow recount of the same post is in flight", async () => {
    await react("u-a", "👍");
    await react("u-b", "👍");
    const slow = h.publisher.holdFetch();
    const recount = h.salon.recount(admin());
    await slow.started; // the platform has answered {a, b}; the answer is on its way
    h.clock.advance(1_000);

    await react("u-c", "👍");
    await react("u-d", "🎉");
    await unreact("u-a", "👍");
    expect(await likesOf()).toBe(3);
    h.clock.advance(1_000);
    slow.release();
    await recount;

    // What the platform shows now: b, c and d.
    expect(await likesOf()).toBe(3);
    const stored = (await h.db.prisma.reaction.findMany({ include: { member: true } })).map((r) => r.member.userId).sort();
    expect(stored).toEqual(["u-b", "u-c", "u-d"]);
    // And the next recount, reading after those events, agrees.
    await h.salon.recount(admin());
    expect(await likesOf()).toBe(3);
  });

  it("keeps a remove-all and a remove-emoji seen while a slow recount is in flight", async () => {
    await react("u-a", "👍");
    await react("u-b", "🎉");
    await react("u-c", "🎉");
    const slow = h.publisher.holdFetch();
    const recount = h.salon.recount(admin());
    await slow.started;
    h.clock.advance(1_000);

    h.publisher.unreact(post.galleryMessageId!, "u-b", "🎉");
    h.publisher.unreact(post.galleryMessageId!, "u-c", "🎉");
    await h.salon.reaction({ community: h.ref(), channelId: post.galleryChannelId!, messageId: post.galleryMessageId!, kind: "remove_emoji", emoji: "🎉" });
    expect(await likesOf()).toBe(1);
    slow.release();
    await recount;
    expect(await likesOf()).toBe(1);
  });

  it("still removes what the read missed and adds what it found when nothing happened live meanwhile", async () => {
    await react("u-a", "👍");
    // While the bot was away: a left, e reacted.
    h.publisher.unreact(post.galleryMessageId!, "u-a", "👍");
    h.publisher.react(post.galleryMessageId!, "u-e", "👍");
    h.clock.advance(60_000);
    await h.salon.recount(admin());
    expect(await likesOf()).toBe(1);
    const stored = (await h.db.prisma.reaction.findMany({ include: { member: true } })).map((r) => r.member.userId);
    expect(stored).toEqual(["u-e"]);
  });
});

describe("likes", () => {
  it("counts a duplicated add event once", async () => {
    await react("u-1", "👍");
    expect(await react("u-1", "👍")).toBe(1);
    expect(await likesOf()).toBe(1);
    expect(await reactionRows()).toBe(1);
  });

  it("ignores bots' reactions, ours included, and stores nothing for them", async () => {
    expect(await react("u-bot", "👍", { isBot: true })).toBe(0);
    expect(await likesOf()).toBe(0);
    expect(await reactionRows()).toBe(0);
  });

  it("does not count the author's own reaction, unless the community allows self-likes", async () => {
    expect(await react(author, "👍")).toBe(0);
    expect(await likesOf()).toBe(0);
    const community = await h.community();
    await h.store.updateCommunity(community.id, { allowSelfLikes: true });
    expect(await react(author, "❤️")).toBe(1);
    expect(await likesOf()).toBe(1);
  });

  it("counts a second emoji from the same member as the same one like", async () => {
    await react("u-1", "👍");
    expect(await react("u-1", "❤️")).toBe(1);
    expect(await react("u-2", "❤️")).toBe(2);
    expect(await likesOf()).toBe(2);
  });

  it("keeps the like when one of two emoji is removed and drops it when the last one goes", async () => {
    await react("u-1", "👍");
    await react("u-1", "❤️");
    expect(await unreact("u-1", "👍")).toBe(1);
    expect(await likesOf()).toBe(1);
    expect(await unreact("u-1", "❤️")).toBe(0);
    expect(await likesOf()).toBe(0);
    // A replayed removal changes nothing.
    expect(await unreact("u-1", "❤️")).toBe(0);
  });

  it("handles remove-all and remove-emoji events", async () => {
    await react("u-1", "👍");
    await react("u-2", "👍");
    await react("u-2", "❤️");
    await react("u-3", "🔥");
    const base = { community: h.ref(), channelId: post.galleryChannelId!, messageId: post.galleryMessageId! };
    expect(await h.salon.reaction({ ...base, kind: "remove_emoji", emoji: "👍" } as ReactionEvent)).toBe(2);
    expect(await likesOf()).toBe(2);
    expect(await h.salon.reaction({ ...base, kind: "remove_all" } as ReactionEvent)).toBe(0);
    expect(await likesOf()).toBe(0);
    expect(await reactionRows()).toBe(0);
  });

  it("ignores reactions on messages that are not gallery posts", async () => {
    const result = await h.salon.reaction({ community: h.ref(), channelId: GALLERY, messageId: "some-chat-message", kind: "add", userId: "u-1", emoji: "👍", isBot: false });
    expect(result).toBeNull();
    const elsewhere = await h.salon.reaction({ community: h.ref(), channelId: "c-other", messageId: post.galleryMessageId!, kind: "add", userId: "u-1", emoji: "👍", isBot: false });
    expect(elsewhere).toBeNull();
    expect(await reactionRows()).toBe(0);
    expect(await likesOf()).toBe(0);
  });

  it("stops counting a member's likes when they are blocked and counts them again when unblocked", async () => {
    const other = await h.createPosted("u-author2", "a second picture");
    await react("u-troll", "👍");
    await react("u-troll", "👍", { on: other });
    await react("u-fan", "👍");
    expect(await likesOf()).toBe(2);

    await h.salon.block(admin(), "u-troll");
    expect(await likesOf()).toBe(1);
    expect(await likesOf(other)).toBe(0);
    // While blocked, new reactions do not count either.
    expect(await react("u-troll", "❤️")).toBe(1);

    await h.salon.unblock(admin(), "u-troll");
    expect(await likesOf()).toBe(2);
    expect(await likesOf(other)).toBe(1);
  });

  it("counts only the community's like emoji when it restricts them", async () => {
    const community = await h.community();
    await h.store.updateCommunity(community.id, { likeEmoji: ["⭐"] });
    expect(await react("u-1", "👍")).toBe(0);
    expect(await react("u-2", "⭐")).toBe(1);
    expect(await react("u-1", "⭐")).toBe(2);
    expect(await unreact("u-1", "⭐")).toBe(1);
  });

  it("takes a deleted post out of the rankings and ignores later reactions on it", async () => {
    await react("u-1", "👍");
    expect((await h.salon.top(h.actor("u-1"), "all")).entries).toHaveLength(1);
    expect(await h.salon.postsDeleted(h.ref(), post.galleryChannelId!, [post.galleryMessageId!])).toBe(1);
    expect((await h.creation(post.id)).status).toBe("deleted");
    expect((await h.salon.top(h.actor("u-1"), "all")).entries).toEqual([]);
    expect((await h.salon.top(h.actor("u-1"), "all", "creators")).entries).toEqual([]);
    expect(await react("u-2", "👍")).toBeNull();
  });

  it("lets the creator delete their post with the delete button, and not another member", async () => {
    await react("u-1", "👍");
    await expect(h.salon.deletePost(h.actor("u-1"), post.id)).rejects.toMatchObject({ code: "not_yours" });
    await h.salon.deletePost(h.actor(author), post.id);
    expect((await h.creation(post.id)).status).toBe("deleted");
    expect(h.publisher.deletes).toEqual([{ channelId: post.galleryChannelId, messageId: post.galleryMessageId }]);
    expect((await h.salon.top(h.actor("u-1"), "all")).entries).toEqual([]);
  });

  it("keeps a post the platform refuses to delete posted and counted, and tells the member why", async () => {
    await react("u-1", "👍");
    h.publisher.failDeletes(new PublishError("missing_access", "Missing Access", { fix: "Give me back View Channel." }));

    await expect(h.salon.deletePost(h.actor(author), post.id)).rejects.toMatchObject({ code: "delete_refused", userMessage: expect.stringContaining("Give me back View Channel.") });

    expect((await h.creation(post.id)).status).toBe("posted");
    expect(rankedCreations(await h.salon.top(h.actor("u-1"), "all")).map((e) => e.creationId)).toEqual([post.id]);
    // Asked again once the platform agrees, it goes.
    await h.salon.deletePost(h.actor(author), post.id);
    expect((await h.creation(post.id)).status).toBe("deleted");
  });

  it("reconciles reactions added and removed while offline, and posts deleted meanwhile", async () => {
    const second = await h.createPosted("u-author2", "second");
    const gone = await h.createPosted("u-author3", "deleted while offline");
    await react("u-1", "👍");
    await react("u-2", "👍");
    await react("u-1", "👍", { on: gone });
    expect(await likesOf()).toBe(2);

    // While the bot is offline:
    h.publisher.unreact(post.galleryMessageId!, "u-1", "👍");
    h.publisher.react(post.galleryMessageId!, "u-3", "🎉");
    h.publisher.react(post.galleryMessageId!, "u-4", "🎉");
    h.publisher.react(post.galleryMessageId!, "u-bot", "🤖", true);
    h.publisher.react(second.galleryMessageId!, "u-5", "👍");
    h.publisher.deleteMessage(gone.galleryMessageId!);
    h.clock.advance(60_000);

    const result = await h.salon.reconcileAll();
    expect(result).toEqual({ posts: 3, corrected: 2, deleted: 1, failed: 0 });
    expect(await likesOf()).toBe(3);
    expect(await likesOf(second)).toBe(1);
    expect((await h.creation(gone.id)).status).toBe("deleted");
    expect(rankedCreations(await h.salon.top(h.actor("u-1"), "all")).map((e) => e.creationId)).toEqual([post.id, second.id]);

    // A second pass finds nothing to correct.
    expect(await h.salon.recount(admin())).toEqual({ posts: 2, corrected: 0, deleted: 0, failed: 0 });
  });

  it("re-reads only posts from the last reconcileDays days", async () => {
    h.clock.advance(8 * 86_400_000);
    const recent = await h.createPosted("u-author2", "recent");
    h.publisher.react(post.galleryMessageId!, "u-1", "👍");
    h.publisher.react(recent.galleryMessageId!, "u-1", "👍");
    const result = await h.salon.recount(admin());
    expect(result.posts).toBe(1);
    expect(h.publisher.fetches).toEqual([recent.galleryMessageId]);
    expect(await likesOf(recent)).toBe(1);
    expect(await likesOf()).toBe(0);
  });

  it("keeps /salon recount for admins", async () => {
    await expect(h.salon.recount(h.actor("u-1"))).rejects.toMatchObject({ code: "not_admin" });
  });
});
