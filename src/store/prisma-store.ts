/** The {@link Store} port over Prisma. Idempotent writes lean on unique constraints, never on read-then-write. */
import type {
  CommunityPatch,
  CreationPatch,
  MemberExport,
  NewCreation,
  ReactionRow,
  Store,
  Usage,
  WindowStats,
} from "../core/store.js";
import type { Community, CommunityRef, Creation, CreationStatus, RankedCreation, RankedCreator } from "../core/types.js";
import { Prisma, type PrismaClient } from "./generated/client.js";
import { toCommunity, toCreation } from "./mappers.js";

const withAuthor = { member: { select: { userId: true } } } as const;
/** Statuses that used quota and budget: everything but refunded ones. */
const CHARGED: CreationStatus[] = ["queued", "generating", "posting", "posted", "deleted"];

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * SQLite answers SQLITE_BUSY at once, without waiting out the busy timeout, when a transaction that has read must
 * write while another connection (a second process) holds the write lock. Retrying the whole transaction is the fix.
 */
function isSqliteBusy(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  const meta = error.meta as { driverAdapterError?: { cause?: { originalCode?: string } } } | undefined;
  return meta?.driverAdapterError?.cause?.originalCode === "SQLITE_BUSY";
}

async function retryWhenBusy<T>(work: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isSqliteBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

function windowFilter(from: Date | null, to: Date | null): Prisma.DateTimeNullableFilter {
  return { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}), not: null };
}

export class PrismaStore implements Store {
  constructor(private readonly prisma: PrismaClient) {}

  async findCommunity(ref: CommunityRef): Promise<Community | null> {
    const row = await this.prisma.community.findUnique({ where: { platform_externalId: ref } });
    return row && toCommunity(row);
  }

  async ensureCommunity(ref: CommunityRef): Promise<Community> {
    const row = await this.prisma.community.upsert({ where: { platform_externalId: ref }, create: ref, update: {} });
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

  private async memberId(communityId: number, userId: string): Promise<number> {
    const row = await this.prisma.member.upsert({
      where: { communityId_userId: { communityId, userId } },
      create: { communityId, userId },
      update: {},
      select: { id: true },
    });
    return row.id;
  }

  async isBlocked(communityId: number, userId: string): Promise<boolean> {
    const row = await this.prisma.member.findUnique({ where: { communityId_userId: { communityId, userId } } });
    return row?.blocked ?? false;
  }

  async setBlocked(communityId: number, userId: string, blocked: boolean): Promise<void> {
    await this.prisma.member.upsert({
      where: { communityId_userId: { communityId, userId } },
      create: { communityId, userId, blocked },
      update: { blocked },
    });
  }

  async usage(communityId: number, userId: string, day: string): Promise<Usage> {
    return this.usageIn(this.prisma, communityId, userId, day);
  }

  private async usageIn(tx: Prisma.TransactionClient, communityId: number, userId: string, day: string): Promise<Usage> {
    const [mine, spend, last] = await Promise.all([
      tx.creation.count({ where: { communityId, day, status: { in: CHARGED }, member: { userId } } }),
      tx.creation.aggregate({ where: { communityId, day, status: { in: CHARGED } }, _sum: { costMicroUsd: true } }),
      tx.creation.findFirst({
        where: { communityId, member: { userId } },
        orderBy: { createdAt: "desc" },
        select: { createdAt: true },
      }),
    ]);
    return { memberToday: mine, spendTodayMicroUsd: spend._sum.costMicroUsd ?? 0, lastRequestAt: last?.createdAt ?? null };
  }

  async insertCreationWithinLimits(
    input: NewCreation,
    limits: { perMemberDaily: number; budgetMicroUsd: number; cooldownMs: number },
  ): Promise<Creation | "cooldown" | "quota" | "budget"> {
    const memberId = await retryWhenBusy(() => this.memberId(input.communityId, input.userId));
    return retryWhenBusy(() =>
      this.prisma.$transaction(async (tx) => {
        const usage = await this.usageIn(tx, input.communityId, input.userId, input.day);
        if (usage.lastRequestAt && usage.lastRequestAt.getTime() + limits.cooldownMs > input.now.getTime()) return "cooldown" as const;
        if (usage.memberToday >= limits.perMemberDaily) return "quota" as const;
        if (usage.spendTodayMicroUsd + input.costMicroUsd > limits.budgetMicroUsd) return "budget" as const;
        const row = await tx.creation.create({
          data: {
            communityId: input.communityId,
            memberId,
            prompt: input.prompt,
            aspect: input.aspect,
            quality: input.quality,
            size: input.size,
            model: input.model,
            status: "queued",
            costMicroUsd: input.costMicroUsd,
            day: input.day,
            createdAt: input.now,
            statusRef: input.statusRef,
          },
          include: withAuthor,
        });
        return toCreation(row);
      }),
    );
  }

  async getCreation(id: number): Promise<Creation | null> {
    const row = await this.prisma.creation.findUnique({ where: { id }, include: withAuthor });
    return row && toCreation(row);
  }

  async findCreationByPost(communityId: number, channelId: string, messageId: string): Promise<Creation | null> {
    const row = await this.prisma.creation.findFirst({
      where: { communityId, galleryChannelId: channelId, galleryMessageId: messageId },
      include: withAuthor,
    });
    return row && toCreation(row);
  }

  async updateCreation(id: number, patch: CreationPatch): Promise<Creation> {
    return toCreation(await this.prisma.creation.update({ where: { id }, data: patch, include: withAuthor }));
  }

  async transitionCreation(id: number, from: CreationStatus[], patch: CreationPatch & { status: CreationStatus }): Promise<boolean> {
    const result = await this.prisma.creation.updateMany({ where: { id, status: { in: from } }, data: patch });
    return result.count === 1;
  }

  async queuePosition(id: number): Promise<number> {
    const queued = await this.prisma.creation.findMany({
      where: { status: "queued" },
      select: { id: true, memberId: true, member: { select: { lastServed: true } } },
      orderBy: { id: "asc" },
    });
    if (!queued.some((c) => c.id === id)) return 0;
    // Replays claimNextJob's order: the member whose turn came longest ago goes first, then moves to the back.
    const lanes = new Map<number, { lastServed: number; jobs: number[] }>();
    for (const c of queued) {
      const lane = lanes.get(c.memberId) ?? { lastServed: c.member.lastServed, jobs: [] };
      lane.jobs.push(c.id);
      lanes.set(c.memberId, lane);
    }
    let served = Math.max(0, ...[...lanes.values()].map((l) => l.lastServed));
    for (let position = 1; ; position++) {
      let next: { lastServed: number; jobs: number[] } | undefined;
      for (const lane of lanes.values()) {
        if (lane.jobs.length === 0) continue;
        if (!next || lane.lastServed < next.lastServed || (lane.lastServed === next.lastServed && lane.jobs[0]! < next.jobs[0]!)) next = lane;
      }
      if (!next) return 0;
      if (next.jobs.shift() === id) return position;
      next.lastServed = ++served;
    }
  }

  async claimNextJob(now: Date): Promise<Creation | null> {
    for (;;) {
      const candidate = await this.prisma.creation.findFirst({
        where: { status: "queued", OR: [{ notBefore: null }, { notBefore: { lte: now } }] },
        orderBy: [{ member: { lastServed: "asc" } }, { id: "asc" }],
        select: { id: true, memberId: true },
      });
      if (!candidate) return null;
      const claimed = await this.prisma.$transaction(async (tx) => {
        const moved = await tx.creation.updateMany({
          where: { id: candidate.id, status: "queued" },
          data: { status: "generating", startedAt: now },
        });
        if (moved.count === 0) return null;
        const top = await tx.member.aggregate({ _max: { lastServed: true } });
        await tx.member.update({ where: { id: candidate.memberId }, data: { lastServed: (top._max.lastServed ?? 0) + 1 } });
        return tx.creation.findUniqueOrThrow({ where: { id: candidate.id }, include: withAuthor });
      });
      if (claimed) return toCreation(claimed);
      // Another worker took it first: look again.
    }
  }

  async nextJobDueAt(): Promise<Date | null> {
    const row = await this.prisma.creation.findFirst({
      where: { status: "queued" },
      orderBy: { notBefore: "asc" },
      select: { notBefore: true },
    });
    if (!row) return null;
    return row.notBefore ?? new Date(0);
  }

  async requeueInterrupted(): Promise<number> {
    const result = await this.prisma.creation.updateMany({
      where: { status: { in: ["generating", "posting"] } },
      data: { status: "queued", startedAt: null },
    });
    return result.count;
  }

  async listPostedSince(communityId: number, since: Date): Promise<Creation[]> {
    const rows = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", postedAt: { gte: since } },
      include: withAuthor,
      orderBy: { id: "asc" },
    });
    return rows.map(toCreation);
  }

  async setReaction(creationId: number, communityId: number, userId: string, emoji: string, present: boolean): Promise<boolean> {
    const memberId = await this.memberId(communityId, userId);
    if (!present) {
      const removed = await this.prisma.reaction.deleteMany({ where: { creationId, memberId, emoji } });
      return removed.count > 0;
    }
    try {
      await this.prisma.reaction.create({ data: { creationId, memberId, emoji } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false; // a replayed event: already counted
      throw error;
    }
  }

  async clearReactions(creationId: number, emoji?: string): Promise<void> {
    await this.prisma.reaction.deleteMany({ where: { creationId, ...(emoji === undefined ? {} : { emoji }) } });
  }

  async replaceReactions(creationId: number, communityId: number, reactions: ReactionRow[]): Promise<boolean> {
    const key = (userId: string, emoji: string) => `${userId}\u0000${emoji}`;
    const wanted = new Map(reactions.map((r) => [key(r.userId, r.emoji), r]));
    const current = await this.prisma.reaction.findMany({ where: { creationId }, include: { member: { select: { userId: true } } } });
    const stale = current.filter((r) => !wanted.has(key(r.member.userId, r.emoji)));
    const have = new Set(current.map((r) => key(r.member.userId, r.emoji)));
    const missing = [...wanted.entries()].filter(([k]) => !have.has(k)).map(([, r]) => r);
    if (stale.length === 0 && missing.length === 0) return false;
    const memberIds = new Map<string, number>();
    for (const r of missing) if (!memberIds.has(r.userId)) memberIds.set(r.userId, await this.memberId(communityId, r.userId));
    await this.prisma.$transaction([
      ...stale.map((r) => this.prisma.reaction.delete({ where: { creationId_memberId_emoji: { creationId, memberId: r.memberId, emoji: r.emoji } } })),
      ...missing.map((r) =>
        this.prisma.reaction.upsert({
          where: { creationId_memberId_emoji: { creationId, memberId: memberIds.get(r.userId)!, emoji: r.emoji } },
          create: { creationId, memberId: memberIds.get(r.userId)!, emoji: r.emoji },
          update: {},
        }),
      ),
    ]);
    return true;
  }

  async recountLikes(creationId: number): Promise<number> {
    const creation = await this.prisma.creation.findUnique({
      where: { id: creationId },
      select: { memberId: true, community: { select: { likeEmoji: true, allowSelfLikes: true } } },
    });
    if (!creation) return 0;
    const allowed = creation.community.likeEmoji === null ? null : new Set(JSON.parse(creation.community.likeEmoji) as string[]);
    const reactions = await this.prisma.reaction.findMany({
      where: {
        creationId,
        member: { blocked: false },
        ...(creation.community.allowSelfLikes ? {} : { memberId: { not: creation.memberId } }),
      },
      select: { memberId: true, emoji: true },
    });
    const likers = new Set(reactions.filter((r) => allowed === null || allowed.has(r.emoji)).map((r) => r.memberId));
    await this.prisma.creation.update({ where: { id: creationId }, data: { likeCount: likers.size } });
    return likers.size;
  }

  async creationsReactedBy(communityId: number, userId: string): Promise<number[]> {
    const rows = await this.prisma.reaction.findMany({
      where: { member: { communityId, userId } },
      select: { creationId: true },
      distinct: ["creationId"],
    });
    return rows.map((r) => r.creationId);
  }

  async topCreations(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreation[]> {
    const rows = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", likeCount: { gt: 0 }, postedAt: windowFilter(from, to) },
      orderBy: [{ likeCount: "desc" }, { postedAt: "asc" }, { id: "asc" }],
      take: limit,
      include: withAuthor,
    });
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
    }));
  }

  async topCreators(communityId: number, from: Date | null, to: Date | null, limit: number): Promise<RankedCreator[]> {
    const groups = await this.prisma.creation.groupBy({
      by: ["memberId"],
      where: { communityId, status: "posted", likeCount: { gt: 0 }, postedAt: windowFilter(from, to) },
      _sum: { likeCount: true },
      _count: { _all: true },
      _min: { postedAt: true },
      orderBy: [{ _sum: { likeCount: "desc" } }, { _min: { postedAt: "asc" } }],
      take: limit,
    });
    const members = await this.prisma.member.findMany({ where: { id: { in: groups.map((g) => g.memberId) } } });
    const best = await Promise.all(
      groups.map((g) =>
        this.prisma.creation.findFirst({
          where: { communityId, memberId: g.memberId, status: "posted", likeCount: { gt: 0 }, postedAt: windowFilter(from, to) },
          orderBy: [{ likeCount: "desc" }, { postedAt: "asc" }],
          select: { galleryUrl: true },
        }),
      ),
    );
    return groups.map((g, index) => ({
      rank: index + 1,
      userId: members.find((m) => m.id === g.memberId)?.userId ?? "",
      likeCount: g._sum.likeCount ?? 0,
      creations: g._count._all,
      bestUrl: best[index]?.galleryUrl ?? null,
    }));
  }

  async windowStats(communityId: number, from: Date, to: Date): Promise<WindowStats> {
    const creations = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", postedAt: { gte: from, lt: to } },
      select: { id: true, memberId: true, community: { select: { likeEmoji: true, allowSelfLikes: true } } },
    });
    const first = creations[0];
    if (!first) return { creations: 0, likers: 0 };
    const allowed = first.community.likeEmoji === null ? null : new Set(JSON.parse(first.community.likeEmoji) as string[]);
    const authorOf = new Map(creations.map((c) => [c.id, c.memberId]));
    const reactions = await this.prisma.reaction.findMany({
      where: { creationId: { in: creations.map((c) => c.id) }, member: { blocked: false } },
      select: { creationId: true, memberId: true, emoji: true },
    });
    const likers = new Set(
      reactions
        .filter((r) => allowed === null || allowed.has(r.emoji))
        .filter((r) => first.community.allowSelfLikes || authorOf.get(r.creationId) !== r.memberId)
        .map((r) => r.memberId),
    );
    return { creations: creations.length, likers: likers.size };
  }

  async memberCreations(communityId: number, userId: string): Promise<Creation[]> {
    const rows = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", member: { userId } },
      orderBy: { postedAt: "desc" },
      include: withAuthor,
    });
    return rows.map(toCreation);
  }

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

  async completeDigest(
    communityId: number,
    day: string,
    result: { status: "posted" | "empty"; channelId?: string; messageId?: string; entries: number; at: Date },
  ): Promise<void> {
    await this.prisma.digest.update({
      where: { communityId_day: { communityId, day } },
      data: { status: result.status, channelId: result.channelId ?? null, messageId: result.messageId ?? null, entries: result.entries, postedAt: result.at },
    });
  }

  async releaseDigest(communityId: number, day: string, owner: string): Promise<void> {
    await this.prisma.digest.updateMany({ where: { communityId, day, claimedBy: owner, status: "claimed" }, data: { status: "released" } });
  }

  async digestStatus(communityId: number, day: string): Promise<string | null> {
    const row = await this.prisma.digest.findUnique({ where: { communityId_day: { communityId, day } } });
    return row?.status ?? null;
  }

  async firstDelivery(keys: string[], now: Date): Promise<boolean> {
    try {
      await retryWhenBusy(() => this.prisma.$transaction(keys.map((key) => this.prisma.inboundEvent.create({ data: { key, at: now } }))));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async releaseDelivery(keys: string[]): Promise<void> {
    await this.prisma.inboundEvent.deleteMany({ where: { key: { in: keys } } });
  }

  async pruneDeliveries(before: Date): Promise<number> {
    return (await this.prisma.inboundEvent.deleteMany({ where: { at: { lt: before } } })).count;
  }

  async exportMember(communityId: number, userId: string): Promise<MemberExport> {
    const member = await this.prisma.member.findUnique({
      where: { communityId_userId: { communityId, userId } },
      include: {
        creations: { orderBy: { id: "asc" } },
        reactions: { include: { creation: { select: { galleryUrl: true } } }, orderBy: [{ creationId: "asc" }, { emoji: "asc" }] },
      },
    });
    return {
      userId,
      blocked: member?.blocked ?? false,
      creations: (member?.creations ?? []).map((c) => ({
        id: c.id,
        prompt: c.prompt,
        aspect: c.aspect as Creation["aspect"],
        quality: c.quality as Creation["quality"],
        size: c.size as Creation["size"],
        model: c.model,
        status: c.status as Creation["status"],
        costMicroUsd: c.costMicroUsd,
        createdAt: c.createdAt,
        postedAt: c.postedAt,
        galleryUrl: c.galleryUrl,
        likeCount: c.likeCount,
        imageHash: c.imageHash,
      })),
      reactions: (member?.reactions ?? []).map((r) => ({ creationId: r.creationId, emoji: r.emoji, galleryUrl: r.creation.galleryUrl })),
    };
  }

  async forgetMember(communityId: number, userId: string): Promise<{ imageHashes: string[]; posts: Array<{ channelId: string; messageId: string }> }> {
    const member = await this.prisma.member.findUnique({ where: { communityId_userId: { communityId, userId } } });
    if (!member) return { imageHashes: [], posts: [] };
    const reactedTo = await this.creationsReactedBy(communityId, userId);
    const creations = await this.prisma.creation.findMany({ where: { memberId: member.id } });
    await this.prisma.$transaction([
      this.prisma.reaction.deleteMany({ where: { memberId: member.id } }),
      this.prisma.reaction.deleteMany({ where: { creation: { memberId: member.id } } }),
      // Rows stay (with no prompt, image or post) so the day's spend stays what was really spent.
      this.prisma.creation.updateMany({
        where: { memberId: member.id },
        data: { prompt: "", imageHash: null, galleryUrl: null, statusRef: null, likeCount: 0, error: null },
      }),
      this.prisma.creation.updateMany({
        where: { memberId: member.id, status: { in: ["posted", "posting", "generating", "queued"] } },
        data: { status: "deleted" },
      }),
    ]);
    for (const id of reactedTo) await this.recountLikes(id);
    const hashes = creations.map((c) => c.imageHash).filter((h): h is string => h !== null);
    const stillUsed = await this.prisma.creation.findMany({ where: { imageHash: { in: hashes } }, select: { imageHash: true } });
    const used = new Set(stillUsed.map((c) => c.imageHash));
    return {
      imageHashes: [...new Set(hashes)].filter((h) => !used.has(h)),
      posts: creations
        .filter((c) => c.galleryChannelId && c.galleryMessageId)
        .map((c) => ({ channelId: c.galleryChannelId!, messageId: c.galleryMessageId! })),
    };
  }
}
