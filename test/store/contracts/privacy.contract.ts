/** The contract of {@link PrivacyStore}: a member's data exported, or forgotten with every count kept right. */
import { describe, expect, it } from "vitest";
import type { PrivacyStore } from "../../../src/core/store/privacy.js";
import { at, community, days, likeCount, minutes, posted, queued, react, T0 } from "./seed.js";
import { freshStore, type StoreFactory } from "./store-under-test.js";

const DAY = T0.toISOString().slice(0, 10);

export function privacyStoreContract(factory: StoreFactory): void {
  describe("PrivacyStore", () => {
    const store = freshStore(factory);
    const privacy = (): PrivacyStore => store().stores.privacy;

    it("exports nothing but the member's id for a member never seen", async () => {
      const c = await community(store().stores);
      expect(await privacy().exportMember(c.id, "nobody")).toEqual({ userId: "nobody", blocked: false, accountCreatedAt: null, joinedAt: null, creations: [], reactions: [], forgottenReactions: [] });
      expect(await privacy().forgetMember(c.id, "nobody")).toEqual({ imageHashes: [], posts: [], reactionsLeft: 0 });
    });

    it("exports the member's creations, reactions and dates in this community", async () => {
      const c = await community(store().stores);
      await store().stores.communities.setMemberDates(c.id, "ana", { accountCreatedAt: at(-days(30)), joinedAt: at(-days(3)) });
      const mine = await posted(store().stores, c, "ana", { postedAt: T0, prompt: "a lighthouse" });
      const waiting = await queued(store().stores, c, "ana", { now: at(minutes(5)) });
      const theirs = await posted(store().stores, c, "ben");
      await react(store().stores, theirs, ["ana"], "👍", at(minutes(1)));
      await react(store().stores, theirs, ["ana"], "❤️", at(minutes(2)));
      await react(store().stores, mine, ["ben"]);
      await posted(store().stores, await community(store().stores, "g2"), "ana");
      const data = await privacy().exportMember(c.id, "ana");
      expect(data).toMatchObject({ userId: "ana", blocked: false, accountCreatedAt: at(-days(30)), joinedAt: at(-days(3)), forgottenReactions: [] });
      expect(data.creations.map((x) => [x.id, x.status, x.prompt, x.likeCount])).toEqual([[mine.id, "posted", "a lighthouse", 1], [waiting.id, "queued", waiting.prompt, 0]]);
      expect(data.creations[0]).toMatchObject({ galleryUrl: mine.galleryUrl, imageHash: mine.imageHash, costMicroUsd: 40_000, postedAt: T0 });
      expect(data.reactions).toEqual([
        { creationId: theirs.id, emoji: "❤️", galleryUrl: theirs.galleryUrl, reactedAt: at(minutes(2)) },
        { creationId: theirs.id, emoji: "👍", galleryUrl: theirs.galleryUrl, reactedAt: at(minutes(1)) },
      ].sort((x, y) => (x.emoji < y.emoji ? -1 : 1)));
    });

    it("forgets the member: reactions and prompts gone, creations deleted, spend kept, and says what to remove outside", async () => {
      const c = await community(store().stores);
      const mine = await posted(store().stores, c, "ana", { prompt: "secret", imageHash: "h-mine" });
      const shared = await posted(store().stores, c, "ana", { imageHash: "h-shared" });
      await posted(store().stores, c, "ben", { imageHash: "h-shared" });
      const waiting = await queued(store().stores, c, "ana", { now: at(minutes(5)) });
      const theirs = await posted(store().stores, c, "ben");
      await react(store().stores, theirs, ["ana", "cat"]);
      await react(store().stores, theirs, ["ana"], "❤️");
      await react(store().stores, mine, ["cat"]);
      const spend = (await store().stores.creations.usage(c.id, "ana", DAY)).spendTodayMicroUsd;

      const result = await privacy().forgetMember(c.id, "ana");

      expect(result.imageHashes).toEqual(["h-mine"]);
      expect(result.posts).toEqual([mine, shared].map((p) => ({ channelId: p.galleryChannelId, messageId: p.galleryMessageId })));
      expect(result.reactionsLeft).toBe(2);
      expect(await likeCount(store().stores, theirs.id)).toBe(1);
      const data = await privacy().exportMember(c.id, "ana");
      expect(data.reactions).toEqual([]);
      expect(data.forgottenReactions.map((r) => [r.creationId, r.emoji])).toEqual([[theirs.id, "❤️"], [theirs.id, "👍"]].sort((x, y) => (x[1]! < y[1]! ? -1 : 1)));
      expect(data.creations.map((x) => [x.id, x.status, x.prompt, x.imageHash, x.galleryUrl, x.likeCount])).toEqual([
        [mine.id, "deleted", "", null, null, 0],
        [shared.id, "deleted", "", null, null, 0],
        [waiting.id, "deleted", "", null, null, 0],
      ]);
      // What was paid stays spent; only the queued one's reservation goes (no image was made for it).
      expect((await store().stores.creations.usage(c.id, "ana", DAY)).spendTodayMicroUsd).toBe(spend - waiting.costMicroUsd);
      expect(await store().stores.creations.findCreationByPost(c.id, mine.galleryChannelId!, mine.galleryMessageId!)).toMatchObject({ status: "deleted" });
    });

    it("leaves no job of a forgotten member to claim, and a worker already on one can no longer move it or keep its claim", async () => {
      const c = await community(store().stores);
      const first = await queued(store().stores, c, "ana", { now: at(1) });
      await queued(store().stores, c, "ana", { now: at(2) });
      const { creations } = store().stores;
      expect((await creations.claimNextJob(T0, "w1", 60_000, ["discord"]))?.id).toBe(first.id);
      await privacy().forgetMember(c.id, "ana");
      expect(await creations.claimNextJob(T0, "w2", 60_000, ["discord"])).toBeNull();
      expect(await creations.nextJobDueAt(["discord"])).toBeNull();
      expect(await creations.renewClaim(first.id, "w1", at(60_000))).toBe(false);
      expect(await creations.transitionCreation(first.id, ["generating"], { status: "posting", imageHash: "h" }, "w1")).toBe(false);
      expect(await creations.claimOwners()).toEqual([]);
      expect(await creations.getCreation(first.id)).toMatchObject({ status: "deleted", imageHash: null });
    });

    it("keeps every ranking and count consistent after a forget", async () => {
      const c = await community(store().stores);
      const mine = await posted(store().stores, c, "ana", { postedAt: T0 });
      const theirs = await posted(store().stores, c, "ben", { postedAt: at(minutes(1)) });
      const other = await posted(store().stores, c, "cat", { postedAt: at(minutes(2)) });
      await react(store().stores, mine, ["ben", "cat", "dan"]);
      await react(store().stores, theirs, ["ana", "cat"]);
      await react(store().stores, other, ["ana"]);
      await privacy().forgetMember(c.id, "ana");
      const { rankings } = store().stores;
      expect((await rankings.topCreations(c.id, null, null, 10)).map((e) => [e.creationId, e.likeCount])).toEqual([[theirs.id, 1]]);
      const allTime = await rankings.topCreators(c.id, null, null, 10);
      expect(allTime).toEqual(await rankings.topCreators(c.id, new Date(0), at(days(1)), 10));
      expect(allTime.map((e) => [e.userId, e.likeCount])).toEqual([["ben", 1]]);
      expect(await rankings.windowStats(c.id, T0, at(days(1)))).toEqual({ creations: 2, likers: 1 });
      expect(await store().stores.likes.recountCommunity(c.id)).toBe(0);
      expect(await rankings.memberCreations(c.id, "ana")).toEqual([]);
    });

    it("shows a forgotten member in the digests already posted as a former member", async () => {
      const c = await community(store().stores);
      const mine = await posted(store().stores, c, "ana", { postedAt: T0 });
      const theirs = await posted(store().stores, c, "ben", { postedAt: at(minutes(1)) });
      await react(store().stores, mine, ["u1", "u2"]);
      await react(store().stores, theirs, ["u1"]);
      const entries = await store().stores.rankings.topCreations(c.id, null, null, 5);
      const { digests } = store().stores;
      await digests.claimDigest(c.id, "2026-05-31", "w1", T0, 60_000);
      await digests.completeDigest(c.id, "2026-05-31", { status: "posted", channelId: "c-digest", messageId: "d1", at: at(minutes(2)), digest: { day: "2026-05-31", title: "", entries, summary: { creations: 2, likers: 2, topCreator: { userId: "ana", likeCount: 2 } } } });
      expect(await digests.digestsNaming(c.id, "ana")).toHaveLength(1);
      await privacy().forgetMember(c.id, "ana");
      const shown = await digests.postedDigest(c.id, "2026-05-31");
      expect(shown?.entries.map((e) => [e.rank, e.authorUserId, e.prompt, e.url, e.likeCount])).toEqual([
        [1, null, "", "", 2],
        [2, "ben", theirs.prompt, theirs.galleryUrl, 1],
      ]);
      expect(shown?.summary.topCreator).toEqual({ userId: null, likeCount: 2 });
    });

    it("forgets again harmlessly, naming the posts again, and counts a reaction the member gives afterwards", async () => {
      const c = await community(store().stores);
      const mine = await posted(store().stores, c, "ana");
      const theirs = await posted(store().stores, c, "ben");
      await react(store().stores, theirs, ["ana", "cat"]);
      const first = await privacy().forgetMember(c.id, "ana");
      const again = await privacy().forgetMember(c.id, "ana");
      expect(again).toEqual({ ...first, imageHashes: [] });
      expect(again.posts).toEqual([{ channelId: mine.galleryChannelId, messageId: mine.galleryMessageId }]);
      expect(await likeCount(store().stores, theirs.id)).toBe(1);
      expect(await react(store().stores, theirs, ["ana"], "👍", at(minutes(5)))).toBe(2);
      expect((await privacy().exportMember(c.id, "ana")).forgottenReactions).toEqual([]);
    });
  });
}
