/**
 * Writes a new migration offline: replays the migrations into a scratch in-memory database, diffs that against the
 * edited schema, and saves the SQL as `prisma/migrations/<timestamp>_<name>/migration.sql` — the layout
 * `prisma migrate dev` would write.   Usage: npm run db:migration -- <name>
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { readMigrations } from "../src/store/migrations.js";
import { openSchemaEngine } from "../src/store/schema-engine.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const migrationsDir = path.join(here, "migrations");
const schemaPath = path.join(here, "schema.prisma");

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("Usage: npm run db:migration -- <name>   (e.g. add_like_emoji)");
  process.exit(2);
}

const adapter = new PrismaBetterSqlite3({ url: ":memory:" });
const schema = await readFile(schemaPath, "utf8");
const engine = await openSchemaEngine(adapter, [[schemaPath, schema]]);
const migrations = await readMigrations(migrationsDir);
const diff = await engine.diff({
  from: { tag: "migrations", ...migrations },
  to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
engine.free();
if (!diff.stdout || diff.stdout.trim() === "" || diff.stdout.includes("This is an empty migration")) {
  console.log("The schema matches the migrations: nothing to write.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, "migration.sql"), diff.stdout);
console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
