/**
 * What differs between databases in the store's raw SQL, one construct per member, so that the statements in
 * `src/store/prisma` are written once. SQL that runs the same on every provider (UPSERT's `ON CONFLICT`, `RETURNING`,
 * tuple `IN`, `CASE`, `EXISTS`, `||`) stays inline there; only what is provider-specific comes from here. Each
 * provider has one small module implementing it (`sqlite.ts`, `postgresql.ts`).
 */
import type { Prisma } from "../generated/client.js";

type Sql = Prisma.Sql;

/**
 * The type of one field of a JSON row parameter. SQLite's `->>` gives a JSON number as an integer and a string as
 * text; a provider whose `->>` always gives text casts each field to its column's type.
 */
export type JsonField = "int" | "text" | "time";

/** The rows of one JSON array-of-arrays parameter, as a table the statement selects from. */
export interface JsonRows {
  /** The FROM item (SQLite: `json_each(?)`). */
  readonly from: Sql;
  /** Field `i` of the current row, of the type its declaration gave (SQLite: `value ->> i`). */
  field(i: number): Sql;
}

export interface Dialect {
  readonly provider: "sqlite" | "postgresql";
  /** A boolean column is true (SQLite: `column = 1`, which its indexes serve). */
  isTrue(column: Sql): Sql;
  /** A condition that is never true (SQLite: `0`). */
  readonly never: Sql;
  /**
   * The rows of `json`, a JSON array of arrays whose fields have the types `fields`, bound as one parameter: one
   * statement for thousands of rows, and no per-row binding. `alias` names the rows when the statement needs to tell
   * them apart from a table's columns.
   */
  jsonRows(json: string, fields: readonly JsonField[], alias?: string): JsonRows;
  /** `column` is one of `ids`, bound as one parameter (SQLite: `column IN (SELECT value FROM json_each(?))`). */
  inIds(column: Sql, ids: readonly number[]): Sql;
  /** The strings of a JSON array held in a text column, as a one-column subquery for `IN (…)`. */
  jsonStrings(column: Sql): Sql;
  /**
   * Whether the instant `at` falls less than `days` days after `since` (fractional days; `days` a column or a number).
   * SQLite: `julianday(at) - julianday(since) < days`.
   */
  lessThanDaysAfter(at: Sql, since: Sql, days: Sql | number): Sql;
  /**
   * How many different ids (small non-negative integers) `expr` takes over the group: `select` goes into the
   * statement, `read` turns the value it gives into the count. SQLite: the ids as one JSON array, told apart in JS
   * (its COUNT(DISTINCT) over a busy day's reactions took twice as long); PostgreSQL: COUNT(DISTINCT) (shipping a
   * day's 27,000 ids through the driver and Prisma took longer than counting them on the server).
   */
  countDistinctIds(expr: Sql): { select: Sql; read(value: unknown): number };
  /**
   * `AND …` bounding `key` (a column holding ids, e.g. a reaction's creationId) to the range between the smallest and
   * largest `ids` of the rows `from` (a FROM clause) selects, where the database joins faster from one range of
   * `key`'s index than from one probe per row (PostgreSQL). Empty on SQLite, whose probes per row are cheaper.
   */
  withinIdsOf(key: Sql, ids: Sql, from: Sql): Sql;
  /** An instant as written into a JSON row for a DateTime column: the text the provider's columns compare with. */
  jsonTime(at: Date): string;
  /**
   * The locking clause of the subquery that picks the row a claim's UPDATE takes (the alias names the claimed table
   * when the subquery joins): where concurrent transactions could pick the same row, it makes each skip rows another is
   * taking (PostgreSQL: `FOR UPDATE OF alias SKIP LOCKED`). Empty on SQLite, where a statement runs under the write
   * lock.
   */
  skipLocked(alias?: string): Sql;
  /**
   * A statement run first in the transaction that checks a community's limits and inserts a creation, which makes
   * two such transactions of one community take turns (PostgreSQL: a row lock on the community), or null where the
   * database already serialises them (SQLite: one writer at a time, and `isRetryable` for the transaction that read
   * before another wrote).
   */
  lockCommunity(communityId: number): Sql | null;
  /** Whether a write failed on a transient conflict with another connection, so that running it again is the fix. */
  isRetryable(error: unknown): boolean;
}
