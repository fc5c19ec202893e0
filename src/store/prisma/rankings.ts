/** The {@link RankingStore} over Prisma: reads only, from the like counts and the creator totals the database keeps. */
import type { RankingStore, WindowStats } from "../../core/store/rankings.js";
import type { Creation, RankedCreation, RankedCreator } from "../../core/types.js";
import type { Dialect } from "../dialects/dialect.js";
import { Prisma, type PrismaClient } from "../generated/client.js";
import { toCreation, withAuthor } from "../mappers.js";
import { oldEnough } from "./like-count.js";

function windowFilter(from: Date | null, to: Date | null): Prisma.DateTimeNullableFilter {
  return { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}), not: null };
}

export class PrismaRankingStore implements RankingStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly dialect: Dialect,
  ) {}

  async topCreations(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreation[]> {
    // Rank on ids alone first (the window index covers the ranking columns), then read just the winners' rows: sorting
    // whole rows made a busy week cost a table read per creation in it.
    const ranked = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", likeCount: { gt: 0 }, postedAt: windowFilter(from, to) },
      orderBy: [{ likeCount: "desc" }, { postedAt: "asc" }, { id: "asc" }],
      take: limit,
      select: { id: true },
    });
    const byId = new Map((await this.prisma.creation.findMany({ where: { id: { in: ranked.map((r) => r.id) } }, include: withAuthor })).map((row) => [row.id, row]));
    const rows = ranked.map((r) => byId.get(r.id)).filter((row) => row !== undefined);
    const originals = await originalCreators(this.prisma, rows);
    return rows.map((row, index) => ({
      rank: index + 1,
      creationId: row.id,
      prompt: row.prompt,
      authorUserId: row.member.userId,
      likeCount: row.likeCount,
      channelId: row.galleryChannelId ?? "",
      messageId: row.galleryMessageId ?? "",
      url: row.galleryUrl ?? "",
      imageHash: row.imageHash,
      postedAt: row.postedAt!,
      title: row.title,
      remixOf: row.rootId === null ? null : { authorUserId: originals.get(row.rootId) ?? null },
    }));
  }

  async topCreators(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreator[]> {
    if (from === null && to === null) return this.topCreatorsAllTime(communityId, limit);
    // One statement: the window's liked posts grouped by creator (read from the covering window index), then each
    // ranked creator's name and best post (first entry of the per-creator index).
    const window = (column: Prisma.Sql) => Prisma.sql`${from ? Prisma.sql`AND ${column} >= ${from}` : Prisma.empty} ${to ? Prisma.sql`AND ${column} < ${to}` : Prisma.empty}`;
    const rows = await this.prisma.$queryRaw<Array<{ userId: string; likes: number | bigint; posts: number | bigint; bestUrl: string | null }>>`
      SELECT m."userId", g."likes", g."posts",
        (SELECT b."galleryUrl" FROM "Creation" b
          WHERE b."communityId" = ${communityId} AND b."memberId" = g."memberId" AND b."status" = 'posted' AND b."likeCount" > 0
            AND b."postedAt" IS NOT NULL ${window(Prisma.sql`b."postedAt"`)}
          ORDER BY b."likeCount" DESC, b."postedAt" ASC LIMIT 1) AS "bestUrl"
      FROM (
        SELECT "memberId", SUM("likeCount") AS "likes", COUNT(*) AS "posts", MIN("postedAt") AS "first"
        FROM "Creation"
        WHERE "communityId" = ${communityId} AND "status" = 'posted' AND "likeCount" > 0 AND "postedAt" IS NOT NULL ${window(Prisma.sql`"postedAt"`)}
        GROUP BY "memberId"
        ORDER BY "likes" DESC, "first" ASC, "memberId" ASC
        LIMIT ${limit}
      ) g JOIN "Member" m ON m."id" = g."memberId"
      ORDER BY g."likes" DESC, g."first" ASC, g."memberId" ASC`;
    return rows.map((row, index) => ({
      rank: index + 1,
      userId: row.userId,
      likeCount: Number(row.likes),
      creations: Number(row.posts),
      bestUrl: row.bestUrl,
    }));
  }

  /**
   * The all-time ranking reads the totals the Creation triggers keep on Member (see schema.prisma): the same numbers
   * and order as grouping every liked post, without reading a million of them.
   */
  private async topCreatorsAllTime(communityId: number, limit: number): Promise<RankedCreator[]> {
    // One statement, each ranked creator's best post the first entry of the per-creator index: a query per creator
    // (ten round trips, each through the pool) made this the slowest `/top` on PostgreSQL.
    const rows = await this.prisma.$queryRaw<Array<{ userId: string; likesReceived: number; likedPosts: number; bestUrl: string | null }>>`
      SELECT m."userId", m."likesReceived", m."likedPosts",
        (SELECT b."galleryUrl" FROM "Creation" b
          WHERE b."communityId" = ${communityId} AND b."memberId" = m."id" AND b."status" = 'posted' AND b."likeCount" > 0 AND b."postedAt" IS NOT NULL
          ORDER BY b."likeCount" DESC, b."postedAt" ASC LIMIT 1) AS "bestUrl"
      FROM "Member" m
      WHERE m."communityId" = ${communityId} AND m."likesReceived" > 0
      ORDER BY m."likesReceived" DESC, m."firstLikedPostAt" ASC, m."id" ASC
      LIMIT ${limit}`;
    return rows.map((m, index) => ({
      rank: index + 1,
      userId: m.userId,
      likeCount: Number(m.likesReceived),
      creations: Number(m.likedPosts),
      bestUrl: m.bestUrl,
    }));
  }

  async windowStats(communityId: number, from: Date, to: Date): Promise<WindowStats> {
    const { dialect } = this;
    const community = await this.prisma.community.findUnique({ where: { id: communityId }, select: { likeEmoji: true, allowSelfLikes: true, minAccountAgeDays: true, minMemberAgeDays: true } });
    if (!community) return { creations: 0, likers: 0 };
    const allowed = community.likeEmoji === null ? null : (JSON.parse(community.likeEmoji) as string[]);
    // Counted in one statement: fetching every reaction of a busy day through the ORM took seconds.
    const emoji = allowed === null ? Prisma.empty : allowed.length === 0 ? Prisma.sql`AND ${dialect.never}` : Prisma.sql`AND r."emoji" IN (${Prisma.join(allowed)})`;
    const self = community.allowSelfLikes ? Prisma.empty : Prisma.sql`AND r."memberId" <> c."memberId"`;
    const age = community.minAccountAgeDays === 0 && community.minMemberAgeDays === 0
      ? Prisma.empty
      : Prisma.sql`AND ${oldEnough(dialect, Prisma.raw("r"), Prisma.raw("c"), community.minAccountAgeDays, community.minMemberAgeDays)}`;
    const posted = (alias: string) => Prisma.sql`${Prisma.raw(alias)}."communityId" = ${communityId} AND ${Prisma.raw(alias)}."status" = 'posted' AND ${Prisma.raw(alias)}."postedAt" >= ${from} AND ${Prisma.raw(alias)}."postedAt" < ${to}`;
    const likers = dialect.countDistinctIds(Prisma.raw('r."memberId"'));
    const [row] = await this.prisma.$queryRaw<Array<{ creations: bigint | number; likers: unknown }>>`
      SELECT
        (SELECT COUNT(*) FROM "Creation" c WHERE ${posted("c")}) AS "creations",
        (SELECT ${likers.select}
           FROM "Creation" c JOIN "Reaction" r ON r."creationId" = c."id"
          WHERE ${posted("c")} ${dialect.withinIdsOf(Prisma.raw('r."creationId"'), Prisma.raw('w."id"'), Prisma.sql`FROM "Creation" w WHERE ${posted("w")}`)}
            AND r."memberId" NOT IN (SELECT "id" FROM "Member" WHERE ${dialect.isTrue(Prisma.raw('"blocked"'))}) ${self} ${emoji} ${age}) AS "likers"`;
    return { creations: Number(row?.creations ?? 0), likers: likers.read(row?.likers) };
  }

  async remixesReceived(communityId: number, userId: string): Promise<number> {
    const [row] = await this.prisma.$queryRaw<Array<{ n: number | bigint }>>`
      SELECT COUNT(*) AS "n"
        FROM "Creation" r JOIN "Creation" p ON p."id" = r."parentId" JOIN "Member" m ON m."id" = p."memberId"
       WHERE r."communityId" = ${communityId} AND r."status" = 'posted' AND m."userId" = ${userId} AND r."memberId" <> p."memberId"`;
    return Number(row?.n ?? 0);
  }

  async memberCreations(communityId: number, userId: string): Promise<Creation[]> {
    const rows = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", member: { userId } },
      orderBy: { postedAt: "desc" },
      include: withAuthor,
    });
    return rows.map(toCreation);
  }
}

/**
 * The creators of the originals (chain roots) of `rows`' remixes, by the original's id: only an original still posted
 * is credited by name; one deleted or forgotten is left out (the caller says "a former member").
 */
export async function originalCreators(prisma: PrismaClient, rows: ReadonlyArray<{ rootId: number | null }>): Promise<Map<number, string>> {
  const ids = [...new Set(rows.map((row) => row.rootId).filter((id) => id !== null))];
  if (ids.length === 0) return new Map();
  const roots = await prisma.creation.findMany({ where: { id: { in: ids }, status: "posted" }, select: { id: true, ...withAuthor } });
  return new Map(roots.map((root) => [root.id, root.member.userId]));
}
