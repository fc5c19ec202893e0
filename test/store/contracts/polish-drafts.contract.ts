/** The contract of {@link PolishDraftStore}: drafts taken once, the text model's spend counted in the day's usage. */
import { describe, expect, it } from "vitest";
import type { PolishDraftStore } from "../../../src/core/store/polish-drafts.js";
import { at, community, days, queued, T0 } from "./seed.js";
import { freshStore, raceFromTwoConnections, type StoreFactory } from "./store-under-test.js";

export function polishDraftStoreContract(factory: StoreFactory): void {
  describe("PolishDraftStore", () => {
    const store = freshStore(factory);
    const drafts = (): PolishDraftStore => store().stores.polishDrafts;
    const draft = (communityId: number, userId = "ana", createdAt = T0) =>
      drafts().createDraft({ communityId, userId, original: "a cat", polished: "a tabby cat asleep in warm light", aspect: "portrait", quality: null, createdAt }, at(-days(1)));

    it("stores a pending draft, found in its own community only", async () => {
      const [c1, c2] = [await community(store().stores, "g1"), await community(store().stores, "g2")];
      const made = await draft(c1.id);
      expect(made).toEqual({ id: made.id, communityId: c1.id, userId: "ana", original: "a cat", polished: "a tabby cat asleep in warm light", aspect: "portrait", quality: null, state: "pending", createdAt: T0 });
      expect(await drafts().getDraft(c1.id, made.id)).toEqual(made);
      expect(await drafts().getDraft(c2.id, made.id)).toBeNull();
    });

    it("moves a draft only from the state it is in", async () => {
      const c = await community(store().stores);
      const made = await draft(c.id);
      expect(await drafts().moveDraft(made.id, "pending", "taken")).toBe(true);
      expect(await drafts().moveDraft(made.id, "pending", "taken")).toBe(false);
      expect(await drafts().moveDraft(made.id, "taken", "used")).toBe(true);
      expect((await drafts().getDraft(c.id, made.id))?.state).toBe("used");
    });

    it("lets one of several callers racing from two connections take a pending draft", async () => {
      const c = await community(store().stores);
      const made = await draft(c.id);
      const taken = await raceFromTwoConnections(store(), 8, (stores) => stores.polishDrafts.moveDraft(made.id, "pending", "taken"));
      expect(taken.filter(Boolean)).toHaveLength(1);
    });

    it("deletes the community's drafts made before the instant given, as a new one is made", async () => {
      const [c1, c2] = [await community(store().stores, "g1"), await community(store().stores, "g2")];
      const old = await draft(c1.id, "ana", at(-days(2)));
      const otherOld = await draft(c2.id, "ana", at(-days(2)));
      await draft(c1.id);
      expect(await drafts().getDraft(c1.id, old.id)).toBeNull();
      expect(await drafts().getDraft(c2.id, otherOld.id)).not.toBeNull();
    });

    it("lists a member's drafts, and forgets them, and only theirs", async () => {
      const c = await community(store().stores);
      const [ana, ben] = [await draft(c.id, "ana"), await draft(c.id, "ben")];
      expect(await drafts().memberDrafts(c.id, "ana")).toEqual([ana]);
      expect(await drafts().forgetMember(c.id, "ana")).toBe(1);
      expect(await drafts().getDraft(c.id, ana.id)).toBeNull();
      expect(await drafts().getDraft(c.id, ben.id)).not.toBeNull();
    });

    it("adds the text spend of a day, from racing callers too, and the day's usage counts it", async () => {
      const [c1, c2] = [await community(store().stores, "g1"), await community(store().stores, "g2")];
      await raceFromTwoConnections(store(), 6, (stores) => stores.polishDrafts.addTextSpend(c1.id, "2026-06-01", 250));
      await drafts().addTextSpend(c1.id, "2026-06-02", 7);
      expect(await drafts().textSpend(c1.id, "2026-06-01")).toBe(1_500);
      expect(await drafts().textSpend(c2.id, "2026-06-01")).toBe(0);
      await queued(store().stores, c1, "ana", { costMicroUsd: 40_000, day: "2026-06-01" });
      expect((await store().stores.creations.usage(c1.id, "ana", "2026-06-01")).spendTodayMicroUsd).toBe(41_500);
      expect((await store().stores.creations.usage(c2.id, "ana", "2026-06-01")).spendTodayMicroUsd).toBe(0);
    });
  });
}
