/**
 * The {@link Dialect} of PostgreSQL. Concurrency is handled with row locks, on purpose: the checks of one community's
 * limits run under a lock on its Community row (`lockCommunity`), so two requests racing for its last quota or budget
 * slot, or through the cooldown, take turns and the second sees the first's creation; job claims skip the rows
 * another transaction is taking (`skipLocked`). Read committed stays the isolation level: serializable transactions
 * would fail and retry every such race instead of queueing it, and would make every reaction write a possible retry.
 */
import { Prisma } from "../generated/client.js";
import type { Dialect, JsonField, JsonRows } from "./dialect.js";

/** SQLSTATEs of a transaction that lost to another and may simply run again: serialization failure, deadlock. */
const RETRYABLE = new Set(["40001", "40P01"]);

function isRetryableConflict(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  // P2034: "Transaction failed due to a write conflict or a deadlock", Prisma's name for both.
  if (error.code === "P2034") return true;
  const meta = error.meta as { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } | undefined;
  const cause = meta?.driverAdapterError?.cause;
  return cause?.kind === "TransactionWriteConflict" || (cause?.originalCode !== undefined && RETRYABLE.has(cause.originalCode));
}

/** The column type each JSON field is cast to: `->>` always gives text. */
const CASTS: Record<JsonField, string> = { int: "::integer", text: "", time: "::timestamp(3)" };

export const postgresqlDialect: Dialect = {
  provider: "postgresql",
  isTrue: (column) => column,
  never: Prisma.raw("false"),
  jsonRows(json: string, fields: readonly JsonField[], alias?: string): JsonRows {
    // A function returning a scalar names its one column after the table alias: `json_rows(value)` says it outright.
    const name = alias ?? "json_rows";
    const value = alias ? `${alias}.value` : "value";
    return {
      from: Prisma.sql`jsonb_array_elements(${json}::jsonb) AS ${Prisma.raw(`${name}(value)`)}`,
      field: (i) => Prisma.raw(`(${value} ->> ${i})${CASTS[fields[i] ?? "text"]}`),
    };
  },
  // One array parameter however many ids: `{1,2,3}` cast to integer[].
  inIds: (column, ids) => Prisma.sql`${column} = ANY(${`{${ids.join(",")}}`}::integer[])`,
  jsonStrings: (column) => Prisma.sql`SELECT jsonb_array_elements_text(${column}::jsonb)`,
  lessThanDaysAfter: (at, since, days) => Prisma.sql`${at} - ${since} < (${days})::float8 * interval '1 day'`,
  countDistinctIds: (expr) => ({ select: Prisma.sql`COUNT(DISTINCT ${expr})`, read: (value) => Number(value ?? 0) }),
  // One range of the key's index and a hash join, instead of a probe per outer row, which PostgreSQL ran in parallel
  // workers that cost more than they saved on two cores (a day's likers: 20–30 ms before, 9–12 after). `+ 0` keeps
  // the planner from answering MIN/MAX by walking the primary key from its end, filtering every row on the way.
  withinIdsOf: (key, ids, from) => Prisma.sql`AND ${key} >= (SELECT MIN(${ids} + 0) ${from}) AND ${key} <= (SELECT MAX(${ids} + 0) ${from})`,
  // A DateTime column is timestamp(3) without a time zone, holding UTC (sessions run in UTC): the instant as UTC text.
  jsonTime: (at) => at.toISOString().slice(0, 23),
  skipLocked: (alias) => Prisma.raw(`FOR UPDATE${alias ? ` OF ${alias}` : ""} SKIP LOCKED`),
  lockCommunity: (communityId) => Prisma.sql`SELECT "id" FROM "Community" WHERE "id" = ${communityId} FOR UPDATE`,
  isRetryable: isRetryableConflict,
};
