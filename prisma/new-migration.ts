/**
 * Writes a new migration offline: applies the existing migrations to a scratch SQLite file, diffs that database
 * (schemaDatasource) against the edited schema (schemaDatamodel) with Prisma's WebAssembly schema engine, and saves the
 * SQL as `prisma/migrations/<timestamp>_<name>/migration.sql`, the layout `prisma migrate dev` writes.
 * Usage: npm run db:migration -- <name>
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { applyMigrations } from "../src/store/migrations.js";
import { openSchemaEngine } from "../src/store/schema-engine.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const migrationsDir = path.join(here, "migrations");
const schemaPath = path.join(here, "schema.prisma");

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("Usage: npm run db:migration -- <name>   (e.g. add_like_emoji)");
  process.exit(2);
}

const scratch = await mkdtemp(path.join(tmpdir(), "salon-migration-"));
try {
  const adapter = new PrismaBetterSqlite3({ url: path.join(scratch, "scratch.db") });
  await applyMigrations(adapter, migrationsDir);
  const schema = await readFile(schemaPath, "utf8");
  const files = [{ path: schemaPath, content: schema }];
  const engine = await openSchemaEngine(adapter, [[schemaPath, schema]]);
  const diff = await engine.diff({
    from: { tag: "schemaDatasource", files, configDir: here },
    to: { tag: "schemaDatamodel", files },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  engine.free();
  if (!diff.stdout || diff.stdout.trim() === "" || diff.stdout.includes("This is an empty migration")) {
    console.log("The schema matches the migrations: nothing to write.");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "migration.sql"), diff.stdout);
    console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
