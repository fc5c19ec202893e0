/**
 * Opens Salon's database: creates the folder of a SQLite file, applies pending migrations, and returns a Prisma
 * client over the better-sqlite3 driver adapter.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client.js";
import { applyMigrations } from "./migrations.js";

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

export async function openDatabase(databaseUrl: string): Promise<Database> {
  const file = sqlitePath(databaseUrl);
  if (file !== ":memory:") {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    // WAL (persistent in the file) lets readers such as rankings proceed while the queue writes, and lets the
    // migration engine's connection and the client's coexist. Set it before anyone else holds the file.
    const raw = new BetterSqlite3(file);
    raw.pragma("journal_mode = WAL");
    raw.close();
  }
  // better-sqlite3's `timeout` is SQLite's busy timeout: a second process waits for the lock instead of failing.
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  const applied = await applyMigrations(adapter, MIGRATIONS_DIR);
  const prisma = new PrismaClient({ adapter });
  return { prisma, applied, close: () => prisma.$disconnect() };
}
