/**
 * Opens Salon's database: creates the folder of a SQLite file, applies pending migrations, and returns a Prisma
 * client over the better-sqlite3 driver adapter.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "./generated/client.js";
import { applyMigrations, migrationNames } from "./migrations.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export interface Database {
  prisma: PrismaClient;
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

/**
 * How many bound parameters one statement of the bundled SQLite takes (its SQLITE_MAX_VARIABLE_NUMBER, 32,766 since
 * SQLite 3.32; a test holds the bundled build to it). Prisma assumes 999 for SQLite when the adapter does not say, and
 * the client batches the `findUnique`s of one tick into one statement: with a two-column key (community and member),
 * 500 members' `/imagine` at once made 1,000 parameters, and Prisma failed every one of the 500 (P2029).
 */
export const SQLITE_MAX_BIND_VALUES = 32_766;

/**
 * The driver adapter every client of the file uses: better-sqlite3 with a busy timeout (a second process waits for the
 * lock instead of failing), its connections telling Prisma SQLite's real parameter limit.
 */
export function sqliteAdapter(file: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const told = (connection: SqlDriverAdapter): SqlDriverAdapter => {
    const info = connection.getConnectionInfo?.() ?? { supportsRelationJoins: false };
    return Object.assign(connection, { getConnectionInfo: () => ({ ...info, maxBindValues: SQLITE_MAX_BIND_VALUES }) });
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => told(await factory.connect()),
    connectToShadowDb: async () => told(await factory.connectToShadowDb()),
  };
}

export async function openDatabase(databaseUrl: string): Promise<Database> {
  const file = sqlitePath(databaseUrl);
  let pending = true;
  if (file !== ":memory:") {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const raw = new BetterSqlite3(file, { timeout: 5000 });
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
  const adapter = sqliteAdapter(file);
  const applied = pending ? await applyMigrations(adapter, MIGRATIONS_DIR) : [];
  const prisma = new PrismaClient({ adapter });
  return { prisma, applied, close: () => prisma.$disconnect() };
}
