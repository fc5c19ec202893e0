/** The {@link DigestStore} over Prisma. The (community, day) unique key is the claim; writes never read first. */
import type { DigestCompletion, DigestStore, PostedDigestRef } from "../../core/store/digests.js";
import { dayTitle } from "../../core/time.js";
import type { DigestView } from "../../core/types.js";
import type { PrismaClient } from "../generated/client.js";
import { originalCreators } from "./rankings.js";
import { isUniqueViolation } from "./retry.js";

export class PrismaDigestStore implements DigestStore {
  constructor(private readonly prisma: PrismaClient) {}

  async claimDigest(communityId: number, day: string, owner: string, now: Date, leaseMs: number): Promise<boolean> {
    try {
      await this.prisma.digest.create({ data: { communityId, day, status: "claimed", claimedBy: owner, claimedAt: now } });
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    // A row exists: take it over only if its claim was abandoned (a crash) and its lease ran out.
    const takeover = await this.prisma.digest.updateMany({
      where: {
        communityId,
        day,
        OR: [{ status: "released" }, { status: "claimed", claimedAt: { lt: new Date(now.getTime() - leaseMs) } }],
      },
      data: { status: "claimed", claimedBy: owner, claimedAt: now },
    });
    return takeover.count === 1;
  }

  async completeDigest(communityId: number, day: string, result: DigestCompletion): Promise<void> {
    const listed = result.status === "posted" ? result.digest : undefined;
    await this.prisma.$transaction(async (tx) => {
      const row = await tx.digest.update({
        where: { communityId_day: { communityId, day } },
        data: {
          status: result.status,
          channelId: result.status === "posted" ? result.channelId : null,
          messageId: result.status === "posted" ? result.messageId : null,
          entries: listed?.entries.length ?? 0,
          postedAt: result.at,
          summary: listed ? JSON.stringify(listed.summary) : null,
        },
      });
      if (listed && listed.entries.length > 0) {
        await tx.digestEntry.createMany({ data: listed.entries.map((e) => ({ digestId: row.id, rank: e.rank, creationId: e.creationId, likeCount: e.likeCount })) });
      }
    });
  }

  async digestsNaming(communityId: number, userId: string): Promise<PostedDigestRef[]> {
    const rows = await this.prisma.digest.findMany({
      where: {
        communityId,
        status: "posted",
        channelId: { not: null },
        messageId: { not: null },
        OR: [{ listed: { some: { creation: { member: { userId } } } } }, { summary: { contains: JSON.stringify(userId) } }],
      },
      orderBy: { day: "asc" },
      select: { day: true, channelId: true, messageId: true, summary: true, listed: { select: { creation: { select: { member: { select: { userId: true } } } } } } },
    });
    // The summary match is a substring: keep only digests that list the member or name them as top creator.
    const names = (r: (typeof rows)[number]) =>
      r.listed.some((e) => e.creation.member.userId === userId) || (JSON.parse(r.summary ?? "null") as DigestView["summary"] | null)?.topCreator?.userId === userId;
    return rows.filter(names).map((r) => ({ day: r.day, channelId: r.channelId!, messageId: r.messageId! }));
  }

  async postedDigest(communityId: number, day: string): Promise<DigestView | null> {
    const row = await this.prisma.digest.findUnique({
      where: { communityId_day: { communityId, day } },
      include: { listed: { orderBy: { rank: "asc" }, include: { creation: { include: { member: true } } } } },
    });
    if (!row || row.status !== "posted") return null;
    // A member who asked to be forgotten since is "a former member": no id, no prompt (the store wiped it already).
    const former = (member: { forgottenAt: Date | null }, madeAt: Date) => member.forgottenAt !== null && madeAt <= member.forgottenAt;
    const summary = (JSON.parse(row.summary ?? "null") as DigestView["summary"] | null) ?? { creations: row.entries, likers: 0, topCreator: null };
    const topMember = summary.topCreator?.userId ? await this.prisma.member.findUnique({ where: { communityId_userId: { communityId, userId: summary.topCreator.userId } } }) : null;
    const digestAt = row.postedAt ?? new Date();
    const originals = await originalCreators(this.prisma, row.listed.map((e) => e.creation));
    return {
      day,
      title: dayTitle(day),
      entries: row.listed.map((e) => {
        const gone = former(e.creation.member, e.creation.createdAt);
        return {
          rank: e.rank,
          creationId: e.creationId,
          prompt: gone ? "" : e.creation.prompt,
          authorUserId: gone ? null : e.creation.member.userId,
          likeCount: e.likeCount,
          channelId: e.creation.galleryChannelId ?? "",
          messageId: e.creation.galleryMessageId ?? "",
          url: gone ? "" : (e.creation.galleryUrl ?? ""),
          imageHash: e.creation.imageHash,
          postedAt: e.creation.postedAt ?? digestAt,
          title: gone ? null : e.creation.title,
          remixOf: gone || e.creation.rootId === null ? null : { authorUserId: originals.get(e.creation.rootId) ?? null },
        };
      }),
      summary: {
        ...summary,
        topCreator: summary.topCreator && { likeCount: summary.topCreator.likeCount, userId: topMember && former(topMember, digestAt) ? null : summary.topCreator.userId },
      },
    };
  }

  async releaseDigest(communityId: number, day: string, owner: string): Promise<void> {
    await this.prisma.digest.updateMany({ where: { communityId, day, claimedBy: owner, status: "claimed" }, data: { status: "released" } });
  }

  async digestStatus(communityId: number, day: string): Promise<string | null> {
    const row = await this.prisma.digest.findUnique({ where: { communityId_day: { communityId, day } } });
    return row?.status ?? null;
  }

  async claimOwners(): Promise<string[]> {
    const rows = await this.prisma.digest.findMany({ where: { status: "claimed", claimedBy: { not: null } }, select: { claimedBy: true }, distinct: ["claimedBy"] });
    return rows.map((row) => row.claimedBy!);
  }

  async expireClaims(owners: string[]): Promise<number> {
    if (owners.length === 0) return 0;
    return (await this.prisma.digest.updateMany({ where: { status: "claimed", claimedBy: { in: owners } }, data: { claimedAt: new Date(0) } })).count;
  }
}
