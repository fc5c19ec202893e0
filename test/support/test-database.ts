/**
 * The database a whole-bot test (the Discord and Slack harnesses) runs Salon on: by default a SQLite file in the test's
 * data folder; in the vitest project `bot-postgresql` (TEST_DATABASE_URL naming a server adds it; it sets SALON_BOT_DATABASE=postgresql for its files), a PostgreSQL database of the test's own, copied from the template the PostgreSQL global setup migrated (test/store/postgresql/global-setup.ts),
 * and dropped when the test is done.
 */
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { scratchDatabase } from "../../prisma/postgres-scratch.js";
import { readRows } from "./salon-process.js";

export interface BotDatabase {
  /** What DATABASE_URL is set to. */
  url: string;
  /** Removes the database (SQLite: nothing, the data folder goes with the test). */
  drop(): Promise<void>;
}

/** Whether this test file runs the whole bot on PostgreSQL. */
export function botTestsOnPostgres(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SALON_BOT_DATABASE === "postgresql";
}

export async function botDatabase(dataDir: string): Promise<BotDatabase> {
  if (!botTestsOnPostgres()) return { url: `file:${path.join(dataDir, "salon.db")}`, drop: async () => undefined };
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error("SALON_BOT_DATABASE=postgresql needs TEST_DATABASE_URL=postgresql://… (a role that may CREATE DATABASE)");
  return scratchDatabase(server, "salon_e2e", inject("postgresTemplate"));
}

/**
 * Rows of a query on the bot's database, SQLite or PostgreSQL, for tests that check what was stored. Write identifiers
 * in double quotes (`"communityId"`: PostgreSQL folds unquoted ones to lower case) and values as `?`.
 */
export async function databaseRows<T>(databaseUrl: string, sql: string, ...params: unknown[]): Promise<T[]> {
  if (databaseUrl.startsWith("file:")) return readRows<T>(databaseUrl.slice("file:".length), sql, ...params);
  let n = 0;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
  } finally {
    await client.end();
  }
}
