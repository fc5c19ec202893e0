/**
 * Copies a SQLite database of Salon into an empty PostgreSQL one (`npm run db:copy`, prisma/db-copy.ts): applies the
 * PostgreSQL migrations, then, in one transaction, every table in dependency order, in batches, and the id sequences
 * set past the copied ids. A target that holds any row is refused before anything is written; a failure midway rolls
 * the whole copy back, so the target is left as empty as it was.
 *
 * Values are converted by the target column's type, as Prisma reads the SQLite file: a DateTime is ISO 8601 text
 * (what the better-sqlite3 adapter writes), SQLite's `CURRENT_TIMESTAMP` text (UTC), or epoch milliseconds (the
 * adapter's other format, and Prisma's before driver adapters); a Boolean is 0 or 1; integers are read exactly (as
 * BigInt) and must fit their column.
 */
import pg from "pg";
import type BetterSqlite3 from "better-sqlite3";
import { copyImageFiles, hasImagesFolder, type ImagesCopied } from "./copy-images.js";
import { appliedMigrations, isPostgresUrl, MIGRATIONS_DIR, sqlitePath } from "./database.js";
import { migrationNames } from "./migrations.js";
import { migratePostgres, poolConfig, redactedUrl } from "./postgres.js";
import { openSqliteFile } from "./sqlite-driver.js";

/** Rows per INSERT, at most (fewer when a table's columns would pass PostgreSQL's 65,535 parameters of a statement). */
const DEFAULT_BATCH_ROWS = 1000;
const MAX_PARAMETERS = 65_535;

/**
 * Columns a trigger of the target writes while rows of another table are copied: the creator totals of Member, which
 * `Creation_creatorTotals` adds every liked creation to as it is inserted. They are set back to the source's values
 * once every table is in (the source's triggers kept them; a test holds every row equal).
 */
const TRIGGER_WRITTEN: Record<string, { key: string; columns: string[] }> = {
  Member: { key: "id", columns: ["likesReceived", "likedPosts", "firstLikedPostAt"] },
};

/** A copy that cannot be made as asked (a target with data, a source that is not Salon's current schema): nothing written. */
export class CopyRefusedError extends Error {
  override name = "CopyRefusedError";
}

export interface CopyOptions {
  /** Rows per INSERT (default 1000). */
  batchRows?: number;
  /** Told each table as it is copied. */
  progress?: (table: string, rows: number) => void;
  /** The SQLite deployment's DATA_DIR: the image files of its creations are copied into the database's image store. */
  imagesDir?: string;
}

export interface CopyResult {
  /** The PostgreSQL migrations applied to the target first. */
  migrated: string[];
  /** Rows copied per table, in the order they were copied. */
  tables: Array<{ table: string; rows: number }>;
  /** With `imagesDir`: the images copied, and those the folder did not hold. */
  images?: ImagesCopied;
}

interface Column {
  name: string;
  /** `format_type` of the column: `integer`, `timestamp(3) without time zone`, `boolean`, `text`, … */
  type: string;
  serial: boolean;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Salon's tables in the target's current schema (Prisma's own migration table aside). */
async function targetTables(client: pg.ClientBase): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations' ORDER BY tablename",
  );
  return result.rows.map((r) => r.name);
}

/** The tables that hold at least one row. */
async function tablesWithRows(client: pg.ClientBase, tables: string[]): Promise<string[]> {
  const full: string[] = [];
  for (const table of tables) {
    const result = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quote(table)}) AS any`);
    if (result.rows[0]?.any) full.push(table);
  }
  return full;
}

function refuseNonEmpty(full: string[], to: string): void {
  if (full.length === 0) return;
  throw new CopyRefusedError(
    `The target database ${redactedUrl(to)} is not empty (rows in ${full.join(", ")}): db:copy only copies into an empty database, ` +
      "so that nothing there is overwritten or mixed with the copy. Nothing was changed. Give it a new database (CREATE DATABASE …).",
  );
}

async function columnsOf(client: pg.ClientBase, table: string): Promise<Column[]> {
  const result = await client.query<Column>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, pg_get_serial_sequence($1, a.attname) IS NOT NULL AS serial
       FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [quote(table)],
  );
  return result.rows;
}

/** The tables, each after every table its foreign keys reference. */
async function dependencyOrder(client: pg.ClientBase, tables: string[]): Promise<string[]> {
  const edges = await client.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
       WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
  );
  const unquote = (name: string) => name.replace(/^"(.*)"$/, "$1").replace(/""/g, '"');
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges.rows) if (unquote(e.child) !== unquote(e.parent)) parents.get(unquote(e.child))?.add(unquote(e.parent));
  const ordered: string[] = [];
  const visit = (table: string, path: string[]) => {
    if (ordered.includes(table)) return;
    if (path.includes(table)) throw new Error(`the foreign keys of ${[...path, table].join(" → ")} form a cycle: no order to copy them in`);
    for (const parent of parents.get(table) ?? []) visit(parent, [...path, table]);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

const NAIVE_TIME = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)$/;

/** A DateTime as the source stores it → UTC text for a `timestamp(3)` column (sessions run in UTC). */
function toTimestamp(value: unknown): string {
  let date: Date;
  if (typeof value === "bigint" || typeof value === "number") date = new Date(Number(value));
  else if (typeof value === "string") {
    const naive = NAIVE_TIME.exec(value);
    date = new Date(naive ? `${naive[1]}T${naive[2]}Z` : value);
  } else date = new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new Error(`${String(value)} is not a date`);
  return date.toISOString().slice(0, 23);
}

/** One source value → what pg binds for a column of `type`. */
export function convertValue(value: unknown, type: string): unknown {
  if (value === null) return null;
  if (type.startsWith("timestamp")) return toTimestamp(value);
  if (type === "boolean") {
    if (value === 0n || value === 1n) return value === 1n;
    throw new Error(`${String(value)} is not a boolean (0 or 1)`);
  }
  if (type === "integer" || type === "smallint") {
    const limit = type === "integer" ? 2 ** 31 : 2 ** 15;
    if (typeof value !== "bigint" || value < -limit || value >= limit) throw new Error(`${String(value)} is not a ${type}`);
    return Number(value);
  }
  if (type === "bigint") {
    if (typeof value !== "bigint") throw new Error(`${String(value)} is not an integer`);
    return value.toString();
  }
  if (type === "double precision" || type === "real" || type.startsWith("numeric")) {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") return value;
    throw new Error(`${String(value)} is not a number`);
  }
  if (type === "bytea") {
    if (Buffer.isBuffer(value)) return value;
    throw new Error("the value is not a blob");
  }
  if (typeof value === "string") return value;
  throw new Error(`a ${typeof value} where ${type} was expected`);
}

/** Opens the source read-only and refuses one that is not at Salon's current SQLite migrations. */
async function openSource(from: string): Promise<BetterSqlite3.Database> {
  const file = sqlitePath(from);
  let raw: BetterSqlite3.Database;
  try {
    raw = openSqliteFile(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  } catch (error) {
    throw new CopyRefusedError(`Could not open the SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
  const applied = appliedMigrations(raw);
  const known = await migrationNames(MIGRATIONS_DIR);
  const pending = known.filter((name) => !applied.has(name));
  const unknown = [...applied].filter((name) => !known.includes(name));
  if (pending.length > 0 || unknown.length > 0) {
    raw.close();
    throw new CopyRefusedError(
      `The SQLite database ${file} is not at this Salon's schema (${pending.length ? `pending: ${pending.join(", ")}` : `migrations this version does not have: ${unknown.join(", ")}`}). ` +
        "Start this version of Salon on it once (it migrates at start), stop it, then copy. Nothing was changed.",
    );
  }
  return raw;
}

/** Copies one table: reads it in batches and inserts each batch with one statement; returns its row count. */
async function copyTable(source: BetterSqlite3.Database, target: pg.ClientBase, table: string, columns: Column[], batchRows: number): Promise<number> {
  const names = columns.map((c) => quote(c.name)).join(", ");
  const rowsPerInsert = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMETERS / columns.length)));
  const read = source.prepare(`SELECT ${names} FROM ${quote(table)} ORDER BY rowid`).raw(true).safeIntegers(true);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`).join(", ");
    await target.query(`INSERT INTO ${quote(table)} (${names}) VALUES ${values}`, batch.flat());
    copied += batch.length;
    batch = [];
  };
  for (const row of read.iterate() as Iterable<unknown[]>) {
    batch.push(
      row.map((value, i) => {
        const column = columns[i]!;
        try {
          return convertValue(value, column.type);
        } catch (error) {
          throw new Error(`${table}.${column.name} of row ${copied + batch.length + 1}: ${(error as Error).message}`, { cause: error });
        }
      }),
    );
    if (batch.length >= rowsPerInsert) await flush();
  }
  await flush();
  return copied;
}

/** Sets the trigger-written columns of `table` back to the source's values (see {@link TRIGGER_WRITTEN}). */
async function restoreTriggerWritten(source: BetterSqlite3.Database, target: pg.ClientBase, table: string, columns: Column[], batchRows: number): Promise<void> {
  const spec = TRIGGER_WRITTEN[table];
  if (!spec) return;
  const typed = [spec.key, ...spec.columns].map((name) => {
    const column = columns.find((c) => c.name === name);
    if (!column) throw new Error(`${table} has no column ${name}`);
    return column;
  });
  const read = source.prepare(`SELECT ${typed.map((c) => quote(c.name)).join(", ")} FROM ${quote(table)} ORDER BY rowid`).raw(true).safeIntegers(true);
  const rows = (read.all() as unknown[][]).map((row) => row.map((value, i) => convertValue(value, typed[i]!.type)));
  const set = spec.columns.map((name, i) => `${quote(name)} = v.c${i + 1}::${typed[i + 1]!.type}`).join(", ");
  for (let start = 0; start < rows.length; start += batchRows) {
    const batch = rows.slice(start, start + batchRows);
    const values = batch.map((_, r) => `(${typed.map((_, c) => `$${r * typed.length + c + 1}`).join(", ")})`).join(", ");
    const aliases = typed.map((_, i) => (i === 0 ? "k" : `c${i}`)).join(", ");
    await target.query(
      `UPDATE ${quote(table)} AS t SET ${set} FROM (VALUES ${values}) AS v(${aliases}) WHERE t.${quote(spec.key)} = v.k::${typed[0]!.type}`,
      batch.flat(),
    );
  }
}

/** Copies the SQLite database `from` (`file:…`) into the empty PostgreSQL database `to`. */
export async function copyDatabase(from: string, to: string, options: CopyOptions = {}): Promise<CopyResult> {
  if (!from.startsWith("file:") || sqlitePath(from) === ":memory:") throw new CopyRefusedError(`--from must be a SQLite file URL (file:./data/salon.db), not ${from}`);
  if (!isPostgresUrl(to)) throw new CopyRefusedError(`--to must be a PostgreSQL URL (postgresql://role:password@host:5432/database), not ${redactedUrl(to)}`);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (options.imagesDir !== undefined && !(await hasImagesFolder(options.imagesDir))) {
    throw new CopyRefusedError(`${options.imagesDir} has no images folder: --images takes the SQLite deployment's DATA_DIR (the folder that holds images/). Nothing was changed.`);
  }
  const source = await openSource(from);
  try {
    const config = poolConfig(to);
    // Refused before migrating, so that a database with data is not even migrated.
    const probe = new pg.Client(config);
    try {
      await probe.connect();
      refuseNonEmpty(await tablesWithRows(probe, await targetTables(probe)), to);
    } finally {
      await probe.end();
    }
    const migrated = await migratePostgres(to);
    const target = new pg.Client(config);
    await target.connect();
    try {
      await target.query("BEGIN");
      const tables = await targetTables(target);
      // Nobody writes to the target while it is filled (reads may go on); checked again under the lock.
      await target.query(`LOCK TABLE ${tables.map(quote).join(", ")} IN EXCLUSIVE MODE`);
      refuseNonEmpty(await tablesWithRows(target, tables), to);
      const sourceTables = (source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as Array<{ name: string }>).map((r) => r.name);
      const extra = sourceTables.filter((t) => !tables.includes(t));
      const missing = tables.filter((t) => !sourceTables.includes(t));
      if (extra.length || missing.length) throw new CopyRefusedError(`The two schemas differ (only in the source: ${extra.join(", ") || "none"}; only in the target: ${missing.join(", ") || "none"}). Nothing was changed.`);
      // One read transaction: every table from the same snapshot of the source.
      source.exec("BEGIN");
      const copied: CopyResult["tables"] = [];
      const columns = new Map<string, Column[]>();
      for (const table of await dependencyOrder(target, tables)) {
        const cols = await columnsOf(target, table);
        columns.set(table, cols);
        const rows = await copyTable(source, target, table, cols, batchRows);
        copied.push({ table, rows });
        options.progress?.(table, rows);
      }
      for (const [table, cols] of columns) {
        await restoreTriggerWritten(source, target, table, cols, batchRows);
        // New rows get ids after the copied ones (is_called false on an empty table: the next id is 1).
        for (const c of cols.filter((col) => col.serial)) {
          await target.query(
            `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${quote(c.name)}), 1), MAX(${quote(c.name)}) IS NOT NULL) FROM ${quote(table)}`,
            [quote(table), c.name],
          );
        }
      }
      const images = options.imagesDir === undefined ? undefined : await copyImageFiles(source, target, options.imagesDir);
      source.exec("COMMIT");
      await target.query("COMMIT");
      return { migrated, tables: copied, ...(images ? { images } : {}) };
    } catch (error) {
      if (source.inTransaction) source.exec("ROLLBACK");
      // A rollback that fails has lost its connection, which ends the transaction on the server just the same: the
      // error worth reporting is the first one.
      await target.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      await target.end();
    }
  } finally {
    source.close();
  }
}
