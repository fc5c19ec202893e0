/**
 * Writes a new migration for every provider, offline: for each, applies its existing migrations to a scratch database,
 * diffs that database (schemaDatasource) against the provider's schema (schemaDatamodel) with Prisma's WebAssembly
 * schema engine, and saves the SQL as `<migrations>/<timestamp>_<name>/migration.sql`, the layout `prisma migrate dev`
 * writes: `prisma/migrations` for SQLite (from prisma/schema.prisma), `prisma/postgresql/migrations` for PostgreSQL
 * (from the schema derived from it, prisma/schema-for.mjs). PostgreSQL's scratch database is created on the server of
 * TEST_DATABASE_URL (a role that may CREATE DATABASE), and dropped after.
 * Usage: TEST_DATABASE_URL=postgresql://… npm run db:migration -- <name>
 */
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { isPostgresUrl } from "../src/store/database.js";
import { applyMigrations, diffToSchema } from "../src/store/migrations.js";
import { checkServerVersion, migrationAdapter, poolConfig, POSTGRESQL_MIGRATIONS_DIR } from "../src/store/postgres.js";
import { scratchDatabase } from "./postgres-scratch.js";
import { schemaFor } from "./schema-for.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.join(here, "schema.prisma");

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("Usage: TEST_DATABASE_URL=postgresql://… npm run db:migration -- <name>   (e.g. add_like_emoji)");
  process.exit(2);
}
const postgresUrl = process.env.TEST_DATABASE_URL?.trim();
if (!postgresUrl || !isPostgresUrl(postgresUrl)) {
  console.error(
    "The PostgreSQL migration needs a PostgreSQL server to diff against: set TEST_DATABASE_URL=postgresql://role:password@host:port/db " +
      "(a role that may CREATE DATABASE; a throwaway one: `.ci/pg-cluster.sh start /tmp/salon-pg`, see README). Nothing was written.",
  );
  process.exit(2);
}

/** Applies the provider's migrations to its scratch database, then diffs it against the provider's schema. */
async function diff(adapter: SqlMigrationAwareDriverAdapterFactory, migrationsDir: string, schemaFile: string, schema: string): Promise<string | null> {
  await applyMigrations(adapter, migrationsDir);
  return diffToSchema(adapter, schemaFile, schema);
}

const sqliteSchema = readFileSync(schemaPath, "utf8");
const scratch = await mkdtemp(path.join(tmpdir(), "salon-migration-"));
const pgScratch = await scratchDatabase(postgresUrl, "salon_migration");
const written: string[] = [];
try {
  const sqlite = await diff(new PrismaBetterSqlite3({ url: path.join(scratch, "scratch.db") }), path.join(here, "migrations"), schemaPath, sqliteSchema);
  const config = poolConfig(pgScratch.url);
  await checkServerVersion(config, pgScratch.url);
  const postgresSchemaPath = path.join(here, "postgresql", "schema.prisma");
  const postgres = await diff(migrationAdapter(config), POSTGRESQL_MIGRATIONS_DIR, postgresSchemaPath, schemaFor(sqliteSchema, "postgresql"));
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const [sql, dir] of [[sqlite, path.join(here, "migrations")], [postgres, POSTGRESQL_MIGRATIONS_DIR]] as const) {
    if (sql === null) continue;
    const folder = path.join(dir, `${stamp}_${name}`);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, "migration.sql"), sql);
    written.push(`${path.relative(process.cwd(), folder)}/migration.sql`);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
  await pgScratch.drop();
}
if (written.length === 0) console.log("The schema matches the migrations of both providers: nothing to write.");
else {
  for (const file of written) console.log(`Wrote ${file}`);
  // A trigger, a function or a backfill is not in the schema: write it into both by hand.
  console.log("Check both: SQL Prisma does not model (triggers, backfills) is for you to add to each.");
}
