/**
 * Opens Salon on PostgreSQL (15 to 17): checks the server, applies `prisma/postgresql/migrations` offline through the
 * WebAssembly schema engine, and returns a Prisma client over `@prisma/adapter-pg` with PostgreSQL's dialect.
 */
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { Database } from "./database.js";
import { postgresqlDialect } from "./dialects/postgresql.js";
import type { PrismaClient } from "./generated/client.js";
import { PrismaClient as PostgresPrismaClient } from "./generated-postgresql/client.js";
import { applyMigrations, migrationNames } from "./migrations.js";

export const POSTGRESQL_MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/postgresql/migrations", import.meta.url));

/** The server versions Salon runs on: 15, 16 and 17 (`server_version_num` / 10000). */
export const SUPPORTED_MAJORS = [15, 16, 17] as const;

/** How long a statement waits for a row lock another transaction holds before it fails (as SQLite's busy timeout). */
const LOCK_TIMEOUT_MS = 5_000;
/** How long opening a connection may take: an unreachable host fails cleanly instead of hanging the request. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a transaction may wait for a connection of the pool (see `TRANSACTION_MAX_WAIT_MS` for SQLite). */
const TRANSACTION_MAX_WAIT_MS = 30_000;

export interface PostgresOptions {
  /** The most connections open at once (`DATABASE_POOL_SIZE`). */
  poolSize?: number;
}

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, "$1:***@");
}

/**
 * The pool's settings: every session in UTC (Prisma's DateTime columns are `timestamp(3)` without a time zone, and
 * raw SQL compares them with instants written in UTC) and with a lock timeout, so a row lock held too long fails the
 * request ("try again") rather than queueing it forever.
 */
export function poolConfig(url: string, options: PostgresOptions = {}): pg.PoolConfig {
  return {
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: "salon",
    options: `-c TimeZone=UTC -c lock_timeout=${LOCK_TIMEOUT_MS}`,
  };
}

/** The major version of a server's `server_version_num`, or an error naming the versions Salon runs on. */
export function supportedMajor(serverVersionNum: number, url: string): number {
  const major = Math.floor(serverVersionNum / 10_000);
  if (!(SUPPORTED_MAJORS as readonly number[]).includes(major)) {
    // PostgreSQL 18 has been reported to trap Prisma's WebAssembly schema engine; older ones are past their support.
    throw new Error(
      `PostgreSQL ${Number.isFinite(major) ? major : "of unknown version"} at ${redactedUrl(url)} is not supported: Salon runs on PostgreSQL ` +
        `${SUPPORTED_MAJORS.join(", ")} (Prisma's schema engine, which applies the migrations, does not support later ones yet).`,
    );
  }
  return major;
}

/** Refuses a server outside {@link SUPPORTED_MAJORS}, before anything is migrated. */
export async function checkServerVersion(config: pg.PoolConfig, url: string): Promise<number> {
  const client = new pg.Client(config);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Could not connect to PostgreSQL at ${redactedUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const result = await client.query<{ server_version_num: string }>("SHOW server_version_num");
    return supportedMajor(Number(result.rows[0]?.server_version_num), url);
  } finally {
    await client.end();
  }
}

/**
 * `"char"` (oid 18), the one-byte type of PostgreSQL's catalogs (`pg_class.relkind`, `pg_constraint.contype`, …), is
 * not a type `@prisma/adapter-pg` knows: a query returning it fails with "Unsupported column type". The schema engine's
 * catalog queries return such columns, so the migration connections' results report them as text (oid 25), which is
 * what their values (one-character strings) are.
 */
function charAsText(result: unknown): unknown {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as Array<{ fields?: Array<{ dataTypeID: number }> } | undefined>) {
    for (const field of r?.fields ?? []) if (field.dataTypeID === pg.types.builtins.CHAR) field.dataTypeID = pg.types.builtins.TEXT;
  }
  return result;
}

/** A pg client whose results report `"char"` columns as text (see {@link charAsText}). */
class CatalogClient extends pg.Client {}
{
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (CatalogClient.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (error: unknown, result: unknown) => (last as (e: unknown, r: unknown) => void)(error, error ? result : charAsText(result));
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    return result instanceof Promise ? result.then(charAsText) : result;
  };
}

/**
 * The adapter the schema engine migrates through: catalog results it can read (see {@link charAsText}), and scripts run
 * whole. The adapter's own `executeScript` splits a script at every `;`, which cuts a function body (the creator-totals
 * trigger's) apart; sent as one simple query instead, the script also runs as one implicit transaction.
 */
export function migrationAdapter(config: pg.PoolConfig): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaPg({ ...config, max: 2, Client: CatalogClient as unknown as pg.PoolConfig["Client"] });
  const wholeScripts = (connection: SqlDriverAdapter & { underlyingDriver(): pg.Pool }) =>
    Object.assign(connection, {
      executeScript: async (script: string) => {
        try {
          await connection.underlyingDriver().query(script);
        } catch (error) {
          // The adapter's own translation into a DriverAdapterError, as its executeScript would throw.
          (connection as unknown as { onError(error: unknown): never }).onError(error);
        }
      },
    });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wholeScripts(await factory.connect()),
    connectToShadowDb: async () => wholeScripts(await factory.connectToShadowDb()),
  };
}

/** Migrations recorded as finished (and not rolled back); none when Prisma's table does not exist yet. */
async function appliedMigrations(config: pg.PoolConfig): Promise<Set<string>> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    const table = await client.query<{ exists: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists");
    if (!table.rows[0]?.exists) return new Set();
    const rows = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    return new Set(rows.rows.map((r) => r.migration_name));
  } finally {
    await client.end();
  }
}

/** Applies the pending PostgreSQL migrations of `url`'s database; returns their names. */
export async function migratePostgres(url: string, options: PostgresOptions = {}): Promise<string[]> {
  const config = poolConfig(url, options);
  await checkServerVersion(config, url);
  const applied = await appliedMigrations(config);
  const pending = (await migrationNames(POSTGRESQL_MIGRATIONS_DIR)).some((name) => !applied.has(name));
  // The engine takes an advisory lock while it migrates, so processes starting together apply each migration once.
  return pending ? applyMigrations(migrationAdapter(config), POSTGRESQL_MIGRATIONS_DIR) : [];
}

/**
 * A Prisma client of the (migrated) database, as Salon uses it. The store is written against the SQLite client's type:
 * both clients are generated from one model definition (prisma/schema-for.mjs; a test holds their models equal), so
 * they have the same methods and results.
 */
export function postgresClient(url: string, options: PostgresOptions = {}): PrismaClient {
  const adapter = new PrismaPg(poolConfig(url, options));
  return new PostgresPrismaClient({ adapter, transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS } }) as unknown as PrismaClient;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const applied = await migratePostgres(url, options);
  const prisma = postgresClient(url, options);
  return { prisma, dialect: postgresqlDialect, applied, close: () => prisma.$disconnect() };
}
