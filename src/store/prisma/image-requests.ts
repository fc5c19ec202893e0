/**
 * `IMAGE_RATE_PER_MINUTE`'s count: the image requests of the last window, by every process, in `ImageRequest` (a
 * sliding window; rows older than it are deleted as requests come).
 */
import type { Dialect } from "../dialects/dialect.js";
import type { PrismaClient } from "../generated/client.js";
import { retrying } from "./retry.js";

/** Takes one of `limit` image requests per `windowMs` ending at `now`: 0 when taken, else the ms until one frees up. */
export function takeImageRequest(prisma: PrismaClient, dialect: Dialect, limit: number, windowMs: number, now: Date): Promise<number> {
  return retrying(dialect, () =>
    prisma.$transaction(async (tx) => {
      // One taker at a time across every process: PostgreSQL through an advisory lock held until commit; SQLite
      // through its write lock, which the DELETE takes first (even when it deletes nothing).
      if (dialect.provider === "postgresql") await tx.$queryRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('salon.image-requests'))) AS locked`;
      await tx.imageRequest.deleteMany({ where: { at: { lte: new Date(now.getTime() - windowMs) } } });
      const recent = await tx.imageRequest.findMany({ orderBy: { at: "asc" }, select: { at: true }, take: limit });
      if (recent.length < limit) {
        await tx.imageRequest.create({ data: { at: now } });
        return 0;
      }
      return Math.max(1, recent[0]!.at.getTime() + windowMs - now.getTime());
    }),
  );
}
