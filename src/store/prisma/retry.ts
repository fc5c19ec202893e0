/** Error shapes the implementations act on, and the retry of a write that met another connection's. */
import { Prisma } from "../generated/client.js";
import type { Dialect } from "../dialects/dialect.js";

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Runs an upsert again when it lost a race to insert the same key. Prisma runs an upsert as a read, then an insert or an
 * update, unless it can hand it to the database as one `ON CONFLICT` statement, which it does not for every shape (not
 * for an empty `update`): two upserts of one new key at once may both find nothing, and the second insert fails with
 * P2002. Run again, it finds the row and updates it.
 */
export async function upsertRacing<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return upsert();
  }
}

/** How long a write keeps retrying a conflict: past it the request fails cleanly and the member tries again. */
const RETRY_MS = 8_000;

/** Runs `work` again while it fails on a conflict the dialect says is transient (SQLite: SQLITE_BUSY), within bounds. */
export async function retrying<T>(dialect: Dialect, work: () => Promise<T>, attempts = 20): Promise<T> {
  // A lock held past the busy timeout also ends in SQLITE_BUSY, after waiting that timeout: bound the total too.
  const until = Date.now() + RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || Date.now() >= until || !dialect.isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
