/**
 * SIGKILL while the digest is being posted, on the real process: after a restart it is posted exactly once
 * (Discord and Slack), because the next attempt looks in the channel before it posts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/salon-process.js";
import { databaseRows } from "../support/test-database.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";
import { seedDueDigest } from "./support/seed-digest.js";

let w: DiscordWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

interface DigestRow {
  day: string;
  status: string;
  messageId: string | null;
}

describe("a digest whose process is SIGKILLed mid-post on Discord", () => {
  it("is posted once after a restart when Discord had accepted it but the process died before recording it", async () => {
    // Likes are not re-read from Discord at start-up: the seeded posts exist only in the database.
    w = await discordWorld({ env: { RECONCILE_DAYS: "0" } });
    const { day } = await seedDueDigest(w.databaseUrl, { platform: "discord", externalId: w.guild.id, channelId: w.gallery.id, authors: w.members.map((m) => m.id) });
    const galleryPath = new RegExp(`^/channels/${w.gallery.id}/messages$`);
    const held = w.discord.hold({ method: "POST", pathPattern: galleryPath, phase: "after" });
    const digests = () => w!.discord.messages(w!.gallery.id).filter((m) => !m.deleted && m.content.startsWith("🏆 **Salon digest"));

    const first = await w.boot(); // its start-up tick posts the missed digest
    await held.arrived;
    expect(digests()).toHaveLength(1);
    expect(await databaseRows<DigestRow>(w.databaseUrl, `SELECT day, status, "messageId" FROM "Digest"`)).toEqual([{ day, status: "claimed", messageId: null }]);

    await first.crash();
    await w.boot();

    const [row] = await until(async () => {
      const rows = await databaseRows<DigestRow>(w!.databaseUrl, `SELECT day, status, "messageId" FROM "Digest"`);
      return rows[0]?.status === "posted" ? rows : null;
    }, "the digest recorded as posted");
    expect(digests()).toHaveLength(1);
    expect(row!.messageId).toBe(digests()[0]!.id);
    expect(w.galleryPosts()).toBe(1);
  }, 90_000);
});
