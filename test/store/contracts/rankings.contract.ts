/** The contract of {@link RankingStore}: rankings and the day's numbers, from the stored like counts. */
import { describe, expect, it } from "vitest";
import type { RankingStore } from "../../../src/core/store/rankings.js";
import type { Stores } from "../../../src/core/store/stores.js";
import type { Community } from "../../../src/core/types.js";
import { at, community, days, members, minutes, posted, react, T0 } from "./seed.js";
import { freshStore, type StoreFactory } from "./store-under-test.js";

/** Every post there could be: the same ranking as the open window, computed over the posts instead of kept totals. */
const EVERYTHING = { from: new Date(0), to: new Date("2100-01-01T00:00:00.000Z") };

export function rankingStoreContract(factory: StoreFactory): void {
  describe("RankingStore", () => {
    const store = freshStore(factory);
    const rankings = (): RankingStore => store().stores.rankings;

    /** A post by `author` at `postedAt` with `likes` likes from fresh members. */
    async function liked(stores: Stores, c: Community, author: string, likes: number, postedAt: Date) {
      const post = await posted(stores, c, author, { postedAt });
      if (likes > 0) await react(stores, post, members(likes, `fan-${post.id}-`));
      return post;
    }

    it("credits a remix's original creator, or nobody once the original is gone; counts the remixes others made of a member's creations", async () => {
      const s = store().stores;
      const c = await community(s);
      const original = await posted(s, c, "ana");
      const remix = await posted(s, c, "ben", { lineage: { parentId: original.id, rootId: original.id, depth: 1 } });
      const again = await posted(s, c, "cat", { lineage: { parentId: remix.id, rootId: original.id, depth: 2 } });
      await posted(s, c, "ana", { lineage: { parentId: original.id, rootId: original.id, depth: 1 } }); // her own: not received
      const gone = await posted(s, c, "dan");
      const orphan = await posted(s, c, "eve", { lineage: { parentId: gone.id, rootId: gone.id, depth: 1 } });
      await s.creations.transitionCreation(gone.id, ["posted"], { status: "deleted" });
      for (const post of [original, remix, again, orphan]) await react(s, post, members(1, `fan-${post.id}-`));

      const credits = new Map((await rankings().topCreations(c.id, null, null, 10)).map((e) => [e.creationId, e.remixOf]));
      expect(credits.get(original.id)).toBeNull();
      expect(credits.get(remix.id)).toEqual({ authorUserId: "ana" });
      expect(credits.get(again.id)).toEqual({ authorUserId: "ana" }); // the chain's original, not the parent
      expect(credits.get(orphan.id)).toEqual({ authorUserId: null });
      expect(await rankings().remixesReceived(c.id, "ana")).toBe(1);
      expect(await rankings().remixesReceived(c.id, "ben")).toBe(1);
      expect(await rankings().remixesReceived(c.id, "cat")).toBe(0);
      expect(await rankings().remixesReceived(c.id, "dan")).toBe(1);
    });

    it("ranks liked posts most liked first, ties to the earlier post, then to the first stored; none without a like", async () => {
      const c = await community(store().stores);
      const p1 = await liked(store().stores, c, "ana", 2, at(minutes(1)));
      const p2 = await liked(store().stores, c, "ben", 3, at(minutes(2)));
      const p3 = await liked(store().stores, c, "cat", 2, T0);
      await liked(store().stores, c, "dan", 0, at(minutes(3)));
      const p5 = await liked(store().stores, c, "eve", 2, at(minutes(1)));
      const deleted = await liked(store().stores, c, "fay", 9, at(minutes(4)));
      await store().stores.creations.transitionCreation(deleted.id, ["posted"], { status: "deleted" });
      const top = await rankings().topCreations(c.id, null, null, 10);
      expect(top.map((e) => e.creationId)).toEqual([p2.id, p3.id, p1.id, p5.id]);
      expect(top.map((e) => e.rank)).toEqual([1, 2, 3, 4]);
      expect(top[0]).toEqual({
        rank: 1,
        creationId: p2.id,
        prompt: p2.prompt,
        authorUserId: "ben",
        likeCount: 3,
        channelId: p2.galleryChannelId,
        messageId: p2.galleryMessageId,
        url: p2.galleryUrl,
        imageHash: p2.imageHash,
        postedAt: at(minutes(2)),
        title: null,
        remixOf: null,
      });
      expect((await rankings().topCreations(c.id, null, null, 2)).map((e) => e.creationId)).toEqual([p2.id, p3.id]);
    });

    it("takes a window's posts from its start, included, to its end, excluded", async () => {
      const c = await community(store().stores);
      const before = await liked(store().stores, c, "ana", 5, at(-1));
      const first = await liked(store().stores, c, "ben", 1, T0);
      const last = await liked(store().stores, c, "cat", 2, at(days(1) - 1));
      const after = await liked(store().stores, c, "dan", 4, at(days(1)));
      const ids = async (from: Date | null, to: Date | null) => (await rankings().topCreations(c.id, from, to, 10)).map((e) => e.creationId);
      expect(await ids(T0, at(days(1)))).toEqual([last.id, first.id]);
      expect(await ids(T0, null)).toEqual([after.id, last.id, first.id]);
      expect(await ids(null, T0)).toEqual([before.id]);
      expect(await rankings().windowStats(c.id, T0, at(days(1)))).toMatchObject({ creations: 2 });
      const creators = await rankings().topCreators(c.id, T0, at(days(1)), 10);
      expect(creators.map((e) => e.userId)).toEqual(["cat", "ben"]);
    });

    it("ranks creators by likes on their liked posts in the window, ties to the earlier first post, with their best post", async () => {
      const c = await community(store().stores);
      const anaBest = await liked(store().stores, c, "ana", 3, at(minutes(1)));
      await liked(store().stores, c, "ana", 1, at(minutes(5)));
      await liked(store().stores, c, "ana", 0, at(minutes(6)));
      const benFirst = await liked(store().stores, c, "ben", 2, T0);
      await liked(store().stores, c, "ben", 2, at(minutes(7)));
      const cat = await liked(store().stores, c, "cat", 1, at(minutes(2)));
      await liked(store().stores, c, "cat", 9, at(-days(1)));
      const window = await rankings().topCreators(c.id, T0, at(days(1)), 10);
      expect(window).toEqual([
        { rank: 1, userId: "ben", likeCount: 4, creations: 2, bestUrl: benFirst.galleryUrl },
        { rank: 2, userId: "ana", likeCount: 4, creations: 2, bestUrl: anaBest.galleryUrl },
        { rank: 3, userId: "cat", likeCount: 1, creations: 1, bestUrl: cat.galleryUrl },
      ]);
      expect(await rankings().topCreators(c.id, T0, at(days(1)), 1)).toHaveLength(1);
    });

    it("gives the all-time creators ranking the same answer as a window holding every post, through likes, unlikes, deletions and new posts", async () => {
      const c = await community(store().stores);
      const same = async () => expect(await rankings().topCreators(c.id, null, null, 10)).toEqual(await rankings().topCreators(c.id, EVERYTHING.from, EVERYTHING.to, 10));
      const a = await liked(store().stores, c, "ana", 2, T0);
      const b = await liked(store().stores, c, "ben", 2, at(-minutes(1)));
      await same();
      expect((await rankings().topCreators(c.id, null, null, 10)).map((e) => e.userId)).toEqual(["ben", "ana"]);
      await react(store().stores, a, ["late-fan"]);
      await same();
      await store().stores.likes.setReaction(b.id, c.id, `fan-${b.id}-1`, "👍", false, { at: T0 });
      await store().stores.likes.setReaction(b.id, c.id, `fan-${b.id}-2`, "👍", false, { at: T0 });
      await same();
      await store().stores.creations.transitionCreation(a.id, ["posted"], { status: "deleted" });
      await same();
      await liked(store().stores, c, "ben", 1, at(minutes(9)));
      await liked(store().stores, c, "cat", 1, at(-days(100)));
      await same();
      expect((await rankings().topCreators(c.id, null, null, 10)).map((e) => [e.userId, e.likeCount, e.creations])).toEqual([["cat", 1, 1], ["ben", 1, 1]]);
    });

    it("breaks a tie between creators by their first liked post, whatever order they joined in", async () => {
      const c = await community(store().stores);
      await liked(store().stores, c, "x", 2, T0);
      await liked(store().stores, c, "y", 2, at(-minutes(2)));
      await liked(store().stores, c, "z", 2, at(-minutes(1)));
      for (const [from, to] of [[null, null], [EVERYTHING.from, EVERYTHING.to]] as const) {
        expect((await rankings().topCreators(c.id, from, to, 10)).map((e) => e.userId)).toEqual(["y", "z", "x"]);
      }
    });

    it("counts a window's posts and the distinct members whose reactions there count as likes", async () => {
      const c = await community(store().stores, "g1", { minAccountAgeDays: 7 });
      const a = await posted(store().stores, c, "ana", { postedAt: T0 });
      const b = await posted(store().stores, c, "ben", { postedAt: at(minutes(1)) });
      await posted(store().stores, c, "cat", { postedAt: at(minutes(2)) });
      const outside = await posted(store().stores, c, "dan", { postedAt: at(days(1)) });
      await react(store().stores, a, ["u1", "u2", "ben"]);
      await react(store().stores, b, ["u1", "ben"]);
      await react(store().stores, b, ["u1"], "❤️");
      await react(store().stores, a, ["young"], "👍", T0, { accountCreatedAt: at(-days(1)) });
      await react(store().stores, outside, ["u3"]);
      await store().stores.communities.setBlocked(c.id, "u2", true);
      await react(store().stores, a, ["ana"]);
      // u1 and ben (on ana's post); not u2 (blocked), not young, not ben on his own post, not the author, not u3 (outside).
      expect(await rankings().windowStats(c.id, T0, at(days(1)))).toEqual({ creations: 3, likers: 2 });
      await store().stores.communities.updateCommunity(c.id, { likeEmoji: ["❤️"] });
      expect(await rankings().windowStats(c.id, T0, at(days(1)))).toEqual({ creations: 3, likers: 1 });
      await store().stores.communities.updateCommunity(c.id, { likeEmoji: [] });
      expect(await rankings().windowStats(c.id, T0, at(days(1)))).toEqual({ creations: 3, likers: 0 });
      await store().stores.communities.updateCommunity(c.id, { likeEmoji: null, allowSelfLikes: true, minAccountAgeDays: 0 });
      expect(await rankings().windowStats(c.id, T0, at(days(1)))).toEqual({ creations: 3, likers: 4 });
      expect(await rankings().windowStats(c.id + 1000, T0, at(days(1)))).toEqual({ creations: 0, likers: 0 });
    });

    it("lists a member's posted creations, newest first", async () => {
      const c = await community(store().stores);
      const first = await posted(store().stores, c, "ana", { postedAt: T0 });
      const second = await posted(store().stores, c, "ana", { postedAt: at(minutes(5)) });
      const gone = await posted(store().stores, c, "ana", { postedAt: at(minutes(9)) });
      await store().stores.creations.transitionCreation(gone.id, ["posted"], { status: "deleted" });
      await posted(store().stores, c, "ben", { postedAt: at(minutes(1)) });
      await posted(store().stores, await community(store().stores, "g2"), "ana", { postedAt: at(minutes(2)) });
      expect((await rankings().memberCreations(c.id, "ana")).map((p) => p.id)).toEqual([second.id, first.id]);
      expect(await rankings().memberCreations(c.id, "nobody")).toEqual([]);
    });

    it("never ranks another community's posts or creators", async () => {
      const one = await community(store().stores, "g1");
      const two = await community(store().stores, "g2");
      await liked(store().stores, two, "ana", 3, T0);
      const mine = await liked(store().stores, one, "ana", 1, T0);
      expect((await rankings().topCreations(one.id, null, null, 10)).map((e) => e.creationId)).toEqual([mine.id]);
      expect(await rankings().topCreators(one.id, null, null, 10)).toMatchObject([{ userId: "ana", likeCount: 1 }]);
      expect(await rankings().topCreators(one.id, T0, at(1), 10)).toMatchObject([{ userId: "ana", likeCount: 1 }]);
    });
  });
}
