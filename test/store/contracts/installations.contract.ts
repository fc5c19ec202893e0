/** The contract of {@link InstallationStore}: Slack installations by workspace, and what removing one changes. */
import { describe, expect, it } from "vitest";
import type { InstallationStore, SealedInstallation } from "../../../src/core/store/installations.js";
import { at, community, GALLERY, queued, T0 } from "./seed.js";
import { freshStore, type StoreFactory } from "./store-under-test.js";

const installation = (teamId: string, sealed = `v1.k.${teamId}`): SealedInstallation => ({
  teamId,
  enterpriseId: null,
  appId: "A1",
  botId: "B1",
  botUserId: "U0BOT",
  botTokenSealed: sealed,
  botScopes: "chat:write,commands",
  installerUserId: "U0ADMIN",
  installedAt: T0,
  updatedAt: T0,
});

export function installationStoreContract(factory: StoreFactory): void {
  describe("InstallationStore", () => {
    const store = freshStore(factory);
    const installations = (): InstallationStore => store().installations;

    it("keeps one installation per workspace: a reinstall replaces the token and keeps when it was first installed", async () => {
      await installations().saveInstallation(installation("T1"));
      await installations().saveInstallation({ ...installation("T1", "v1.k.new"), installedAt: at(5_000), updatedAt: at(5_000) });
      expect(await installations().findInstallation("T1")).toEqual({ ...installation("T1", "v1.k.new"), updatedAt: at(5_000) });
      expect(await installations().findInstallation("T2")).toBeNull();
    });

    it("reseals a token only if it is still the one read", async () => {
      await installations().saveInstallation(installation("T1", "v1.old"));
      await installations().resealToken("T1", "v1.other", "v1.lost");
      await installations().resealToken("T1", "v1.old", "v1.new");
      expect((await installations().findInstallation("T1"))?.botTokenSealed).toBe("v1.new");
    });

    it("removes a workspace: its installation, its channels and its queued creations, and nothing of another workspace", async () => {
      const { stores } = store();
      const left = await community(stores, "T1", { galleryChannelId: GALLERY, digestChannelId: "c-digest" }, "slack");
      const stays = await community(stores, "T2", { galleryChannelId: GALLERY }, "slack");
      await installations().saveInstallation(installation("T1"));
      await installations().saveInstallation(installation("T2"));
      const waiting = await queued(stores, left, "ana", { statusRef: "ref-ana" });
      const made = await queued(stores, left, "ben");
      expect(await stores.creations.claimNextJob(at(1), "w1", 60_000, ["slack"])).toMatchObject({ id: waiting.id });
      const other = await queued(stores, stays, "ana");

      const removed = await installations().removeInstallation("T1", "Salon was removed", at(2));
      expect(removed).toEqual({ removed: true, failedCreations: [{ id: made.id, statusRef: null }] });
      expect(await installations().findInstallation("T1")).toBeNull();
      expect(await installations().findInstallation("T2")).not.toBeNull();
      expect(await stores.creations.getCreation(made.id)).toMatchObject({ status: "failed", error: "Salon was removed" });
      expect(await stores.creations.getCreation(waiting.id)).toMatchObject({ status: "generating" }); // already being made
      expect(await stores.creations.getCreation(other.id)).toMatchObject({ status: "queued" });
      expect(await stores.communities.getCommunity(left.id)).toMatchObject({ galleryChannelId: null, digestChannelId: null });
      expect(await stores.communities.getCommunity(stays.id)).toMatchObject({ galleryChannelId: GALLERY });
      // The failed creation gives its quota back.
      expect((await stores.creations.usage(left.id, "ben", made.day)).memberToday).toBe(0);

      // Again (the other of app_uninstalled and tokens_revoked, or Slack's retry): nothing more to do.
      expect(await installations().removeInstallation("T1", "Salon was removed", at(3))).toEqual({ removed: false, failedCreations: [] });
      expect(await installations().removeInstallation("T-never", "Salon was removed", at(3))).toEqual({ removed: false, failedCreations: [] });
    });
  });
}
