/** The contract of {@link LikeStore}: reactions, live and re-read, and the like counts every write returns. */
import { describe, expect, it } from "vitest";
import type { LikeStore, ReactionRow } from "../../../src/core/store/likes.js";
import type { Community, Creation } from "../../../src/core/types.js";
import { at, community, days, likeCount, members, minutes, posted, react, T0 } from "./seed.js";
import { freshStore, type StoreFactory } from "./store-under-test.js";

export function likeStoreContract(factory: StoreFactory): void {
  describe("LikeStore", () => {
    const store = freshStore(factory);
    const likes = (): LikeStore => store().stores.likes;
    const set = (post: Creation, userId: string, emoji: string, present: boolean, seenAt: Date = T0) =>
      likes().setReaction(post.id, post.communityId, userId, emoji, present, { at: seenAt });
    const exported = async (c: Community, userId: string) => (await store().stores.privacy.exportMember(c.id, userId)).reactions.map((r) => `${r.creationId} ${r.emoji}`);

    async function onePost(patch: Parameters<typeof community>[2] = {}) {
      const c = await community(store().stores, "g1", patch);
      return { c, post: await posted(store().stores, c, "author") };
    }

    describe("live reactions", () => {
      it("answers each write with the post's like count after it, and a write that changes nothing with null", async () => {
        const { post } = await onePost();
        expect(await set(post, "u1", "👍", true)).toBe(1);
        expect(await set(post, "u1", "👍", true)).toBeNull();
        expect(await set(post, "u1", "❤️", true)).toBe(1);
        expect(await set(post, "u2", "👍", true)).toBe(2);
        expect(await set(post, "u1", "👍", false)).toBe(2);
        expect(await set(post, "u1", "❤️", false)).toBe(1);
        expect(await set(post, "u1", "❤️", false)).toBeNull();
        expect(await set(post, "u9", "👍", false)).toBeNull();
        expect(await likeCount(store().stores, post.id)).toBe(1);
      });

      it("counts distinct members only: not the author, not blocked members, and only the allowed emoji", async () => {
        const { c, post } = await onePost();
        await store().stores.communities.setBlocked(c.id, "blocked", true);
        expect(await set(post, "author", "👍", true)).toBe(0);
        expect(await set(post, "blocked", "👍", true)).toBe(0);
        expect(await react(store().stores, post, ["u1", "u2"])).toBe(2);
        expect(await react(store().stores, post, ["u1"], "🎉")).toBe(2);
        await store().stores.communities.updateCommunity(c.id, { likeEmoji: ["🎉"] });
        expect(await react(store().stores, post, ["u3"], "👍")).toBe(1);
        await store().stores.communities.updateCommunity(c.id, { likeEmoji: [] });
        expect(await react(store().stores, post, ["u4"], "🎉")).toBe(0);
        await store().stores.communities.updateCommunity(c.id, { likeEmoji: null, allowSelfLikes: true });
        expect(await react(store().stores, post, ["u5"])).toBe(6);
      });

      it("answers writes sent together as if one after another, and ends on the exact count", async () => {
        const { post } = await onePost();
        const [added, replayed, removed, again] = await Promise.all([set(post, "u1", "👍", true), set(post, "u1", "👍", true), set(post, "u1", "👍", false), set(post, "u1", "👍", true)]);
        expect(replayed).toBeNull();
        expect([added, removed, again].every((n) => typeof n === "number")).toBe(true);
        expect(await likeCount(store().stores, post.id)).toBe(1);
      });

      it("keeps the exact count of a burst of reactions, removals and replays on a few posts, as if applied in order", async () => {
        const c = await community(store().stores);
        const posts = [await posted(store().stores, c, "a1"), await posted(store().stores, c, "a2"), await posted(store().stores, c, "a3")];
        const standing = new Map<string, boolean>();
        const writes: Array<Promise<number | null>> = [];
        for (let i = 0; i < 600; i++) {
          const post = posts[(i * 7) % 3]!;
          const userId = `u${(i * 13) % 50}`;
          const emoji = i % 4 === 0 ? "❤️" : "👍";
          const add = i % 5 !== 3;
          standing.set(`${post.id} ${userId} ${emoji}`, add);
          writes.push(set(post, userId, emoji, add));
          if (i % 6 === 0) writes.push(set(post, userId, emoji, add));
        }
        await Promise.all(writes);
        for (const post of posts) {
          const likers = new Set([...standing].filter(([key, up]) => up && key.startsWith(`${post.id} `)).map(([key]) => key.split(" ")[1]));
          expect(likers.size).toBeGreaterThan(0);
          expect(await likeCount(store().stores, post.id)).toBe(likers.size);
        }
      });

      it("takes a reaction away with the removal of all reactions, or of its emoji, and answers the count after", async () => {
        const { post } = await onePost();
        await react(store().stores, post, ["u1", "u3"], "👍");
        await react(store().stores, post, ["u2", "u3"], "❤️");
        expect(await likes().clearReactions(post.id, "👍", T0)).toBe(2);
        expect(await likes().clearReactions(post.id, "👍", T0)).toBe(2);
        expect(await likes().clearReactions(post.id, undefined, T0)).toBe(0);
        expect(await set(post, "u1", "👍", true, at(1))).toBe(1);
      });

      it("counts a member of two communities in each separately", async () => {
        const one = await community(store().stores, "g1");
        const two = await community(store().stores, "g2");
        const a = await posted(store().stores, one, "author");
        const b = await posted(store().stores, two, "author");
        await store().stores.communities.setBlocked(two.id, "u1", true);
        expect(await react(store().stores, a, ["u1"])).toBe(1);
        expect(await react(store().stores, b, ["u1"])).toBe(0);
        await likes().recountMember(one.id, "u1");
        expect(await likeCount(store().stores, a.id)).toBe(1);
      });
    });

    describe("age rules and recounts", () => {
      it("counts a reaction only if the account and the membership were old enough when it was given; an unknown date counts", async () => {
        const { c, post } = await onePost({ minAccountAgeDays: 7, minMemberAgeDays: 3 });
        const seen = (userId: string, member: Parameters<typeof react>[5]) => react(store().stores, post, [userId], "👍", T0, member);
        await seen("old", { accountCreatedAt: at(-days(30)), joinedAt: at(-days(10)) });
        await seen("exactly-old-enough", { accountCreatedAt: at(-days(7)), joinedAt: at(-days(3)) });
        await seen("young-account", { accountCreatedAt: at(-days(7) + 1), joinedAt: at(-days(10)) });
        await seen("just-joined", { accountCreatedAt: at(-days(30)), joinedAt: at(-days(3) + 1) });
        expect(await seen("unknown", undefined)).toBe(3);
        // A like given too early does not start counting once the account is older.
        expect(await react(store().stores, post, ["young-account"], "❤️", at(days(30)))).toBe(4);
        expect(await store().stores.likes.recountCommunity(c.id)).toBe(0);
        expect(await likeCount(store().stores, post.id)).toBe(4);
      });

      it("recounts every post of the community when a rule changes, and says how many counts changed", async () => {
        const c = await community(store().stores);
        const a = await posted(store().stores, c, "author", { postedAt: T0 });
        const b = await posted(store().stores, c, "author", { postedAt: at(minutes(1)) });
        const d = await posted(store().stores, c, "author", { postedAt: at(minutes(2)) });
        await react(store().stores, a, ["young"], "👍", T0, { accountCreatedAt: at(-days(1)) });
        await react(store().stores, a, ["old"], "👍", T0, { accountCreatedAt: at(-days(100)) });
        await react(store().stores, b, ["young"], "👍", T0);
        await react(store().stores, d, ["old"], "👍", T0);
        await store().stores.communities.updateCommunity(c.id, { minAccountAgeDays: 7 });
        expect(await likes().recountCommunity(c.id)).toBe(2);
        expect(await Promise.all([a, b, d].map((p) => likeCount(store().stores, p.id)))).toEqual([1, 0, 1]);
        expect(await likes().recountCommunity(c.id)).toBe(0);
        await store().stores.communities.updateCommunity(c.id, { minAccountAgeDays: 0 });
        expect(await likes().recountCommunity(c.id)).toBe(2);
        expect(await Promise.all([a, b, d].map((p) => likeCount(store().stores, p.id)))).toEqual([2, 1, 1]);
      });

      it("recounts the posts a member reacted to when they are blocked or unblocked", async () => {
        const c = await community(store().stores);
        const a = await posted(store().stores, c, "author");
        const b = await posted(store().stores, c, "author");
        await react(store().stores, a, ["u1", "u2"]);
        await react(store().stores, b, ["u1"]);
        await store().stores.communities.setBlocked(c.id, "u1", true);
        await likes().recountMember(c.id, "u1");
        expect(await Promise.all([a, b].map((p) => likeCount(store().stores, p.id)))).toEqual([1, 0]);
        await store().stores.communities.setBlocked(c.id, "u1", false);
        await likes().recountMember(c.id, "u1");
        expect(await Promise.all([a, b].map((p) => likeCount(store().stores, p.id)))).toEqual([2, 1]);
        await likes().recountMember(c.id, "never-reacted");
      });
    });

    describe("reconciliation (replaceReactions)", () => {
      const rows = (...pairs: Array<[string, string]>): ReactionRow[] => pairs.map(([userId, emoji]) => ({ userId, emoji }));

      it("adds what the read found and removes what it missed, answering the new count, and null when nothing changed", async () => {
        const { c, post } = await onePost();
        await react(store().stores, post, ["u1"], "👍", T0);
        const read = at(minutes(1));
        expect(await likes().replaceReactions(post.id, c.id, rows(["u2", "👍"], ["u3", "❤️"], ["author", "👍"]), read)).toBe(2);
        expect(await exported(c, "u1")).toEqual([]);
        expect((await store().stores.privacy.exportMember(c.id, "u2")).reactions).toMatchObject([{ creationId: post.id, emoji: "👍", reactedAt: read }]);
        expect(await likes().replaceReactions(post.id, c.id, rows(["u2", "👍"], ["u3", "❤️"], ["author", "👍"]), at(minutes(2)))).toBeNull();
        expect(await likes().replaceReactions(post.id, c.id, [], at(minutes(3)))).toBe(0);
      });

      it("keeps a reaction added live after the read started, and does not put back one removed live after it started", async () => {
        const { c, post } = await onePost();
        await react(store().stores, post, ["gone"], "👍", T0);
        const read = at(minutes(1));
        await set(post, "new", "👍", true, at(minutes(1) + 1));
        await set(post, "gone", "👍", false, at(minutes(1) + 2));
        // The platform was read before both: it still shows "gone" and not yet "new".
        expect(await likes().replaceReactions(post.id, c.id, rows(["gone", "👍"]), read)).toBeNull();
        expect(await likeCount(store().stores, post.id)).toBe(1);
        expect(await exported(c, "new")).toEqual([`${post.id} 👍`]);
        expect(await exported(c, "gone")).toEqual([]);
      });

      it("does not put back reactions cleared live after the read started: all of them, or those of one emoji", async () => {
        const { c, post } = await onePost();
        const read = at(minutes(1));
        await likes().clearReactions(post.id, "👍", at(minutes(1) + 1));
        expect(await likes().replaceReactions(post.id, c.id, rows(["u1", "👍"], ["u1", "❤️"], ["u2", "👍"]), read)).toBe(1);
        expect(await exported(c, "u1")).toEqual([`${post.id} ❤️`]);
        await likes().clearReactions(post.id, undefined, at(minutes(2) + 1));
        expect(await likes().replaceReactions(post.id, c.id, rows(["u3", "🎉"]), at(minutes(2)))).toBeNull();
        expect(await likeCount(store().stores, post.id)).toBe(0);
      });

      it("reads back a reaction whose removal was seen before the read started", async () => {
        const { c, post } = await onePost();
        await react(store().stores, post, ["u1"], "👍", T0);
        await set(post, "u1", "👍", false, at(minutes(1)));
        expect(await likes().replaceReactions(post.id, c.id, rows(["u1", "👍"]), at(minutes(1) + 1))).toBe(1);
      });

      it("forgets live removals seen before an instant, and only those", async () => {
        const { c, post } = await onePost();
        await react(store().stores, post, ["u1"], "👍", T0);
        await set(post, "u1", "👍", false, at(minutes(5)));
        expect(await likes().pruneReactionRemovals(at(minutes(5)))).toBe(0);
        expect(await likes().replaceReactions(post.id, c.id, rows(["u1", "👍"]), at(minutes(1)))).toBeNull();
        expect(await likes().pruneReactionRemovals(at(minutes(5) + 1))).toBe(1);
        // Nothing remembers the removal any more: a read from before it is taken as it is.
        expect(await likes().replaceReactions(post.id, c.id, rows(["u1", "👍"]), at(minutes(1)))).toBe(1);
      });

      it("records the member dates a read reports, and counts by them", async () => {
        const { c, post } = await onePost({ minAccountAgeDays: 7 });
        const found: ReactionRow[] = [
          { userId: "young", emoji: "👍", member: { accountCreatedAt: at(-days(1)) } },
          { userId: "old", emoji: "👍", member: { accountCreatedAt: at(-days(100)) } },
        ];
        expect(await likes().replaceReactions(post.id, c.id, found, T0)).toBe(1);
        expect((await store().stores.privacy.exportMember(c.id, "young")).accountCreatedAt).toEqual(at(-days(1)));
      });

      it("does not read back a forgotten member's reactions still up, until they react again live; old posts' records are pruned", async () => {
        const c = await community(store().stores);
        const old = await posted(store().stores, c, "author", { postedAt: at(-days(10)) });
        const recent = await posted(store().stores, c, "author", { postedAt: T0 });
        await react(store().stores, old, ["forgotten", "u2"]);
        await react(store().stores, recent, ["forgotten", "u2"]);
        await store().stores.privacy.forgetMember(c.id, "forgotten");
        const snapshot = rows(["forgotten", "👍"], ["u2", "👍"]);
        expect(await likes().replaceReactions(recent.id, c.id, snapshot, at(minutes(1)))).toBeNull();
        expect(await likes().replaceReactions(old.id, c.id, snapshot, at(minutes(1)))).toBeNull();
        expect(await likes().pruneForgottenReactions(c.id, at(-days(5)))).toBe(1);
        expect(await likes().replaceReactions(old.id, c.id, snapshot, at(minutes(2)))).toBe(2);
        expect(await set(recent, "forgotten", "👍", true, at(minutes(3)))).toBe(2);
        expect(await likes().replaceReactions(recent.id, c.id, snapshot, at(minutes(4)))).toBeNull();
        expect(await likeCount(store().stores, recent.id)).toBe(2);
      });
    });
  });
}
