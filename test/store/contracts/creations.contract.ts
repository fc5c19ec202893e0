/** The contract of {@link CreationStore}: creations, their limits, and the claims under which jobs are worked on. */
import { describe, expect, it } from "vitest";
import type { CreationLimits, CreationStore } from "../../../src/core/store/creations.js";
import type { Stores } from "../../../src/core/store/stores.js";
import type { Community, Creation } from "../../../src/core/types.js";
import { at, community, GALLERY, members, minutes, newCreation, NO_LIMITS, posted, queued, T0 } from "./seed.js";
import { freshStore, raceFromTwoConnections, type StoreFactory } from "./store-under-test.js";

const LEASE_MS = 60_000;
const DAY = T0.toISOString().slice(0, 10);

export function creationStoreContract(factory: StoreFactory): void {
  describe("CreationStore", () => {
    const store = freshStore(factory);
    const creations = (): CreationStore => store().stores.creations;
    const limits = (patch: Partial<CreationLimits>): CreationLimits => ({ ...NO_LIMITS, ...patch });

    /** Claims jobs for `owner` until none is ready; their ids in claim order. */
    async function claimAll(stores: Stores, owner: string, now = T0): Promise<number[]> {
      const ids: number[] = [];
      for (let job = await stores.creations.claimNextJob(now, owner, LEASE_MS, ["discord"]); job; job = await stores.creations.claimNextJob(now, owner, LEASE_MS, ["discord"])) ids.push(job.id);
      return ids;
    }

    describe("usage and limits", () => {
      it("counts the member's creations of the day that use quota, and the community's spend: paid, plus reserved while waiting", async () => {
        const c = await community(store().stores);
        const waiting = await queued(store().stores, c, "u1", { costMicroUsd: 40_000 });
        const refunded = await queued(store().stores, c, "u1", { costMicroUsd: 40_000, now: at(1000) });
        await creations().transitionCreation(refunded.id, ["queued"], { status: "failed" });
        const made = await queued(store().stores, c, "u1", { costMicroUsd: 40_000, now: at(2000) });
        // An image made and paid for whose post then failed: no quota back, its price stays spent.
        await creations().transitionCreation(made.id, ["queued"], { status: "failed", imageHash: "h", spend: 40_000 });
        const posting = await queued(store().stores, c, "u1", { costMicroUsd: 40_000, now: at(3000) });
        await creations().transitionCreation(posting.id, ["queued"], { status: "posting", imageHash: "h2", spend: 40_000 });
        await queued(store().stores, c, "u2", { costMicroUsd: 10_000, now: at(4000) });
        await queued(store().stores, c, "u1", { costMicroUsd: 99_000, now: at(86_400_000), day: "2026-06-02" });
        const other = await community(store().stores, "g2");
        await queued(store().stores, other, "u1", { costMicroUsd: 77_000 });

        const usage = await creations().usage(c.id, "u1", DAY);
        expect(usage.memberToday).toBe(2);
        expect(usage.spendTodayMicroUsd).toBe(40_000 + 40_000 + 40_000 + 10_000);
        expect(usage.lastRequestAt).toEqual(at(86_400_000));
        expect((await creations().usage(c.id, "u3", DAY))).toEqual({ memberToday: 0, spendTodayMicroUsd: 130_000, lastRequestAt: null });
        expect(waiting.status).toBe("queued");
      });

      it("gives back the quota and the reservation of a cancelled request; a removed one keeps its quota, and its image, paid after, counts once", async () => {
        const c = await community(store().stores);
        const cancelled = await queued(store().stores, c, "u1", { costMicroUsd: 40_000 });
        expect(await creations().transitionCreation(cancelled.id, ["queued"], { status: "cancelled" })).toBe(true);
        const removed = await queued(store().stores, c, "u1", { costMicroUsd: 30_000, now: at(1000) });
        expect((await creations().claimNextJob(at(1000), "w1", LEASE_MS, ["discord"]))?.id).toBe(removed.id);
        // Deleted while its image was being made (a forget, a deleted post); the image then came back, paid for.
        expect(await creations().transitionCreation(removed.id, ["generating"], { status: "deleted" })).toBe(true);
        expect(await creations().updateCreation(removed.id, { spend: 30_000 })).toMatchObject({ status: "deleted" });
        expect(await creations().usage(c.id, "u1", DAY)).toEqual({ memberToday: 1, spendTodayMicroUsd: 30_000, lastRequestAt: at(1000) });
        expect(await creations().claimOwners()).toEqual([]);
        expect(await creations().claimNextJob(at(LEASE_MS * 2), "w2", LEASE_MS, ["discord"])).toBeNull();
      });

      it("refuses a request within the cooldown of the member's last one, whichever was sent first, and takes it once it has passed", async () => {
        const c = await community(store().stores);
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: T0 }), limits({ cooldownMs: 30_000 }))).toMatchObject({ status: "queued" });
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(29_999) }), limits({ cooldownMs: 30_000 }))).toBe("cooldown");
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(-29_999) }), limits({ cooldownMs: 30_000 }))).toBe("cooldown");
        // Stamped a cooldown before the last one (stored out of order): far enough apart.
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(-30_000) }), limits({ cooldownMs: 30_000 }))).toMatchObject({ status: "queued" });
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(-1) }), limits({ cooldownMs: 0 }))).toMatchObject({ status: "queued" });
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u2", { now: at(1) }), limits({ cooldownMs: 30_000 }))).toMatchObject({ status: "queued" });
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(30_000) }), limits({ cooldownMs: 30_000 }))).toMatchObject({ status: "queued" });
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(30_000) }), limits({ cooldownMs: 0 }))).toMatchObject({ status: "queued" });
        expect((await creations().usage(c.id, "u1", DAY)).memberToday).toBe(5);
      });

      it("refuses past the member's daily quota and past the community's budget, storing nothing, and takes a request that fills the budget exactly", async () => {
        const c = await community(store().stores);
        for (let i = 0; i < 2; i++) expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(i) }), limits({ perMemberDaily: 2 }))).not.toBeTypeOf("string");
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u1", { now: at(5) }), limits({ perMemberDaily: 2 }))).toBe("quota");
        expect((await creations().usage(c.id, "u1", DAY)).memberToday).toBe(2);

        const budget = limits({ budgetMicroUsd: 100_000 });
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u2", { costMicroUsd: 20_001 }), budget)).toBe("budget");
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u2", { costMicroUsd: 20_000 }), budget)).toMatchObject({ status: "queued" });
        expect((await creations().usage(c.id, "u2", DAY)).spendTodayMicroUsd).toBe(100_000);
        expect(await creations().insertCreationWithinLimits(newCreation(c, "u3", { costMicroUsd: 1 }), budget)).toBe("budget");
        expect((await creations().usage(c.id, "u3", DAY))).toMatchObject({ memberToday: 0, lastRequestAt: null });
      });

      it("lets exactly the quota through when one member's requests race from two connections", async () => {
        const c = await community(store().stores);
        const results = await raceFromTwoConnections(store(), 10, (stores, i) => stores.creations.insertCreationWithinLimits(newCreation(c, "u1", { now: at(i) }), limits({ perMemberDaily: 3 })));
        expect(results.filter((r) => typeof r !== "string")).toHaveLength(3);
        expect(results.filter((r) => r === "quota")).toHaveLength(7);
        expect((await creations().usage(c.id, "u1", DAY)).memberToday).toBe(3);
      });

      it("lets exactly the budget through when many members' requests race from two connections", async () => {
        const c = await community(store().stores);
        const results = await raceFromTwoConnections(store(), 12, (stores, i) => stores.creations.insertCreationWithinLimits(newCreation(c, `u${i + 1}`, { costMicroUsd: 40_000 }), limits({ budgetMicroUsd: 200_000 })));
        expect(results.filter((r) => typeof r !== "string")).toHaveLength(5);
        expect(results.filter((r) => r === "budget")).toHaveLength(7);
        expect((await creations().usage(c.id, "u1", DAY)).spendTodayMicroUsd).toBe(200_000);
      });

      it("lets one request through the cooldown when a member's requests race from two connections", async () => {
        const c = await community(store().stores);
        const results = await raceFromTwoConnections(store(), 6, (stores, i) => stores.creations.insertCreationWithinLimits(newCreation(c, "u1", { now: at(i) }), limits({ cooldownMs: 30_000 })));
        expect(results.filter((r) => typeof r !== "string")).toHaveLength(1);
        expect(results.filter((r) => r === "cooldown")).toHaveLength(5);
      });
    });

    describe("reading and changing creations", () => {
      it("stores a request as it was asked, queued, and reads it back by id", async () => {
        const c = await community(store().stores);
        const created = await queued(store().stores, c, "u1", { prompt: "a fox", aspect: "portrait", quality: "high", size: "1024x1536", statusRef: "ref-1", notBefore: at(5_000) });
        expect(created).toMatchObject({ communityId: c.id, authorUserId: "u1", prompt: "a fox", aspect: "portrait", quality: "high", size: "1024x1536", status: "queued", costMicroUsd: 40_000, day: DAY, createdAt: T0, statusRef: "ref-1", likeCount: 0, attempts: 0, rateLimitedWaits: 0, imageHash: null, postedAt: null });
        expect(await creations().getCreation(created.id)).toEqual(created);
        expect(await creations().getCreation(created.id + 1000)).toBeNull();
      });

      it("finds a creation by its gallery post in its own community only, also when many are asked at once", async () => {
        const one = await community(store().stores, "g1");
        const two = await community(store().stores, "g2");
        const a = await posted(store().stores, one, "u1", { messageId: "m1" });
        const b = await posted(store().stores, two, "u1", { messageId: "m1" });
        const found = await Promise.all([
          creations().findCreationByPost(one.id, GALLERY, "m1"),
          creations().findCreationByPost(two.id, GALLERY, "m1"),
          creations().findCreationByPost(one.id, GALLERY, "m2"),
          creations().findCreationByPost(one.id, "other-channel", "m1"),
          creations().findCreationByPost(one.id, GALLERY, "m1"),
        ]);
        expect(found.map((f) => f?.id ?? null)).toEqual([a.id, b.id, null, null, a.id]);
      });

      it("adds each spend to what the creation spent, and applies the rest of a patch as given", async () => {
        const c = await community(store().stores);
        const created = await queued(store().stores, c, "u1", { costMicroUsd: 40_000 });
        await creations().updateCreation(created.id, { spend: 40_000 });
        const updated = await creations().updateCreation(created.id, { spend: 10_000, error: "boom", attempts: 2, rateLimitedWaits: 1 });
        expect(updated).toMatchObject({ error: "boom", attempts: 2, rateLimitedWaits: 1, status: "queued" });
        // Queued without an image: its price is still reserved, beside the 50,000 paid.
        expect((await creations().usage(c.id, "u1", DAY)).spendTodayMicroUsd).toBe(40_000 + 50_000);
      });

      it("moves a creation only from the statuses given, and with an owner only while that owner holds the claim", async () => {
        const c = await community(store().stores);
        const created = await queued(store().stores, c, "u1", { statusRef: "ref" });
        expect(await creations().transitionCreation(created.id, ["generating"], { status: "posting" })).toBe(false);
        expect((await creations().getCreation(created.id))?.status).toBe("queued");
        const job = await creations().claimNextJob(T0, "w1", LEASE_MS, ["discord"]);
        expect(job?.id).toBe(created.id);
        expect(await creations().transitionCreation(created.id, ["generating"], { status: "posting" }, "w2")).toBe(false);
        expect(await creations().transitionCreation(created.id, ["generating"], { status: "posting" }, "w1")).toBe(true);
        expect(await creations().claimOwners()).toEqual(["w1"]);
        expect((await creations().getCreation(created.id))?.statusRef).toBe("ref");
        expect(await creations().transitionCreation(created.id, ["posting"], { status: "posted", postedAt: T0 }, "w1")).toBe(true);
        // Ended: the claim and the status message's handle are dropped.
        expect(await creations().claimOwners()).toEqual([]);
        expect(await creations().getCreation(created.id)).toMatchObject({ status: "posted", statusRef: null });
        expect(await creations().transitionCreation(created.id, ["posting"], { status: "posted" }, "w1")).toBe(false);
      });

      it("drops the claim of a job sent back to the queue, so any worker may take it when it is due", async () => {
        const c = await community(store().stores);
        const created = await queued(store().stores, c, "u1");
        await creations().claimNextJob(T0, "w1", LEASE_MS, ["discord"]);
        expect(await creations().transitionCreation(created.id, ["generating"], { status: "queued", notBefore: at(5_000) }, "w1")).toBe(true);
        expect(await creations().claimOwners()).toEqual([]);
        expect(await creations().claimNextJob(at(4_999), "w2", LEASE_MS, ["discord"])).toBeNull();
        expect((await creations().claimNextJob(at(5_000), "w2", LEASE_MS, ["discord"]))?.id).toBe(created.id);
      });

      it("lists the community's creations posted since an instant, oldest first", async () => {
        const c = await community(store().stores);
        const early = await posted(store().stores, c, "u1", { postedAt: at(-minutes(10)) });
        const onTime = await posted(store().stores, c, "u2", { postedAt: T0 });
        const late = await posted(store().stores, c, "u1", { postedAt: at(minutes(10)) });
        const deleted = await posted(store().stores, c, "u1", { postedAt: at(minutes(20)) });
        await creations().transitionCreation(deleted.id, ["posted"], { status: "deleted" });
        await queued(store().stores, c, "u3");
        await posted(store().stores, await community(store().stores, "g2"), "u1", { postedAt: at(minutes(5)) });
        expect((await creations().listPostedSince(c.id, T0)).map((p) => p.id)).toEqual([onTime.id, late.id]);
        expect(early.status).toBe("posted");
      });

      it("says the database can take a write, and writes nothing", async () => {
        const c = await community(store().stores);
        await expect(creations().checkWritable()).resolves.toBeUndefined();
        expect(await store().stores.communities.getCommunity(c.id)).toEqual(c);
      });
    });

    describe("the queue and its claims", () => {
      it("serves members in turn, the one whose turn came longest ago first, and tells each job's place", async () => {
        const c = await community(store().stores);
        const a1 = await queued(store().stores, c, "a", { now: at(1) });
        const a2 = await queued(store().stores, c, "a", { now: at(2) });
        const a3 = await queued(store().stores, c, "a", { now: at(3) });
        const b1 = await queued(store().stores, c, "b", { now: at(4) });
        expect(await Promise.all([a1, b1, a2, a3].map((j) => creations().queuePosition(j.id)))).toEqual([1, 2, 3, 4]);
        const first = await creations().claimNextJob(T0, "w1", LEASE_MS, ["discord"]);
        expect(first).toMatchObject({ id: a1.id, status: "generating" });
        expect(await creations().queuePosition(a1.id)).toBe(0);
        expect(await Promise.all([b1, a2, a3].map((j) => creations().queuePosition(j.id)))).toEqual([1, 2, 3]);
        expect(await claimAll(store().stores, "w1")).toEqual([b1.id, a2.id, a3.id]);
        expect(await creations().claimNextJob(T0, "w1", LEASE_MS, ["discord"])).toBeNull();
      });

      it("reports how many creations are queued and when the oldest of them was created, claimed ones left out", async () => {
        expect(await creations().queueStats()).toEqual({ depth: 0, oldestCreatedAt: null });
        const c = await community(store().stores);
        const first = await queued(store().stores, c, "u1", { now: at(1_000) });
        await queued(store().stores, c, "u2", { now: at(2_000) });
        await queued(store().stores, c, "u3", { now: at(3_000) });
        expect(await creations().queueStats()).toEqual({ depth: 3, oldestCreatedAt: first.createdAt });
        expect((await creations().claimNextJob(at(5_000), "w1", LEASE_MS, ["discord"]))?.id).toBe(first.id);
        expect(await creations().queueStats()).toEqual({ depth: 2, oldestCreatedAt: at(2_000) });
      });

      it("takes no job before its notBefore, none of a platform it was not given, and none when given no platform", async () => {
        const c = await community(store().stores);
        const slack = await community(store().stores, "T1", {}, "slack");
        const later = await queued(store().stores, c, "u1", { notBefore: at(10_000) });
        const onSlack = await queued(store().stores, slack, "u2");
        expect(await creations().claimNextJob(T0, "w1", LEASE_MS, ["discord"])).toBeNull();
        expect(await creations().claimNextJob(T0, "w1", LEASE_MS, [])).toBeNull();
        expect(await creations().nextJobDueAt(["discord"])).toEqual(at(10_000));
        expect(await creations().nextJobDueAt(["slack"])).toEqual(new Date(0));
        expect((await creations().claimNextJob(T0, "w1", LEASE_MS, ["slack"]))?.id).toBe(onSlack.id);
        expect(await creations().nextJobDueAt(["slack"])).toBeNull();
        expect((await creations().claimNextJob(at(10_000), "w1", LEASE_MS, ["discord", "slack"]))?.id).toBe(later.id);
      });

      it("takes over a job whose claim ran out before any queued job, where it stopped, counting one more attempt", async () => {
        const c = await community(store().stores);
        const started = await queued(store().stores, c, "u1", { now: at(1) });
        await creations().claimNextJob(T0, "w1", LEASE_MS, ["discord"]);
        await creations().transitionCreation(started.id, ["generating"], { status: "posting", imageHash: "h" }, "w1");
        const waiting = await queued(store().stores, c, "u2", { now: at(2) });
        expect(await creations().renewClaim(started.id, "w1", at(LEASE_MS))).toBe(true);
        // Held until T0 + lease: not abandoned yet.
        expect((await creations().claimNextJob(at(LEASE_MS), "w2", LEASE_MS, ["discord"]))?.id).toBe(waiting.id);
        const taken = await creations().claimNextJob(at(LEASE_MS + 1), "w3", LEASE_MS, ["discord"]);
        expect(taken).toMatchObject({ id: started.id, status: "posting", imageHash: "h", attempts: 1 });
        expect(await creations().renewClaim(started.id, "w1", at(2 * LEASE_MS))).toBe(false);
        expect(await creations().renewClaim(started.id, "w3", at(2 * LEASE_MS))).toBe(true);
        expect(await creations().transitionCreation(started.id, ["posting"], { status: "posted" }, "w1")).toBe(false);
      });

      it("never hands one job to two workers, even when workers of two connections claim at once", async () => {
        const c = await community(store().stores);
        const jobs: Creation[] = [];
        for (const [i, userId] of members(30).entries()) jobs.push(await queued(store().stores, c, `m${i % 7}-${userId}`, { now: at(i) }));
        const claimed = (await raceFromTwoConnections(store(), 8, (stores, i) => claimAll(stores, `w${i}`))).flat();
        expect(claimed).toHaveLength(30);
        expect(new Set(claimed)).toEqual(new Set(jobs.map((j) => j.id)));
      });

      it("tells who holds job claims and ends the claims of owners that are gone, so their jobs are taken at once", async () => {
        const c = await community(store().stores);
        const one = await queued(store().stores, c, "u1", { now: at(1) });
        const two = await queued(store().stores, c, "u2", { now: at(2) });
        await creations().claimNextJob(T0, "gone", LEASE_MS, ["discord"]);
        await creations().claimNextJob(T0, "alive", LEASE_MS, ["discord"]);
        expect((await creations().claimOwners()).sort()).toEqual(["alive", "gone"]);
        expect(await creations().expireClaims([])).toBe(0);
        expect(await creations().expireClaims(["gone", "unknown"])).toBe(1);
        const taken = await creations().claimNextJob(T0, "new", LEASE_MS, ["discord"]);
        expect(taken?.id).toBe(one.id);
        expect(await creations().renewClaim(two.id, "alive", at(LEASE_MS))).toBe(true);
        expect((await creations().claimOwners()).sort()).toEqual(["alive", "new"]);
      });

      it("claims the jobs of every community on its platforms, a member of two communities queueing in each", async () => {
        const one: Community = await community(store().stores, "g1");
        const two = await community(store().stores, "g2");
        const a = await queued(store().stores, one, "u1", { now: at(1) });
        const b = await queued(store().stores, two, "u1", { now: at(2) });
        expect(await claimAll(store().stores, "w1")).toEqual([a.id, b.id]);
      });
    });

    describe("takeImageRequest", () => {
      it("allows `limit` image requests per sliding window across connections, and says how long the next one waits", async () => {
        const taken = await raceFromTwoConnections(store(), 5, (stores, i) => stores.creations.takeImageRequest(3, 10_000, at(i)));
        expect(taken.filter((wait) => wait === 0)).toHaveLength(3);
        // A refused caller waits for the oldest taken request to leave the window, counted from its own instant. The
        // callers' instants (0–4 ms) reach the database in any order, so a wait can pass the window: 10,002 ms for the
        // caller at 0 when those at 2, 3 and 4 were taken first.
        const firsts = [0, 1, 2, 3, 4].filter((i) => taken[i] === 0);
        const waits = [0, 1, 2, 3, 4].filter((i) => taken[i]! > 0).map((i) => [i, taken[i]]);
        expect(waits).toEqual(waits.map(([i]) => [i, firsts[0]! + 10_000 - i!]));
        // The oldest of the three leaves the window at its own time plus the window, and only one place frees up.
        expect(await creations().takeImageRequest(3, 10_000, at(firsts[0]! + 10_000))).toBe(0);
        expect(await creations().takeImageRequest(3, 10_000, at(firsts[0]! + 10_000))).toBeGreaterThan(0);
      });
    });
  });
}
