/** The {@link Dialect} of SQLite, as Salon's statements have always been written for it. */
import { Prisma } from "../generated/client.js";
import type { Dialect, JsonField, JsonRows } from "./dialect.js";

/**
 * SQLite answers SQLITE_BUSY at once, without waiting out the busy timeout, when a transaction that has read must
 * write while another connection (a second process) holds the write lock. Retrying the whole transaction is the fix.
 */
function isSqliteBusy(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  const meta = error.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined;
  return meta?.driverAdapterError?.cause?.originalCode === "SQLITE_BUSY";
}

/** How many different ids (row ids: small non-negative integers) a list holds; a bitmap is cheaper than a Set. */
function countDistinct(ids: number[]): number {
  let top = 0;
  for (const id of ids) if (id > top) top = id;
  const seen = new Uint8Array(top + 1);
  let count = 0;
  for (const id of ids) {
    if (seen[id] === 0) {
      seen[id] = 1;
      count++;
    }
  }
  return count;
}

export const sqliteDialect: Dialect = {
  provider: "sqlite",
  isTrue: (column) => Prisma.sql`${column} = 1`,
  never: Prisma.raw("0"),
  jsonRows(json: string, _fields: readonly JsonField[], alias?: string): JsonRows {
    // `->>` gives SQL integers for JSON numbers and text for strings: the fields need no cast.
    const value = alias ? `${alias}.value` : "value";
    return { from: Prisma.sql`json_each(${json})${alias ? Prisma.raw(` ${alias}`) : Prisma.empty}`, field: (i) => Prisma.raw(`${value} ->> ${i}`) };
  },
  inIds: (column, ids) => Prisma.sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  jsonStrings: (column) => Prisma.sql`SELECT "value" FROM json_each(${column})`,
  lessThanDaysAfter: (at, since, days) => Prisma.sql`julianday(${at}) - julianday(${since}) < ${days}`,
  countDistinctIds: (expr) => ({ select: Prisma.sql`json_group_array(${expr})`, read: (value) => countDistinct(JSON.parse((value as string | null) ?? "[]") as number[]) }),
  // A probe of the key per outer row is cheaper here than the range (a day's likers: 5 ms against 9).
  withinIdsOf: () => Prisma.empty,
  // The better-sqlite3 adapter stores DateTime columns as ISO 8601 with `+00:00`, and compares them as text.
  jsonTime: (at) => at.toISOString().replace("Z", "+00:00"),
  skipLocked: () => Prisma.empty,
  lockCommunity: () => null,
  isRetryable: isSqliteBusy,
};
