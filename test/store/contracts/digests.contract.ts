/** The contract of {@link DigestStore}: one claim per community and day, and what a posted digest listed. */
import { describe, expect, it } from "vitest";
import type { DigestStore } from "../../../src/core/store/digests.js";
import type { Stores } from "../../../src/core/store/stores.js";
import type { Community, DigestView } from "../../../src/core/types.js";
import { at, community, minutes, posted, react, T0 } from "./seed.js";
import { freshStore, raceFromTwoConnections, type StoreFactory } from "./store-under-test.js";

const LEASE_MS = 10 * 60_000;
const DAY = "2026-05-31";

export function digestStoreContract(factory: StoreFactory): void {
  describe("DigestStore", () => {
    const store = freshStore(factory);
    const digests = (): DigestStore => store().stores.digests;

    /** The day's digest as built for posting: the community's liked posts, by rank. */
    async function builtDigest(stores: Stores, c: Community, topCreator: string | null = null): Promise<DigestView> {
      const entries = await stores.rankings.topCreations(c.id, null, null, 5);
      return { day: DAY, title: "31 May 2026", entries, summary: { creations: entries.length, likers: 3, topCreator: topCreator ? { userId: topCreator, likeCount: 9 } : null } };
    }

    async function postDigest(c: Community, day = DAY, topCreator: string | null = null, owner = "w1") {
      expect(await digests().claimDigest(c.id, day, owner, T0, LEASE_MS)).toBe(true);
      const digest = { ...(await builtDigest(store().stores, c, topCreator)), day };
      await digests().completeDigest(c.id, day, { status: "posted", channelId: "c-digest", messageId: `d-${day}`, digest, at: T0 });
      return digest;
    }

    it("gives a community's day to the first claim; another owner's claim fails while it holds", async () => {
      const c = await community(store().stores);
      expect(await digests().digestStatus(c.id, DAY)).toBeNull();
      expect(await digests().claimDigest(c.id, DAY, "w1", T0, LEASE_MS)).toBe(true);
      expect(await digests().digestStatus(c.id, DAY)).toBe("claimed");
      expect(await digests().claimDigest(c.id, DAY, "w2", at(LEASE_MS), LEASE_MS)).toBe(false);
      expect(await digests().claimDigest(c.id, "2026-06-01", "w2", T0, LEASE_MS)).toBe(true);
      expect(await digests().claimDigest((await community(store().stores, "g2")).id, DAY, "w2", T0, LEASE_MS)).toBe(true);
    });

    it("lets another owner take over a claim whose lease ran out", async () => {
      const c = await community(store().stores);
      await digests().claimDigest(c.id, DAY, "crashed", T0, LEASE_MS);
      expect(await digests().claimDigest(c.id, DAY, "w2", at(LEASE_MS), LEASE_MS)).toBe(false);
      expect(await digests().claimDigest(c.id, DAY, "w2", at(LEASE_MS + 1), LEASE_MS)).toBe(true);
      expect(await digests().claimDigest(c.id, DAY, "w3", at(LEASE_MS + 2), LEASE_MS)).toBe(false);
    });

    it("never gives a completed digest, posted or empty, to another claim", async () => {
      const c = await community(store().stores);
      await postDigest(c);
      await digests().claimDigest(c.id, "2026-06-01", "w1", T0, LEASE_MS);
      await digests().completeDigest(c.id, "2026-06-01", { status: "empty", at: T0 });
      for (const day of [DAY, "2026-06-01"]) {
        expect(await digests().claimDigest(c.id, day, "w2", at(100 * LEASE_MS), LEASE_MS)).toBe(false);
        await digests().releaseDigest(c.id, day, "w1");
      }
      expect(await digests().digestStatus(c.id, DAY)).toBe("posted");
      expect(await digests().digestStatus(c.id, "2026-06-01")).toBe("empty");
      expect(await digests().postedDigest(c.id, "2026-06-01")).toBeNull();
    });

    it("releases a claim for its owner only, and a released day is claimed again at once", async () => {
      const c = await community(store().stores);
      await digests().claimDigest(c.id, DAY, "w1", T0, LEASE_MS);
      await digests().releaseDigest(c.id, DAY, "w2");
      expect(await digests().digestStatus(c.id, DAY)).toBe("claimed");
      await digests().releaseDigest(c.id, DAY, "w1");
      expect(await digests().digestStatus(c.id, DAY)).toBe("released");
      expect(await digests().claimDigest(c.id, DAY, "w2", T0, LEASE_MS)).toBe(true);
      expect(await digests().claimDigest(c.id, DAY, "w1", T0, LEASE_MS)).toBe(false);
    });

    it("gives a day to one of several owners racing from two connections", async () => {
      const c = await community(store().stores);
      const won = await raceFromTwoConnections(store(), 8, (stores, i) => stores.digests.claimDigest(c.id, DAY, `w${i}`, T0, LEASE_MS));
      expect(won.filter(Boolean)).toHaveLength(1);
    });

    it("tells who holds unfinished digest claims, and ends those of owners that are gone so they are taken at once", async () => {
      const c = await community(store().stores);
      await digests().claimDigest(c.id, DAY, "gone", T0, LEASE_MS);
      await digests().claimDigest(c.id, "2026-06-01", "alive", T0, LEASE_MS);
      await postDigest(c, "2026-05-30", null, "finished");
      expect((await digests().claimOwners()).sort()).toEqual(["alive", "gone"]);
      expect(await digests().expireClaims([])).toBe(0);
      expect(await digests().expireClaims(["gone", "finished"])).toBe(1);
      expect(await digests().claimDigest(c.id, DAY, "new", T0, LEASE_MS)).toBe(true);
      expect(await digests().claimDigest(c.id, "2026-06-01", "new", T0, LEASE_MS)).toBe(false);
    });

    it("gives back a posted digest as it was posted: its ranks and like counts, the creations as they are now", async () => {
      const c = await community(store().stores);
      const a = await posted(store().stores, c, "ana", { postedAt: T0, prompt: "a lighthouse" });
      const b = await posted(store().stores, c, "ben", { postedAt: at(minutes(1)) });
      await react(store().stores, a, ["u1", "u2"]);
      await react(store().stores, b, ["u1"]);
      const digest = await postDigest(c, DAY, "ana");
      await react(store().stores, b, ["u2", "u3"]);
      const shown = await digests().postedDigest(c.id, DAY);
      expect(shown).toEqual({ ...digest, title: shown!.title });
      expect(shown!.entries.map((e) => [e.creationId, e.rank, e.likeCount])).toEqual([[a.id, 1, 2], [b.id, 2, 1]]);
      expect(shown!.summary).toEqual({ creations: 2, likers: 3, topCreator: { userId: "ana", likeCount: 9 } });
      expect(await digests().postedDigest(c.id, "2026-01-01")).toBeNull();
    });

    it("finds the posted digests that list a member's creation or name them top creator, oldest first, and no others", async () => {
      const c = await community(store().stores);
      const a = await posted(store().stores, c, "u1", { postedAt: T0 });
      await react(store().stores, a, ["f1"]);
      await postDigest(c, "2026-05-20");
      await store().stores.creations.transitionCreation(a.id, ["posted"], { status: "deleted" });
      const b = await posted(store().stores, c, "u12", { postedAt: at(1) });
      await react(store().stores, b, ["f1"]);
      await postDigest(c, "2026-05-10", "u1");
      await postDigest(c, "2026-05-15", "u12");
      // A member id that is also a word of the recorded summary is not named by it.
      await postDigest(c, "2026-05-16", "u12");
      await digests().claimDigest(c.id, "2026-05-25", "w1", T0, LEASE_MS);
      const other = await community(store().stores, "g2");
      await postDigest(other, "2026-05-05", "u1");
      expect(await digests().digestsNaming(c.id, "u1")).toEqual([
        { day: "2026-05-10", channelId: "c-digest", messageId: "d-2026-05-10" },
        { day: "2026-05-20", channelId: "c-digest", messageId: "d-2026-05-20" },
      ]);
      expect((await digests().digestsNaming(c.id, "u12")).map((d) => d.day)).toEqual(["2026-05-10", "2026-05-15", "2026-05-16"]);
      expect(await digests().digestsNaming(c.id, "userId")).toEqual([]);
      expect(await digests().digestsNaming(c.id, "nobody")).toEqual([]);
    });
  });
}
