/**
 * Three `scheduler` processes on one database through a simulated week (their clocks moved together by the test):
 * each community's digest is posted once per day, although every process ticks every second and all of them run
 * a full tick at each day's digest time.
 */
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { addDays } from "../../src/core/time.js";
import { openDatabase } from "../../src/store/database.js";
import { createPrismaStores } from "../../src/store/prisma/stores.js";
import { startSalonProcess, until, type SalonProcess } from "../support/salon-process.js";
import { databaseRows } from "../support/test-database.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";
import { postedCreation } from "./support/seed-digest.js";

const clockedSalon = fileURLToPath(new URL("../support/clocked-salon.ts", import.meta.url));
const FIRST_DAY = "2026-11-22";
const DAYS = 7;

let w: DiscordWorld | undefined;
const processes: SalonProcess[] = [];
afterEach(async () => {
  for (const proc of processes.splice(0)) await proc.crash();
  await w?.close();
  w = undefined;
});

/** Two communities with their digest at the same minute (09:00 UTC), each with one liked creation every day of the week. */
async function seedWeek(databaseUrl: string, communities: { guildId: string; channelId: string; author: string }[]): Promise<void> {
  const db = await openDatabase(databaseUrl);
  try {
    const stores = createPrismaStores(db.prisma, db.dialect);
    for (const { guildId, channelId, author } of communities) {
      const community = await stores.communities.ensureCommunity({ platform: "discord", externalId: guildId });
      await stores.communities.updateCommunity(community.id, { galleryChannelId: channelId, digestTime: "09:00", timezone: "UTC" });
      const member = await db.prisma.member.create({ data: { communityId: community.id, userId: author } });
      for (let d = 0; d < DAYS; d++) {
        const day = addDays(FIRST_DAY, d);
        await db.prisma.creation.create({
          data: postedCreation({ communityId: community.id, memberId: member.id, prompt: `favourite of ${day}`, postedAt: new Date(`${day}T12:00:00Z`), channelId, messageId: `${d + 1}0${community.id}`, likeCount: 3 }),
        });
      }
    }
  } finally {
    await db.close();
  }
}

describe("three scheduler processes through a simulated week", () => {
  it("post exactly one digest per community and day", async () => {
    w = await discordWorld({ env: { SALON_ROLES: "scheduler", RECONCILE_DAYS: "0", PORT: "0" } });
    const second = w.discord.addGuild({ name: "Second salon", ownerId: w.admin.id });
    const secondGallery = w.discord.addChannel(second.id, { name: "gallery" });
    await seedWeek(w.databaseUrl, [
      { guildId: w.guild.id, channelId: w.gallery.id, author: w.members[0]!.id },
      { guildId: second.id, channelId: secondGallery.id, author: w.members[1]!.id },
    ]);
    const clockFile = path.join(w.dir, "clock");
    const setClock = (at: string) => {
      writeFileSync(`${clockFile}.next`, at);
      renameSync(`${clockFile}.next`, clockFile); // never read half-written
    };
    // The day after the first one, before its digest time: the digest due is the (empty) day before the first.
    setClock(`${addDays(FIRST_DAY, 1)}T08:00:00.000Z`);
    for (let i = 0; i < 3; i++) processes.push(startSalonProcess({ ...w.env, SALON_TEST_CLOCK_FILE: clockFile }, w.dir, clockedSalon));
    await Promise.all(processes.map((p) => p.waitForLog((l) => l.msg === "salon started")));

    const digestsIn = (channelId: string) => w!.discord.messages(channelId).filter((m) => !m.deleted && m.content.startsWith("🏆 **Salon digest"));
    for (let d = 0; d < DAYS; d++) {
      const at = `${addDays(FIRST_DAY, d + 1)}T09:00:30.000Z`;
      setClock(at);
      // Every process sees the new time, then finishes two ticks after it (the first may have started before the move):
      // each has had a full tick at the digest time, which is what would post a second digest.
      await Promise.all(
        processes.map(async (p) => {
          const moved = await p.waitForLog((l) => l.msg === "test clock moved" && l.to === at);
          await until(() => p.logs().slice(p.logs().indexOf(moved)).filter((l) => l.msg === "digest tick done").length >= 2, `two digest ticks at ${at}`);
        }),
      );
      expect(digestsIn(w.gallery.id), `digests in the first community after day ${d + 1}`).toHaveLength(d + 1);
      expect(digestsIn(secondGallery.id), `digests in the second community after day ${d + 1}`).toHaveLength(d + 1);
    }

    const rows = await databaseRows<{ day: string; status: string }>(w.databaseUrl, `SELECT day, status FROM "Digest" WHERE status = 'posted' ORDER BY day`);
    expect(rows).toHaveLength(2 * DAYS);
    for (let d = 0; d < DAYS; d++) expect(rows.filter((r) => r.day === addDays(FIRST_DAY, d))).toHaveLength(2);
    const posts = w.discord.requests.filter((r) => r.method === "POST" && /^\/channels\/\d+\/messages$/.test(r.path) && r.status === 200);
    expect(posts).toHaveLength(2 * DAYS);
  }, 120_000);
});
