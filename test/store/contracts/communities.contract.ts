/** The contract of {@link CommunityStore}: communities, their settings, and their members. */
import { describe, expect, it } from "vitest";
import { MAX_BUDGET_USD, parseBudgetUsd } from "../../../src/core/settings-input.js";
import type { CommunityStore } from "../../../src/core/store/communities.js";
import { at, community, days, T0 } from "./seed.js";
import { freshStore, type StoreFactory } from "./store-under-test.js";

export function communityStoreContract(factory: StoreFactory): void {
  describe("CommunityStore", () => {
    const store = freshStore(factory);
    const communities = (): CommunityStore => store().stores.communities;

    it("finds no community before it is ensured, and the same one however often it is ensured, even at once", async () => {
      const ref = { platform: "discord" as const, externalId: "g1" };
      expect(await communities().findCommunity(ref)).toBeNull();
      const ensured = await Promise.all(Array.from({ length: 5 }, () => communities().ensureCommunity(ref)));
      expect(new Set(ensured.map((c) => c.id)).size).toBe(1);
      expect(await communities().ensureCommunity(ref)).toEqual(ensured[0]);
      expect(await communities().findCommunity(ref)).toEqual(ensured[0]);
      expect(await communities().getCommunity(ensured[0]!.id)).toEqual(ensured[0]);
      expect(await communities().getCommunity(ensured[0]!.id + 1000)).toBeNull();
      expect(await communities().listCommunities()).toHaveLength(1);
    });

    it("gives a new community the product's default settings", async () => {
      const c = await communities().ensureCommunity({ platform: "slack", externalId: "T1" });
      expect(c).toMatchObject({
        platform: "slack",
        externalId: "T1",
        galleryChannelId: null,
        digestChannelId: null,
        digestTime: "09:00",
        timezone: "UTC",
        perMemberDaily: 10,
        budgetMicroUsd: 5_000_000,
        cooldownSeconds: 30,
        digestSize: 5,
        maxPromptLength: 1000,
        likeEmoji: null,
        allowSelfLikes: false,
        minAccountAgeDays: 0,
        minMemberAgeDays: 0,
        problem: null,
        digestProblem: null,
      });
    });

    it("keeps a Discord guild and a Slack workspace with the same external id apart", async () => {
      const guild = await communities().ensureCommunity({ platform: "discord", externalId: "same" });
      const workspace = await communities().ensureCommunity({ platform: "slack", externalId: "same" });
      expect(guild.id).not.toBe(workspace.id);
      await communities().updateCommunity(guild.id, { galleryChannelId: "c-discord" });
      expect((await communities().findCommunity({ platform: "slack", externalId: "same" }))?.galleryChannelId).toBeNull();
      expect((await communities().findCommunity({ platform: "discord", externalId: "same" }))?.galleryChannelId).toBe("c-discord");
    });

    it("changes only the settings a patch names, keeps the like emoji as a list, and answers what is stored", async () => {
      const c = await community(store().stores, "g1");
      const updated = await communities().updateCommunity(c.id, { likeEmoji: ["⭐", "👍"], cooldownSeconds: 0, problem: "no access" });
      expect(updated).toMatchObject({ likeEmoji: ["⭐", "👍"], cooldownSeconds: 0, problem: "no access", galleryChannelId: c.galleryChannelId, timezone: "UTC" });
      const again = await communities().updateCommunity(c.id, { timezone: "Europe/Paris", problem: null });
      expect(again).toMatchObject({ likeEmoji: ["⭐", "👍"], cooldownSeconds: 0, problem: null, timezone: "Europe/Paris" });
      expect(await communities().findCommunity({ platform: "discord", externalId: "g1" })).toEqual(again);
      expect((await communities().updateCommunity(c.id, { likeEmoji: null })).likeEmoji).toBeNull();
      expect((await communities().updateCommunity(c.id, { likeEmoji: [] })).likeEmoji).toEqual([]);
    });

    it("stores the largest budget an admin may set", async () => {
      const c = await community(store().stores, "g1");
      const budgetMicroUsd = parseBudgetUsd(MAX_BUDGET_USD);
      expect((await communities().updateCommunity(c.id, { budgetMicroUsd })).budgetMicroUsd).toBe(budgetMicroUsd);
      expect((await communities().findCommunity({ platform: "discord", externalId: "g1" }))?.budgetMicroUsd).toBe(budgetMicroUsd);
    });

    it("lists every community in the order they were first stored", async () => {
      for (const id of ["b", "a", "c"]) await communities().ensureCommunity({ platform: "discord", externalId: id });
      await communities().ensureCommunity({ platform: "discord", externalId: "a" });
      expect((await communities().listCommunities()).map((c) => c.externalId)).toEqual(["b", "a", "c"]);
    });

    it("answers lookups of several communities made at once each with its own", async () => {
      for (const id of ["g1", "g2"]) await communities().ensureCommunity({ platform: "discord", externalId: id });
      await communities().ensureCommunity({ platform: "slack", externalId: "g1" });
      const refs = [
        { platform: "discord" as const, externalId: "g2" },
        { platform: "slack" as const, externalId: "g1" },
        { platform: "discord" as const, externalId: "unknown" },
        { platform: "discord" as const, externalId: "g1" },
        { platform: "discord" as const, externalId: "g2" },
      ];
      const found = await Promise.all(refs.map((ref) => communities().findCommunity(ref)));
      expect(found.map((c) => c && `${c.platform}:${c.externalId}`)).toEqual(["discord:g2", "slack:g1", null, "discord:g1", "discord:g2"]);
    });

    it("blocks and unblocks a member in one community only, idempotently, even one never seen", async () => {
      const one = await community(store().stores, "g1");
      const two = await community(store().stores, "g2");
      expect(await communities().isBlocked(one.id, "u1")).toBe(false);
      await communities().setBlocked(one.id, "u1", true);
      await communities().setBlocked(one.id, "u1", true);
      expect(await communities().isBlocked(one.id, "u1")).toBe(true);
      expect(await communities().isBlocked(two.id, "u1")).toBe(false);
      await communities().setBlocked(one.id, "u1", false);
      expect(await communities().isBlocked(one.id, "u1")).toBe(false);
    });

    it("keeps whether a member allows remixes, in one community only, allowed for a member never seen", async () => {
      const one = await community(store().stores, "g1");
      const two = await community(store().stores, "g2");
      expect(await communities().remixesAllowed(one.id, "u1")).toBe(true);
      await communities().setRemixesAllowed(one.id, "u1", false);
      expect(await communities().remixesAllowed(one.id, "u1")).toBe(false);
      expect(await communities().remixesAllowed(two.id, "u1")).toBe(true);
      await communities().setBlocked(one.id, "u1", true);
      expect(await communities().remixesAllowed(one.id, "u1")).toBe(false);
      await communities().setRemixesAllowed(one.id, "u1", true);
      expect(await communities().remixesAllowed(one.id, "u1")).toBe(true);
    });

    it("tells, each once, the members whose join date is not known", async () => {
      const c = await community(store().stores);
      await communities().setMemberDates(c.id, "joined", { joinedAt: at(-days(3)) });
      await communities().setMemberDates(c.id, "account-only", { accountCreatedAt: at(-days(30)) });
      expect(await communities().membersWithoutJoinDate(c.id, ["joined", "account-only", "never-seen", "never-seen", "joined"])).toEqual(["account-only", "never-seen"]);
      const other = await community(store().stores, "g2");
      expect(await communities().membersWithoutJoinDate(other.id, ["joined"])).toEqual(["joined"]);
    });

    it("keeps a member's date it is not given, and takes a new join date (a member who came back)", async () => {
      const c = await community(store().stores);
      await communities().setMemberDates(c.id, "u1", { accountCreatedAt: at(-days(30)) });
      await communities().setMemberDates(c.id, "u1", { joinedAt: at(-days(3)) });
      await communities().setMemberDates(c.id, "u1", {});
      const exported = await store().stores.privacy.exportMember(c.id, "u1");
      expect(exported).toMatchObject({ accountCreatedAt: at(-days(30)), joinedAt: at(-days(3)) });
      await communities().setMemberDates(c.id, "u1", { joinedAt: T0, accountCreatedAt: null });
      expect(await store().stores.privacy.exportMember(c.id, "u1")).toMatchObject({ accountCreatedAt: at(-days(30)), joinedAt: T0 });
    });
  });
}
