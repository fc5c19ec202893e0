/**
 * Discord's enforced nonce dedupes by author ("if another message was created by the same author with the same nonce,
 * that message will be returned"), in every channel, for a few minutes: a nonce shared by two communities hands the
 * second one the first one's message. Each community's digest must carry a nonce of its own.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../support/movable-clock.js";
import { databaseRows } from "../support/test-database.js";
import { addCommunity, adminCommand, createPost, likeCountOf, startHarness, storedCommunity, type Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY_MS = 86_400_000;

describe("digests of several communities at the same minute on Discord", () => {
  it("posts each community's digest in its own channel as its own message, and records that message", async () => {
    const clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
    h = await startHarness({ clock });
    const communities = [];
    for (const name of ["Atelier", "Brushwork", "Canvas Club"]) {
      const c = await addCommunity(h, name, ["maker", "fan"]);
      await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
      const [maker, fan] = c.members;
      const post = await createPost(h, c, maker!, `the pride of ${name}`);
      h.discord.react(c.gallery.id, post.id, fan!.id, "👍");
      await expect.poll(() => likeCountOf(h!.running, c, post.id)).toBe(1);
      communities.push({ c, post });
    }
    // 26 November, 12:00 UTC: the three 09:00 UTC digests of the 25th are all due at once.
    clock.advance(DAY_MS);

    expect(await h.running.salon.publishDueDigests()).toBe(3);

    const rows = await databaseRows<{ communityId: number; status: string; channelId: string; messageId: string }>(
      h.config.database.url,
      `SELECT "communityId", "status", "channelId", "messageId" FROM "Digest" WHERE "day" = '2026-11-25' ORDER BY "communityId"`,
    );
    expect(rows).toHaveLength(3);
    for (const { c, post } of communities) {
      const digests = h.discord.messages(c.gallery.id).filter((m) => m.content.includes("Salon digest"));
      expect(digests, `digests in ${c.guild.name}'s gallery`).toHaveLength(1);
      expect(digests[0]!.content).toContain(`https://discord.com/channels/${c.guild.id}/${c.gallery.id}/${post.id}`);
      const community = await storedCommunity(h.running, c);
      expect(rows.find((r) => r.communityId === community.id)).toEqual({ communityId: community.id, status: "posted", channelId: c.gallery.id, messageId: digests[0]!.id });
    }
    // Three messages, three nonces, none of them longer than Discord's 25 characters.
    const nonces = communities.map(({ c }) => h!.discord.messages(c.gallery.id).find((m) => m.content.includes("Salon digest"))!.nonce);
    expect(new Set(nonces).size).toBe(3);
    for (const nonce of nonces) expect(String(nonce).length).toBeLessThanOrEqual(25);
  });
});
