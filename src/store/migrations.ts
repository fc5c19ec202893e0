/**
 * Applies the standard `prisma/migrations` folder (the same one `prisma migrate deploy` reads) through the
 * WebAssembly schema engine, so start-up never needs the network.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import { openSchemaEngine } from "./schema-engine.js";

/** The migration folders' names, oldest first. */
export async function migrationNames(migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** Reads a migrations folder into the shape the schema engine wants. */
export async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const names = await migrationNames(migrationsDir);
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: await readFile(path.join(migrationsDir, name, "migration.sql"), "utf8") },
      },
    })),
  );
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const lock = await readFile(lockPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: lock },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** Applies every pending migration and returns the names of those it applied. */
export async function applyMigrations(adapter: SqlMigrationAwareDriverAdapterFactory, migrationsDir: string): Promise<string[]> {
  // The engine keeps its connection (and SQLite's write lock) until the connection is disposed; freeing the engine
  // does not do it, so we hand it connections we can close ourselves.
  const opened: SqlDriverAdapter[] = [];
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    connect: async () => remember(await adapter.connect()),
    connectToShadowDb: async () => remember(await adapter.connectToShadowDb()),
  };
  function remember(connection: SqlDriverAdapter): SqlDriverAdapter {
    opened.push(connection);
    return connection;
  }
  // The engine wants a schema to know the connector; the migrations themselves carry the tables.
  const engine = await openSchemaEngine(tracked, [["schema.prisma", `datasource db {\n  provider = "${adapter.provider}"\n}\n`]]);
  try {
    const result = await engine.applyMigrations({
      migrationsList: await readMigrations(migrationsDir),
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.appliedMigrationNames;
  } finally {
    engine.free();
    await Promise.all(opened.map((connection) => connection.dispose()));
  }
}

/**
 * The migration SQL that would take the database behind `adapter` to `schema` (the text of `schemaFile`), or null when
 * the two already agree: what `npm run db:migration` writes, and what the tests hold to nothing.
 */
export async function diffToSchema(adapter: SqlMigrationAwareDriverAdapterFactory, schemaFile: string, schema: string): Promise<string | null> {
  const files = [{ path: schemaFile, content: schema }];
  const engine = await openSchemaEngine(adapter, [[schemaFile, schema]]);
  try {
    const result = await engine.diff({
      from: { tag: "schemaDatasource", files, configDir: path.dirname(schemaFile) },
      to: { tag: "schemaDatamodel", files },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? "";
    return sql.trim() === "" || sql.includes("This is an empty migration") ? null : sql;
  } finally {
    engine.free();
  }
}
