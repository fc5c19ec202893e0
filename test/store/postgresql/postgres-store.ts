/**
 * The contract suites' factory for PostgreSQL: each test file gets a database of its own, copied from the migrated
 * template (global-setup.ts); each test starts from it emptied (every table truncated, ids restarted), with fresh
 * clients, and `another()` opens a second client with its own pool, as a second process would.
 */
import pg from "pg";
import { afterAll, inject } from "vitest";
import { scratchDatabase, type ScratchDatabase } from "../../../prisma/postgres-scratch.js";
import { postgresqlDialect } from "../../../src/store/dialects/postgresql.js";
import { postgresClient } from "../../../src/store/postgres.js";
import { PrismaInstallationStore } from "../../../src/store/prisma/installations.js";
import { createPrismaStores } from "../../../src/store/prisma/stores.js";
import type { StoreFactory } from "../contracts/store-under-test.js";

let database: Promise<ScratchDatabase> | undefined;

afterAll(async () => {
  await (await database)?.drop();
});

/** Empties every table of Salon's (not Prisma's migrations) and restarts their ids. */
async function emptied(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'",
    );
    await client.query(`TRUNCATE ${tables.rows.map((t) => t.name).join(", ")} RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
}

/** The database of the test file running, copied from the template on first use. */
export function thisFilesDatabase(): Promise<ScratchDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("the PostgreSQL contract suites need TEST_DATABASE_URL=postgresql://…");
  database ??= scratchDatabase(url, "salon_test", inject("postgresTemplate"));
  return database;
}

export const postgresStore: StoreFactory = async () => {
  const { url: fileUrl } = await thisFilesDatabase();
  await emptied(fileUrl);
  const clients = [postgresClient(fileUrl, { poolSize: 4 })];
  return {
    stores: createPrismaStores(clients[0]!, postgresqlDialect),
    installations: new PrismaInstallationStore(clients[0]!),
    async another() {
      const other = postgresClient(fileUrl, { poolSize: 4 });
      clients.push(other);
      return createPrismaStores(other, postgresqlDialect);
    },
    async cleanup() {
      await Promise.all(clients.map((client) => client.$disconnect()));
    },
  };
};
