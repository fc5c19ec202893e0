/**
 * Opens Salon's database, SQLite or PostgreSQL by its URL: applies pending migrations and returns a Prisma client with
 * the SQL dialect the store speaks to it. SQLite (here): creates the folder of the file, and runs over the
 * better-sqlite3 driver adapter. PostgreSQL: see `postgres.ts`.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { IsolationLevel, SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import type { Dialect } from "./dialects/dialect.js";
import { sqliteDialect } from "./dialects/sqlite.js";
import { PrismaClient } from "./generated/client.js";
import { applyMigrations, migrationNames } from "./migrations.js";
import { openSqliteFile } from "./sqlite-driver.js";
import { reuseStatements } from "./sqlite-statements.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export interface Database {
  prisma: PrismaClient;
  /** What the store's raw SQL needs to know of the database behind `prisma`. */
  dialect: Dialect;
  /** Names of the migrations applied while opening. */
  applied: string[];
  close(): Promise<void>;
}

/** Whether a database URL names PostgreSQL (`postgresql://` or `postgres://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** `file:./data/salon.db` → `./data/salon.db`; `file:/abs/salon.db` → `/abs/salon.db`. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.replace(/^file:/, "");
}

/** Migrations recorded as finished (and not rolled back) in Prisma's own table; none when it does not exist yet. */
export function appliedMigrations(raw: BetterSqlite3.Database): Set<string> {
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

/** Resolves on the next turn of the event loop, once the I/O that was ready has been read. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A connection as Salon uses it: it prepares each statement once (sqlite-statements.ts), it tells Prisma SQLite's
 * real parameter limit, and its transactions take turns of
 * the event loop. The adapter runs one transaction at a time, and SQLite's calls are synchronous: transactions queued
 * together were handed from one to the next as promise continuations, so 500 `/imagine` reaching their insert together
 * ran 500 transactions back to back in one turn of the loop (3.9 s in a test here; stalls of 1.8 s in the ack
 * benchmark), no acknowledgement or heartbeat sent meanwhile. Now each transaction begins on a turn of its own, once
 * the one before it has ended: none is open while the loop reads the network between them.
 */
function salonConnection(connection: SqlDriverAdapter): SqlDriverAdapter {
  // The adapter's better-sqlite3 handle (its `client`; test/store/sqlite-statements.test.ts fails if that changes).
  reuseStatements((connection as unknown as { client: BetterSqlite3.Database }).client);
  const info = connection.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  const start = connection.startTransaction.bind(connection);
  let previousEnded: Promise<void> = Promise.resolve();
  const startTransaction = async (isolationLevel?: IsolationLevel): Promise<Transaction> => {
    const after = previousEnded;
    let ended!: () => void;
    previousEnded = new Promise<void>((resolve) => (ended = resolve));
    await after;
    await nextTurn();
    let transaction: Transaction;
    try {
      transaction = await start(isolationLevel);
    } catch (error) {
      ended();
      throw error;
    }
    const commit = transaction.commit.bind(transaction);
    const rollback = transaction.rollback.bind(transaction);
    return Object.assign(transaction, { commit: () => commit().finally(ended), rollback: () => rollback().finally(ended) });
  };
  return Object.assign(connection, { getConnectionInfo: () => ({ ...info, maxBindValues: SQLITE_MAX_BIND_VALUES }), startTransaction });
}

/**
 * The driver adapter every client of the file uses: better-sqlite3 with a busy timeout (a second process waits for the
 * lock instead of failing), its connections as {@link salonConnection} makes them.
 */
function sqliteAdapter(file: string): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaBetterSqlite3({ url: file, timeout: 5000 });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => salonConnection(await factory.connect()),
    connectToShadowDb: async () => salonConnection(await factory.connectToShadowDb()),
  };
}

/**
 * How long a transaction may wait for the ones before it (one runs at a time, each on a turn of its own): a burst of
 * 500 `/imagine` queues 500 inserts, the last some seconds behind the first; past this the request fails cleanly.
 * Prisma's default, 2 s, failed half of such a burst ("Unable to start a transaction in the given time", P2028) once
 * the loop turned between transactions and its timer could fire.
 */
const TRANSACTION_MAX_WAIT_MS = 30_000;

/** A Prisma client of the (migrated) file, as Salon uses it. */
export function salonClient(file: string): PrismaClient {
  return new PrismaClient({ adapter: sqliteAdapter(file), transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS } });
}

export interface OpenOptions {
  /** PostgreSQL: the most connections open at once (`DATABASE_POOL_SIZE`). */
  poolSize?: number;
}

/** Opens `file:…` as SQLite and `postgresql://…` (or `postgres://…`) as PostgreSQL; refuses anything else. */
export async function openDatabase(databaseUrl: string, options: OpenOptions = {}): Promise<Database> {
  if (isPostgresUrl(databaseUrl)) {
    // Loaded only for PostgreSQL: the SQLite path never loads pg or the second client (and its query compiler).
    const { openPostgres } = await import("./postgres.js");
    return openPostgres(databaseUrl, options);
  }
  if (!databaseUrl.startsWith("file:")) {
    throw new Error("DATABASE_URL must be a SQLite file URL (file:./data/salon.db) or a PostgreSQL URL (postgresql://role:password@host:5432/database)");
  }
  return openSqlite(databaseUrl);
}

async function openSqlite(databaseUrl: string): Promise<Database> {
  const file = sqlitePath(databaseUrl);
  let pending = true;
  if (file !== ":memory:") {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    const raw = openSqliteFile(file, { timeout: 5000 });
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
  const applied = pending ? await applyMigrations(sqliteAdapter(file), MIGRATIONS_DIR) : [];
  const prisma = salonClient(file);
  return { prisma, dialect: sqliteDialect, applied, close: () => prisma.$disconnect() };
}
