/**
 * The database locked by another writer, read-only or full during /imagine: the member gets a clean "try again",
 * no creation row is half-written, OpenAI is not asked for an image, and once the database is healthy again the same
 * request works.
 */
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../src/store/generated/client.js";
import { StoreUnavailableError } from "../../src/core/errors.js";
import { withStoreErrors } from "../../src/store/store-errors.js";
import { createTestDatabase } from "../support/db.js";
import { botTestsOnPostgres } from "../support/test-database.js";
import { addCommunity, createPost, imagine, startHarness, type Community, type Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(): Promise<{ h: Harness; c: Community; file: string }> {
  h = await startHarness();
  return { h, c: await addCommunity(h), file: path.join(h.dataDir, "salon.db") };
}

/** The bot's own database connection (SQLite settings such as query_only are per connection). */
function botPrisma(harness: Harness): PrismaClient {
  return (harness.running.salon.deps.creations as unknown as { prisma: PrismaClient }).prisma;
}

function count(db: BetterSqlite3.Database, table: "Creation" | "Member", userId?: string): number {
  const where = userId === undefined ? "" : ` WHERE "userId" = '${userId}'`;
  return (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"${where}`).get() as { n: number }).n;
}

/** The answer to /imagine once it is more than the deferral. */
async function answer(harness: Harness, c: Community, userId: string, prompt: string): Promise<{ text: string; ms: number }> {
  const at = Date.now();
  const handle = imagine(harness, c, harness.discord.user(userId)!, prompt);
  const reply = await handle.waitFor((m) => m.content !== "", 20_000);
  return { text: reply.content, ms: Date.now() - at };
}

// These stage SQLite's own failures (a second connection's exclusive lock, PRAGMA query_only, max_page_count) on the
// bot's SQLite file; they have no PostgreSQL equivalent on a running bot's pool, so the project bot-postgresql skips
// them. PostgreSQL's failures through withStoreErrors are covered by the store tests in test/store/postgresql.
describe.skipIf(botTestsOnPostgres())("the database failing during /imagine", () => {
  it("answers 'try again' while another connection holds the write lock, saves nothing, asks OpenAI nothing, and works once it is released", async () => {
    const { h, c, file } = await start();
    const ana = c.members[0]!;
    const other = new BetterSqlite3(file, { timeout: 5_000 });
    try {
      other.exec("BEGIN EXCLUSIVE");

      const { text, ms } = await answer(h, c, ana.id, "while the file is locked");

      expect(text).toContain("database is busy or unavailable");
      expect(text).toContain("nothing was saved");
      expect(text).toContain("try again");
      expect(ms).toBeLessThan(15_000);
      expect(count(other, "Creation")).toBe(0);
      expect(count(other, "Member", ana.id)).toBe(0);
      expect(h.openai.moderationRequests).toHaveLength(0);
      expect(h.openai.imageRequests).toHaveLength(0);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }

    await createPost(h, c, ana, "once the lock is gone");
    expect(h.openai.imageRequests).toHaveLength(1);
  }, 40_000);

  it("answers 'try again' while the database is read-only, saves nothing, asks OpenAI nothing, and works once it is writable", async () => {
    const { h, c, file } = await start();
    const ana = c.members[0]!;
    // A running process keeps its file open, so chmod would change nothing for it: SQLite's own read-only switch on
    // the bot's connection answers every write with SQLITE_READONLY, as a read-only file or mount does.
    await botPrisma(h).$executeRawUnsafe("PRAGMA query_only = ON");

    const { text } = await answer(h, c, ana.id, "while the file is read-only");

    expect(text).toContain("try again");
    const reader = new BetterSqlite3(file, { readonly: true });
    expect(count(reader, "Creation")).toBe(0);
    reader.close();
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);

    await botPrisma(h).$executeRawUnsafe("PRAGMA query_only = OFF");
    await createPost(h, c, ana, "writable again");
  }, 40_000);

  it("turns a full database into the same clean 'try again', with the creation's transaction rolled back", async () => {
    // A full disk can't be staged for a running bot (a small row still fits in a page SQLite already has), so the
    // store is filled directly: a write that needs a page more than max_page_count allows fails with SQLITE_FULL.
    const test = await createTestDatabase();
    try {
      const communities = withStoreErrors(test.stores.communities);
      const creations = withStoreErrors(test.stores.creations);
      const community = await communities.ensureCommunity({ platform: "discord", externalId: "g-full" });
      const [{ page_count: pages }] = await test.db.prisma.$queryRawUnsafe<[{ page_count: bigint }]>("PRAGMA page_count");
      await test.db.prisma.$queryRawUnsafe(`PRAGMA max_page_count = ${pages + 2n}`);
      const input = {
        communityId: community.id,
        userId: "u-full",
        prompt: "x".repeat(200_000), // needs ~50 new pages
        aspect: "square" as const,
        quality: "low" as const,
        size: "1024x1024" as const,
        model: "gpt-image-2",
        costMicroUsd: 1,
        day: "2026-11-26",
        now: new Date(),
        statusRef: null,
      };

      const insert = creations.insertCreationWithinLimits(input, { perMemberDaily: 10, budgetMicroUsd: 10_000_000, cooldownMs: 0 });

      await expect(insert).rejects.toThrow(StoreUnavailableError);
      await expect(insert).rejects.toMatchObject({ userMessage: expect.stringContaining("try again"), cause: expect.objectContaining({ meta: expect.objectContaining({ driverAdapterError: expect.objectContaining({ cause: expect.objectContaining({ originalCode: "SQLITE_FULL" }) }) }) }) });
      expect(await test.db.prisma.creation.count()).toBe(0);

      await test.db.prisma.$queryRawUnsafe("PRAGMA max_page_count = 1073741823");
      await expect(creations.insertCreationWithinLimits({ ...input, prompt: "room again" }, { perMemberDaily: 10, budgetMicroUsd: 10_000_000, cooldownMs: 0 })).resolves.toMatchObject({ status: "queued" });
    } finally {
      await test.cleanup();
    }
  });
});
