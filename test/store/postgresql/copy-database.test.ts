/**
 * `npm run db:copy`: a SQLite database seeded through the real store, copied into PostgreSQL, reads back the same,
 * row for row (through each provider's own Prisma client, which reads its database's types) and through the ports;
 * Salon then opens the copy with nothing to migrate and gives new rows fresh ids.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { scratchDatabase, type ScratchDatabase } from "../../../prisma/postgres-scratch.js";
import type { Stores } from "../../../src/core/store/stores.js";
import { createImageFiles } from "../../../src/images/image-files.js";
import { copyDatabase, CopyRefusedError } from "../../../src/store/copy-database.js";
import { openDatabase, sqlitePath } from "../../../src/store/database.js";
import { Prisma, type PrismaClient } from "../../../src/store/generated/client.js";
import { createDatabaseImages } from "../../../src/store/prisma/images.js";
import { PrismaIdentifySlots } from "../../../src/store/prisma/identify-slots.js";
import { PrismaInstallationStore } from "../../../src/store/prisma/installations.js";
import { createPrismaStores } from "../../../src/store/prisma/stores.js";
import { createTestDatabase, type TestDatabase } from "../../support/db.js";
import { at, community, days, DAY_MS, minutes, NO_LIMITS, newCreation, posted, queued, react, T0 } from "../contracts/seed.js";

const serverUrl = () => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("the copy test needs TEST_DATABASE_URL=postgresql://…");
  return url;
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteSource(): Promise<TestDatabase> {
  const source = await createTestDatabase();
  cleanups.push(() => source.cleanup());
  return source;
}

/** An empty PostgreSQL database, not migrated: db:copy migrates it. */
async function emptyTarget(): Promise<ScratchDatabase> {
  const target = await scratchDatabase(serverUrl(), "salon_copy");
  cleanups.push(() => target.drop());
  return target;
}

async function opened(url: string) {
  const db = await openDatabase(url);
  cleanups.push(() => db.close());
  return db;
}

const DAY = "2026-05-31";

/** Two communities' worth of everything the store writes: members, creations in each state, likes, a forget, digests. */
async function seed(stores: Stores): Promise<void> {
  const g = await community(stores, "g1", { digestChannelId: "c-digest", likeEmoji: ["👍", "❤️"], allowSelfLikes: true, minMemberAgeDays: 1 });
  const s = await community(stores, "T1", { timezone: "Europe/Paris" }, "slack");
  await stores.communities.setMemberDates(g.id, "ana", { accountCreatedAt: at(-days(300)), joinedAt: at(-days(30)) });
  await stores.communities.setMemberDates(g.id, "ben", { joinedAt: at(-days(10)) });
  await stores.communities.setBlocked(g.id, "spammer", true);
  const posts = [];
  for (const [i, author] of ["ana", "ben", "cat", "ana", "dan"].entries()) posts.push(await posted(stores, g, author, { postedAt: at(-minutes(10 * (i + 1))) }));
  const [first, second, third, fourth] = posts as [typeof posts[0], typeof posts[0], typeof posts[0], typeof posts[0]];
  await react(stores, first, ["ben", "cat", "dan"], "👍", at(minutes(1)), { joinedAt: at(-days(5)) });
  await react(stores, first, ["ben"], "❤️", at(minutes(2)));
  await react(stores, second, ["ana", "cat"], "👍", at(minutes(3)));
  await react(stores, third, ["ana", "ben", "spammer"]);
  await react(stores, fourth, ["ben", "eve"], "🎉");
  await stores.likes.setReaction(second.id, g.id, "cat", "👍", false, { at: at(minutes(4)) });
  await stores.likes.clearReactions(fourth.id, "🎉", at(minutes(5)));
  await queued(stores, g, "ben", { now: at(minutes(6)) });
  const failing = await queued(stores, g, "cat", { now: at(minutes(7)) });
  await stores.creations.transitionCreation(failing.id, ["queued"], { status: "failed", error: "the provider refused it" });
  // Issue 12's rows: a title and alt text, a remix's lineage, a pending polish and its text spend.
  await stores.creations.updateCreation(third.id, { title: "Three of a kind", altText: "Three cards on a table" });
  await posted(stores, g, "cat", { postedAt: at(-minutes(60)), lineage: { parentId: first.id, rootId: first.id, depth: 1 } });
  await stores.polishDrafts.createDraft({ communityId: g.id, userId: "cat", original: "a cat", polished: "a tabby cat asleep in warm light", aspect: "portrait", quality: null, createdAt: T0 }, at(-days(1)));
  await stores.polishDrafts.addTextSpend(g.id, DAY, 250);
  const slackPost = await posted(stores, s, "U1", { postedAt: at(-days(1)) });
  await react(stores, slackPost, ["U2", "U3"], "+1", at(-days(1) + 1));
  expect(await stores.digests.claimDigest(g.id, DAY, "w1", T0, 60_000)).toBe(true);
  const entries = await stores.rankings.topCreations(g.id, null, null, 5);
  const digest = { day: DAY, title: "31 May 2026", entries, summary: { creations: entries.length, likers: 4, topCreator: { userId: "ana", likeCount: 5 } } };
  await stores.digests.completeDigest(g.id, DAY, { status: "posted", channelId: "c-digest", messageId: "d-1", digest, at: T0 });
  await stores.digests.claimDigest(s.id, DAY, "w1", T0, 60_000);
  await stores.digests.completeDigest(s.id, DAY, { status: "empty", at: T0 });
  await stores.digests.claimDigest(g.id, "2026-06-01", "w2", T0, 60_000);
  // ben's reactions stay on the platform: forgotten reactions; the digest naming him is edited from the copy too.
  await stores.privacy.forgetMember(g.id, "ben");
  await stores.deliveries.firstDelivery(["event:1", "reaction:g1:m1:ana:+"], T0);
  await stores.deliveries.firstDelivery(["event:2"], at(-DAY_MS));
}

/** Rows as the two other forms of a DateTime leave them in SQLite: epoch milliseconds and `CURRENT_TIMESTAMP` text. */
function writeOtherDateForms(file: string): void {
  const raw = new BetterSqlite3(file);
  try {
    raw.prepare(`INSERT INTO "InboundEvent" ("key", "at") VALUES ('epoch-ms', ?)`).run(T0.getTime() + 123);
    raw.prepare(`INSERT INTO "InboundEvent" ("key", "at") VALUES ('current-timestamp', '2026-06-01 12:34:56')`).run();
  } finally {
    raw.close();
  }
}

/** Every row of every model, as its provider's client reads it, in a stable order. */
async function everyRow(prisma: PrismaClient): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const model of Object.values(Prisma.ModelName)) {
    const delegate = (prisma as unknown as Record<string, { findMany(): Promise<unknown[]> }>)[model[0]!.toLowerCase() + model.slice(1)]!;
    rows[model] = (await delegate.findMany()).map((row) => JSON.stringify(row)).sort();
  }
  return rows;
}

/** What the ports answer about likes and digests, community by community. */
async function answers(stores: Stores) {
  const out = [];
  for (const c of await stores.communities.listCommunities()) {
    out.push({
      community: c,
      topCreations: await stores.rankings.topCreations(c.id, null, null, 50),
      topCreators: await stores.rankings.topCreators(c.id, null, null, 50),
      window: await stores.rankings.windowStats(c.id, at(-days(2)), at(days(1))),
      digests: await Promise.all([DAY, "2026-06-01"].map(async (day) => [await stores.digests.digestStatus(c.id, day), await stores.digests.postedDigest(c.id, day)])),
      naming: await stores.digests.digestsNaming(c.id, "ana"),
      ana: await stores.privacy.exportMember(c.id, "ana"),
    });
  }
  return out;
}

describe("db:copy", () => {
  it("copies every row of every table, and Salon opens the copy with nothing to migrate and fresh ids for new rows", async () => {
    const source = await sqliteSource();
    await seed(source.stores);
    // A gateway process's identify slot: the one table no port of the core writes.
    expect(await new PrismaIdentifySlots(source.db.prisma).take(0, T0, 5_000)).toBe(0);
    // A Slack workspace installed through OAuth, and an image request counted by IMAGE_RATE_PER_MINUTE.
    await new PrismaInstallationStore(source.db.prisma).saveInstallation({
      teamId: "T-oauth", enterpriseId: null, appId: "A1", botId: "B1", botUserId: "U-bot", botTokenSealed: "v1.k.sealed", botScopes: "chat:write",
      installerUserId: "U-admin", installedAt: T0, updatedAt: T0,
    });
    await source.stores.creations.takeImageRequest(10, 60_000, T0);
    writeOtherDateForms(sqlitePath(source.url));
    const target = await emptyTarget();

    const result = await copyDatabase(source.url, target.url, { batchRows: 3 });

    expect(result.migrated.length).toBeGreaterThan(0);
    expect(result.tables.map((t) => t.table).indexOf("Community")).toBeLessThan(result.tables.map((t) => t.table).indexOf("Member"));
    expect(result.tables.find((t) => t.table === "Creation")?.rows).toBe(await source.db.prisma.creation.count());
    const copy = await opened(target.url);
    expect(copy.applied).toEqual([]);
    const sourceRows = await everyRow(source.db.prisma);
    // A SQLite deployment keeps its images as files (StoredImage is empty there): --images copies them, below.
    expect(Object.entries(sourceRows).every(([model, rows]) => rows.length > 0 || model === "StoredImage")).toBe(true);
    expect(await everyRow(copy.prisma)).toEqual(sourceRows);
    const copied = createPrismaStores(copy.prisma, copy.dialect);
    expect(await answers(copied)).toEqual(await answers(source.stores));
    const events = await copy.prisma.inboundEvent.findMany({ where: { key: { in: ["epoch-ms", "current-timestamp"] } }, orderBy: { key: "asc" } });
    expect(events.map((e) => e.at)).toEqual([new Date("2026-06-01T12:34:56.000Z"), new Date(T0.getTime() + 123)]);

    const [g] = await copied.communities.listCommunities();
    const fresh = await copied.creations.insertCreationWithinLimits(newCreation(g!, "newcomer", { now: at(minutes(30)) }), NO_LIMITS);
    if (typeof fresh === "string") throw new Error(fresh);
    const maxId = (await source.db.prisma.creation.aggregate({ _max: { id: true } }))._max.id!;
    expect(fresh.id).toBe(maxId + 1);
    expect((await copied.communities.ensureCommunity({ platform: "discord", externalId: "g-new" })).id).toBe(3);
  });

  it("copies the image files of the SQLite deployment's DATA_DIR into the database's image store, listing those it lacks", async () => {
    const source = await sqliteSource();
    const dataDir = await mkdtemp(path.join(tmpdir(), "salon-copy-images-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const files = createImageFiles(dataDir);
    const png = Buffer.from("\x89PNG a lighthouse");
    const jpeg = Buffer.from("\xff\xd8\xff a fox");
    const [lighthouse, fox] = [await files.put(png, "image/png"), await files.put(jpeg, "image/jpeg")];
    const lost = "f".repeat(64);
    const g = await community(source.stores, "g1");
    for (const imageHash of [lighthouse, fox, lost, lighthouse]) await posted(source.stores, g, "ana", { imageHash });
    const target = await emptyTarget();

    await expect(copyDatabase(source.url, target.url, { imagesDir: path.join(dataDir, "typo") })).rejects.toThrow(/has no images folder: --images takes the SQLite deployment's DATA_DIR/);
    const result = await copyDatabase(source.url, target.url, { imagesDir: dataDir });

    expect(result.images).toEqual({ copied: 2, missing: [lost] });
    const copy = await opened(target.url);
    const images = createDatabaseImages(copy.prisma);
    expect(await images.get(lighthouse)).toEqual({ bytes: png, mimeType: "image/png" });
    expect(await images.get(fox)).toEqual({ bytes: jpeg, mimeType: "image/jpeg" });
    expect(await images.get(lost)).toBeNull();
  });

  it("refuses a target that holds data, and changes nothing in it", async () => {
    const source = await sqliteSource();
    await seed(source.stores);
    const target = await emptyTarget();
    await copyDatabase(source.url, target.url);
    const copy = await opened(target.url);
    const before = await everyRow(copy.prisma);
    await source.stores.communities.ensureCommunity({ platform: "discord", externalId: "g-later" });

    await expect(copyDatabase(source.url, target.url)).rejects.toThrow(CopyRefusedError);
    await expect(copyDatabase(source.url, target.url)).rejects.toThrow(/is not empty \(rows in Community, Creation, .*\): .* Nothing was changed\./);

    expect(await everyRow(copy.prisma)).toEqual(before);
    expect((await copy.prisma.community.findMany()).map((c) => c.externalId)).not.toContain("g-later");
  });

  it("leaves the target empty when a row cannot be copied midway, and names the value", async () => {
    const source = await sqliteSource();
    await seed(source.stores);
    const raw = new BetterSqlite3(sqlitePath(source.url));
    // The last reaction: copied after Community, Member, Creation and its first reactions are in.
    const { rows } = raw.prepare(`SELECT COUNT(*) AS rows FROM "Reaction"`).get() as { rows: number };
    raw.prepare(`UPDATE "Reaction" SET "reactedAt" = 'yesterday-ish' WHERE rowid = (SELECT MAX(rowid) FROM "Reaction")`).run();
    raw.close();
    const target = await emptyTarget();

    const done: string[] = [];
    await expect(copyDatabase(source.url, target.url, { batchRows: 2, progress: (table) => done.push(table) })).rejects.toThrow(new RegExp(`Reaction\\.reactedAt of row ${rows}: yesterday-ish is not a date`));

    expect(done).toEqual(expect.arrayContaining(["Community", "Member", "Creation"]));
    const copy = await opened(target.url);
    expect(Object.values(await everyRow(copy.prisma)).flat()).toEqual([]);
  });

  it("refuses a source that is not a migrated SQLite file of Salon, and arguments that are not the two URLs", async () => {
    const target = await emptyTarget();
    await expect(copyDatabase("file:/nonexistent/salon.db", target.url)).rejects.toThrow(/Could not open the SQLite database \/nonexistent\/salon\.db/);
    const blank = await sqliteSource();
    const unmigrated = `file:${sqlitePath(blank.url)}-blank`;
    new BetterSqlite3(sqlitePath(unmigrated)).close();
    await expect(copyDatabase(unmigrated, target.url)).rejects.toThrow(/is not at this Salon's schema \(pending: 20261126050523_init, .*\)\. Start this version of Salon on it once/);
    await expect(copyDatabase("./salon.db", target.url)).rejects.toThrow(/--from must be a SQLite file URL/);
    await expect(copyDatabase("file:./salon.db", "mysql://x@h/db")).rejects.toThrow(/--to must be a PostgreSQL URL/);
    const run = promisify(execFile);
    const usage = await run("npx", ["tsx", "prisma/db-copy.ts", "--from", "file:./data/salon.db"]).catch((error: { code: number; stderr: string }) => error);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringMatching(/missing --to\nUsage: npm run db:copy -- --from file:/) });
    const images = await run("npx", ["tsx", "prisma/db-copy.ts", "--from", "file:./data/salon.db", "--to", target.url]).catch((error: { code: number; stderr: string }) => error);
    expect(images).toMatchObject({ code: 2, stderr: expect.stringMatching(/say where the images are: --images DATA_DIR, or --no-images/) });
  });
});
