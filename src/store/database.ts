/**
 * Opens Salon's database: creates the folder of a SQLite file, applies pending migrations, and returns a Prisma
 * client over the better-sqlite3 driver adapter, with the SQL dialect the store speaks to it.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { Dialect } from "./dialects/dialect.js";
import { sqliteDialect } from "./dialects/sqlite.js";
import { PrismaClient } from "./generated/client.js";
import { applyMigrations, migrationNames } from "./migrations.js";
import { openSqliteFile } from "./sqlite-driver.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export interface Database {
  prisma: PrismaClient;
  /** What the store's raw SQL needs to know of the database behind `prisma`. */
  dialect: Dialect;
  /** Names of the migrations applied while opening. */
  applied: string[];
  close(): Promise<void>;
}

/** `file:./data/salon.db` → `./data/salon.db`; `file:/abs/salon.db` → `/abs/salon.db`. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.replace(/^file:/, "");
}

/** Migrations recorded as finished (and not rolled back) in Prisma's own table; none when it does not exist yet. */
function appliedMigrations(raw: BetterSqlite3.Database): Set<string> {
  const table = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
  if (!table) return new Set();
  const rows = raw.prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL").all() as Array<{ migration_name: string }>;
  return new Set(rows.map((r) => r.migration_name));
}

export async function openDatabase(databaseUrl: string): Promise<Database> {
  const file = sqlitePath(databaseUrl);
  let pending = true;
  if (file !== ":memory:") {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const raw = openSqliteFile(file, { timeout: 5000 });
    try {
      // WAL (persistent in the file) lets readers such as rankings proceed while the queue writes, and lets the
      // migration engine's connection and the client's coexist.
      raw.pragma("journal_mode = WAL");
      // The schema engine locks the file exclusively even when it has nothing to do, which a second process
      // sharing the file cannot get: only call it when a migration is actually pending.
      const applied = appliedMigrations(raw);
      pending = (await migrationNames(MIGRATIONS_DIR)).some((name) => !applied.has(name));
    } finally {
      raw.close();
    }
  }
  // better-sqlite3's `timeout` is SQLite's busy timeout: a second process waits for the lock instead of failing.
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const applied = pending ? await applyMigrations(adapter, MIGRATIONS_DIR) : [];
  const prisma = new PrismaClient({ adapter });
  return { prisma, dialect: sqliteDialect, applied, close: () => prisma.$disconnect() };
}
