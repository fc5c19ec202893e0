/**
 * Database failures that are not the request's fault (SQLite locked past the busy timeout, read-only, full, an I/O
 * error) become a {@link StoreUnavailableError}, which the adapters answer with a clean "try again". Every write is
 * one statement or one transaction, so a failed one leaves nothing half-written.
 */
import { StoreUnavailableError } from "../core/errors.js";
import type { Stores } from "../core/store/stores.js";
import { Prisma } from "./generated/client.js";

/** SQLite result codes of a database that can't take the request now; SQLITE_IOERR_* and the like by prefix. */
const UNAVAILABLE_SQLITE = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL", "SQLITE_NOMEM"];
/** Prisma's codes for a timed-out operation, a write conflict, an expired transaction and an unreachable database. */
const UNAVAILABLE_PRISMA = new Set(["P1001", "P1002", "P1008", "P2024", "P2028", "P2034"]);

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
