/**
 * One model definition, migrations per provider: each provider's migrations give exactly its schema (the schema
 * engine finds nothing to change), and PostgreSQL's schema is SQLite's with only the provider changed, so the two
 * cannot drift. The PostgreSQL half runs when TEST_DATABASE_URL names a server (README, "PostgreSQL tests").
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDatabase, type ScratchDatabase } from "../../prisma/postgres-scratch.js";
import { schemaFor } from "../../prisma/schema-for.mjs";
import { MIGRATIONS_DIR, openDatabase } from "../../src/store/database.js";
import * as sqliteClient from "../../src/store/generated/client.js";
import * as postgresClient from "../../src/store/generated-postgresql/client.js";
import { applyMigrations, diffToSchema } from "../../src/store/migrations.js";
import { migratePostgres, migrationAdapter, poolConfig, POSTGRESQL_MIGRATIONS_DIR, supportedMajor } from "../../src/store/postgres.js";

const prismaDir = fileURLToPath(new URL("../../prisma/", import.meta.url));
const sqliteSchemaFile = path.join(prismaDir, "schema.prisma");
const postgresSchemaFile = path.join(prismaDir, "postgresql", "schema.prisma");
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

describe("the providers' schemas", () => {
  it("derives PostgreSQL's schema from prisma/schema.prisma, changing only the provider and the client's folder", async () => {
    const source = await readFile(sqliteSchemaFile, "utf8");
    const derived = schemaFor(source, "postgresql");
    // The file `npm install` derived is current: a model edited since would be missing from PostgreSQL's client.
    expect(await readFile(postgresSchemaFile, "utf8"), "prisma/postgresql/schema.prisma is stale: run `npm install` (or node prisma/generate.mjs)").toBe(derived);
    const before = source.split("\n");
    const after = derived.split("\n").slice(1); // its first line says where it comes from
    expect(after).toHaveLength(before.length);
    const changed = before.map((line, i) => [line, after[i]]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      ['  output       = "../src/store/generated"', '  output       = "../../src/store/generated-postgresql"'],
      ['  provider = "sqlite"', '  provider = "postgresql"'],
    ]);
  });

  it("refuses to derive from a schema whose provider or client folder it cannot find", () => {
    expect(() => schemaFor('datasource db {\n  provider = "mysql"\n}\n', "postgresql")).toThrow(/provider = "sqlite"/);
  });

  it("generates two clients with the same models and the same fields", () => {
    const models = (client: typeof sqliteClient | typeof postgresClient) => {
      const { Prisma } = client as unknown as { Prisma: Record<string, unknown> & { ModelName: Record<string, string> } };
      return Object.fromEntries(Object.values(Prisma.ModelName).map((model) => [model, Object.values(Prisma[`${model}ScalarFieldEnum`] as Record<string, string>)]));
    };
    expect(Object.keys(models(sqliteClient))).toContain("Creation");
    expect(models(postgresClient)).toEqual(models(sqliteClient));
  });

  it("keeps each provider's migrations in Prisma's layout, with a lock file naming its provider", async () => {
    for (const [dir, provider] of [[MIGRATIONS_DIR, "sqlite"], [POSTGRESQL_MIGRATIONS_DIR, "postgresql"]] as const) {
      expect(await readFile(path.join(dir, "migration_lock.toml"), "utf8")).toMatch(new RegExp(`^provider = "${provider}"$`, "m"));
      const folders = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
      expect(folders.length).toBeGreaterThan(0);
      for (const folder of folders) {
        expect(folder.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
        expect((await readFile(path.join(dir, folder.name, "migration.sql"), "utf8")).length).toBeGreaterThan(0);
      }
    }
  });
});

describe("the PostgreSQL servers Salon migrates", () => {
  it("takes 15, 16 and 17, and refuses others by name, listing those it takes, without the password", () => {
    const url = "postgresql://salon:hunter2@db:5432/salon";
    expect([150004, 160000, 170006].map((v) => supportedMajor(v, url))).toEqual([15, 16, 17]);
    for (const version of [140011, 180000]) {
      expect(() => supportedMajor(version, url)).toThrow(new RegExp(`^PostgreSQL ${Math.floor(version / 10000)} at postgresql://salon:\\*\\*\\*@db:5432/salon is not supported: Salon runs on PostgreSQL 15, 16, 17`));
    }
  });
});

describe("SQLite's migrations", () => {
  it("give exactly prisma/schema.prisma: the schema engine finds nothing to change", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "salon-migrations-"));
    try {
      const adapter = new PrismaBetterSqlite3({ url: path.join(dir, "salon.db") });
      expect((await applyMigrations(adapter, MIGRATIONS_DIR)).length).toBeGreaterThan(0);
      expect(await diffToSchema(adapter, sqliteSchemaFile, await readFile(sqliteSchemaFile, "utf8"))).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(TEST_DATABASE_URL)("PostgreSQL's migrations", () => {
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await scratchDatabase(TEST_DATABASE_URL!, "salon_migrations_test");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("give exactly the derived schema, creator-totals trigger included, and a second start applies nothing", async () => {
    // Through openDatabase, as `npm start` opens it: the URL's scheme picks PostgreSQL.
    const opened = await openDatabase(database.url, { poolSize: 2 });
    const applied = opened.applied;
    expect(opened.dialect.provider).toBe("postgresql");
    await opened.close();
    expect(applied).toEqual((await readdir(POSTGRESQL_MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort());
    const schema = schemaFor(await readFile(sqliteSchemaFile, "utf8"), "postgresql");
    expect(await diffToSchema(migrationAdapter(poolConfig(database.url)), postgresSchemaFile, schema)).toBeNull();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const triggers = await client.query<{ tgname: string }>(`SELECT tgname FROM pg_trigger WHERE tgrelid = '"Creation"'::regclass AND NOT tgisinternal`);
      expect(triggers.rows.map((r) => r.tgname)).toEqual(["Creation_creatorTotals"]);
    } finally {
      await client.end();
    }
    expect(await migratePostgres(database.url)).toEqual([]);
  });

  it("finds a column the migrations lack: the empty diff is not vacuous", async () => {
    const schema = schemaFor(await readFile(sqliteSchemaFile, "utf8"), "postgresql").replace("model InboundEvent {\n", "model InboundEvent {\n  extra Int?\n");
    expect(await diffToSchema(migrationAdapter(poolConfig(database.url)), postgresSchemaFile, schema)).toMatch(/ALTER TABLE "InboundEvent" ADD COLUMN\s+"extra" INTEGER/);
  });
});
