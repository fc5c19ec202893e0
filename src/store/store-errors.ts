/**
 * Database failures that are not the request's fault (SQLite locked past the busy timeout, read-only, full, an I/O
 * error; PostgreSQL unreachable or lost, out of connections, a conflict left after its retries, a lock timeout,
 * read-only, a full disk) become a {@link StoreUnavailableError}, which the adapters answer with a clean "try again". Every write is
 * one statement or one transaction, so a failed one leaves nothing half-written.
 */
import { StoreUnavailableError } from "../core/errors.js";
import type { Stores } from "../core/store/stores.js";
import { Prisma } from "./generated/client.js";

/** SQLite result codes of a database that can't take the request now; SQLITE_IOERR_* and the like by prefix. */
const UNAVAILABLE_SQLITE = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL", "SQLITE_NOMEM"];
/** Prisma's codes for a timed-out operation, a write conflict, an expired transaction and an unreachable database. */
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P2024", "P2028", "P2034"]);

/**
 * PostgreSQL SQLSTATEs of a database that can't take the request now, whole classes by their two characters: 08
 * connection exception, 53 insufficient resources (disk full, out of memory, too many connections), 57P0x the server
 * shutting down or starting, 58 system errors; then read-only transaction, serialization failure and deadlock (once
 * the retries are spent), lock timeout and a cancelled statement.
 */
const UNAVAILABLE_POSTGRES_CLASSES = ["08", "53", "58", "57P"];
const UNAVAILABLE_POSTGRES = new Set(["25006", "40001", "40P01", "55P03", "57014"]);
/** The pg adapter's names for a server it cannot reach, lost, or that has no connection for Salon. */
const UNAVAILABLE_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TransactionWriteConflict", "TlsConnectionError"]);
/** What pg says, in errors that carry no code, when a connection ended under a query or none could be had in time. */
const LOST_CONNECTION = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

function postgresUnavailable(error: object): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } }).meta?.driverAdapterError?.cause;
  if (typeof cause?.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(cause.kind)) return true;
  const code = typeof cause?.originalCode === "string" ? cause.originalCode : (error as { code?: unknown }).code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && (UNAVAILABLE_POSTGRES.has(code) || UNAVAILABLE_POSTGRES_CLASSES.some((c) => code.startsWith(c)))) return true;
  return error instanceof Error && LOST_CONNECTION.test(error.message);
}

function sqliteCode(error: unknown): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta;
  const fromPrisma = meta?.driverAdapterError?.cause?.originalCode;
  if (typeof fromPrisma === "string") return fromPrisma;
  // better-sqlite3's own SqliteError, e.g. from a raw connection.
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

export function isStoreUnavailable(error: unknown): boolean {
  if (error === null || typeof error !== "object") return false;
  const code = sqliteCode(error);
  if (code && UNAVAILABLE_SQLITE.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) return true;
  if (postgresUnavailable(error)) return true;
  return error instanceof Prisma.PrismaClientKnownRequestError && UNAVAILABLE_PRISMA.has(error.code);
}

/** The same port, whose methods throw {@link StoreUnavailableError} instead of an unavailable database's error. */
export function withStoreErrors<Port extends object>(port: Port): Port {
  const translate = (error: unknown): never => {
    throw isStoreUnavailable(error) ? new StoreUnavailableError({ cause: error }) : error;
  };
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = value.apply(target, args);
          return result instanceof Promise ? result.catch(translate) : result;
        } catch (error) {
          return translate(error);
        }
      };
    },
  });
}

/** Every port of the store, each through {@link withStoreErrors}. */
export function storesWithErrors(stores: Stores): Stores {
  return Object.fromEntries(Object.entries(stores).map(([name, port]) => [name, withStoreErrors(port as object)])) as unknown as Stores;
}
