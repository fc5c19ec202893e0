/** The {@link CommunityStore} over Prisma. */
import type { CommunityPatch, CommunityStore } from "../../core/store/communities.js";
import type { Community, CommunityRef, MemberDates } from "../../core/types.js";
import { Coalescer } from "../coalesce.js";
import type { Prisma, PrismaClient } from "../generated/client.js";
import { toCommunity } from "../mappers.js";
import { memberId } from "./members.js";
import { upsertRacing } from "./retry.js";

export class PrismaCommunityStore implements CommunityStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * On the reaction path, a burst of gateway events looks its community up once per batch instead of once per event
   * (see {@link Coalescer}).
   */
  private readonly communityLookups = new Coalescer<CommunityRef, Community | null>(async (refs) => {
    const rows = await Promise.all(
      [...new Set(refs.map((r) => r.platform))].map((platform) =>
        this.prisma.community.findMany({ where: { platform, externalId: { in: [...new Set(refs.filter((r) => r.platform === platform).map((r) => r.externalId))] } } }),
      ),
    );
    const byRef = new Map(rows.flat().map((row) => [`${row.platform}\u0000${row.externalId}`, row]));
    return refs.map((ref) => {
      const row = byRef.get(`${ref.platform}\u0000${ref.externalId}`);
      return row ? toCommunity(row) : null;
    });
  });

  async findCommunity(ref: CommunityRef): Promise<Community | null> {
    // Calls for one community while its lookup waits share it (one row per batch, not one per event).
    return this.communityLookups.call({ platform: ref.platform, externalId: ref.externalId }, `${ref.platform}\u0000${ref.externalId}`);
  }

  async ensureCommunity(ref: CommunityRef): Promise<Community> {
    const row = await upsertRacing(() => this.prisma.community.upsert({ where: { platform_externalId: ref }, create: ref, update: {} }));
    return toCommunity(row);
  }

  async getCommunity(id: number): Promise<Community | null> {
    const row = await this.prisma.community.findUnique({ where: { id } });
    return row && toCommunity(row);
  }

  async updateCommunity(id: number, patch: CommunityPatch): Promise<Community> {
    const { likeEmoji, ...rest } = patch;
    const data: Prisma.CommunityUpdateInput = { ...rest };
    if (likeEmoji !== undefined) data.likeEmoji = likeEmoji === null ? null : JSON.stringify(likeEmoji);
    return toCommunity(await this.prisma.community.update({ where: { id }, data }));
  }

  async listCommunities(): Promise<Community[]> {
    return (await this.prisma.community.findMany({ orderBy: { id: "asc" } })).map(toCommunity);
  }

  async isBlocked(communityId: number, userId: string): Promise<boolean> {
    const row = await this.prisma.member.findUnique({ where: { communityId_userId: { communityId, userId } } });
    return row?.blocked ?? false;
  }

  async setBlocked(communityId: number, userId: string, blocked: boolean): Promise<void> {
    await upsertRacing(() =>
      this.prisma.member.upsert({
        where: { communityId_userId: { communityId, userId } },
        create: { communityId, userId, blocked },
        update: { blocked },
      }),
    );
  }

  async remixesAllowed(communityId: number, userId: string): Promise<boolean> {
    const row = await this.prisma.member.findUnique({ where: { communityId_userId: { communityId, userId } }, select: { remixesAllowed: true } });
    return row?.remixesAllowed ?? true;
  }

  async setRemixesAllowed(communityId: number, userId: string, remixesAllowed: boolean): Promise<void> {
    await upsertRacing(() =>
      this.prisma.member.upsert({
        where: { communityId_userId: { communityId, userId } },
        create: { communityId, userId, remixesAllowed },
        update: { remixesAllowed },
      }),
    );
  }

  async membersWithoutJoinDate(communityId: number, userIds: string[]): Promise<string[]> {
    const known = await this.prisma.member.findMany({ where: { communityId, userId: { in: userIds }, joinedAt: { not: null } }, select: { userId: true } });
    const has = new Set(known.map((m) => m.userId));
    return [...new Set(userIds)].filter((id) => !has.has(id));
  }

  async setMemberDates(communityId: number, userId: string, dates: MemberDates): Promise<void> {
    await memberId(this.prisma, communityId, userId, dates);
  }
}
