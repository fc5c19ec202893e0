/**
 * Database failures that are not the request's fault (SQLite locked past the busy timeout, read-only, full, an I/O
 * error; PostgreSQL unreachable or lost, out of connections, a conflict left after its retries, a lock timeout,
 * read-only, a full disk) become a {@link StoreUnavailableError}, which the adapters answer with a clean "try again". Every write is
 * one statement or one transaction, so a failed one leaves nothing half-written.
 */
import { isDriverAdapterError } from "@prisma/driver-adapter-utils";
import { StoreUnavailableError } from "../core/errors.js";
import type { Stores } from "../core/store/stores.js";
import { Prisma } from "./generated/client.js";

/** SQLite result codes of a database that can't take the request now; SQLITE_IOERR_* and the like by prefix. */
const UNAVAILABLE_SQLITE = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL", "SQLITE_NOMEM"];
/**
 * Prisma's codes for an unreachable database (P1001), a connection that timed out (P1002) or that the server closed
 * (P1017), a timed-out operation (P1008) or wait for a pooled connection (P2024), an expired transaction (P2028) and a
 * write conflict or deadlock once the retries are spent (P2034).
 */
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);

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
/**
 * Node's codes for a network that cannot reach the server or lost it. The pg adapter turns only ECONNREFUSED,
 * ECONNRESET, ETIMEDOUT and ENOTFOUND into its own kinds and rethrows the others as they are (EPIPE on a write to a
 * closed socket, EHOSTUNREACH, EAI_AGAIN while DNS fails), and so it does with the AggregateError Node's connect gives
 * when every address of a host failed (`localhost` as ::1 and 127.0.0.1), which has a code but no syscall.
 */
const UNAVAILABLE_NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "ENOTFOUND", "EAI_AGAIN"]);

function networkUnavailable(error: object): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNAVAILABLE_NETWORK.has(code)) return true;
  return error instanceof AggregateError && error.errors.some((e: unknown) => e !== null && typeof e === "object" && networkUnavailable(e));
}

type AdapterCause = { originalCode?: unknown; kind?: unknown };

/** What the pg adapter reported: inside Prisma's error (`meta.driverAdapterError`), or its own DriverAdapterError as it is. */
function adapterCause(error: object): AdapterCause | undefined {
  const wrapped = (error as { meta?: { driverAdapterError?: { cause?: AdapterCause } } }).meta?.driverAdapterError?.cause;
  return wrapped ?? (isDriverAdapterError(error as Error) ? (error as { cause: AdapterCause }).cause : undefined);
}

function postgresUnavailable(error: object): boolean {
  const cause = adapterCause(error);
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
  if (postgresUnavailable(error) || networkUnavailable(error)) return true;
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
