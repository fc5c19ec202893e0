/**
 * A real SQLite database per test, on a fresh temporary file, migrated exactly as `npm start` migrates it.
 * Store and core tests run against it, never against a mocked ORM.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Stores } from "../../src/core/store/stores.js";
import { openDatabase, salonClient, sqlitePath, type Database } from "../../src/store/database.js";
import { sqliteDialect } from "../../src/store/dialects/sqlite.js";
import { createPrismaStores } from "../../src/store/prisma/stores.js";

export interface TestDatabase {
  db: Database;
  /** Every port of the store over `db`. */
  stores: Stores;
  /** `file:/tmp/…/salon.db`, to open more clients on the same file. */
  url: string;
  /** Closes the client and removes the temporary folder. */
  cleanup(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(tmpdir(), "salon-test-"));
  const url = `file:${path.join(dir, "salon.db")}`;
  const db = await openDatabase(url);
  let closed = false;
  return {
    db,
    stores: createPrismaStores(db.prisma, db.dialect),
    url,
    async cleanup() {
      if (closed) return;
      closed = true;
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface SecondStore {
  db: Database;
  stores: Stores;
  close(): Promise<void>;
}

/**
 * A second client on the same file, as a second process would open it: its own better-sqlite3 connection and
 * locks, with the same busy timeout as `openDatabase`.
 *
 * It does not go through `openDatabase`: the schema engine sets `PRAGMA locking_mode=EXCLUSIVE` while applying
 * migrations, which cannot be had while another connection holds the WAL file open, so migrating a file another
 * client is using times out (see the report of the core test suite). The file is already migrated here.
 */
export async function openSecondStore(url: string): Promise<SecondStore> {
  const prisma = salonClient(sqlitePath(url));
  const db: Database = { prisma, dialect: sqliteDialect, applied: [], close: () => prisma.$disconnect() };
  return { db, stores: createPrismaStores(prisma, sqliteDialect), close: () => db.close() };
}
