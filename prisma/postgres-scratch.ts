/**
 * Throwaway PostgreSQL databases beside the one a URL names, on the same server (for `npm run db:migration` and the
 * tests): `CREATE DATABASE`, optionally from a template, and a `drop()` that removes it again.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";

export interface ScratchDatabase {
  /** The URL of the new database (the given one, with its database name replaced). */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Runs one statement on the server's maintenance database (`postgres`), as the URL's role. */
export async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new database named `${prefix}_<random>`, copied from `template` when given (which nobody may be connected to). */
export async function scratchDatabase(url: string, prefix: string, template?: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  await onServer(url, `CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
  return {
    url: withDatabase(url, name),
    name,
    drop: () => onServer(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
