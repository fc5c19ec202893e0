/** The {@link CreationStore} over Prisma: creations, the limits they are checked against, and their job claims. */
import type { QueueStats } from "../../core/ports.js";
import type { CreationLimits, CreationPatch, CreationStore, NewCreation, Usage } from "../../core/store/creations.js";
import type { Creation, CreationStatus, Platform } from "../../core/types.js";
import { Coalescer } from "../coalesce.js";
import type { Dialect } from "../dialects/dialect.js";
import { Prisma, type PrismaClient } from "../generated/client.js";
import { creationData, toCreation, withAuthor } from "../mappers.js";
import type { CreationJobs } from "./creation-jobs.js";
import { takeImageRequest } from "./image-requests.js";
import { memberId } from "./members.js";
import { retrying } from "./retry.js";

/** Statuses that use the member's quota: everything but refunded ones (failed, cancelled, held). */
const QUOTA: CreationStatus[] = ["queued", "generating", "posting", "posted", "deleted"];
/** Statuses of a creation that may still make an image: its price stays reserved from the budget until it is made. */
const WAITING: CreationStatus[] = ["queued", "generating"];
/** Statuses a creation ends in. */
const ENDED: CreationStatus[] = ["posted", "failed", "cancelled", "deleted", "held"];
/** Statuses of a creation some process is working on, under a claim. */
const CLAIMED: CreationStatus[] = ["generating", "posting"];

export class PrismaCreationStore implements CreationStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly dialect: Dialect,
    /** The job engine's jobs, written in the creations' own transactions (PostgreSQL); none where the row is the job. */
    private readonly jobs?: CreationJobs,
  ) {}

  async usage(communityId: number, userId: string, day: string): Promise<Usage> {
    return this.usageIn(this.prisma, communityId, userId, day);
  }

  private async usageIn(tx: Prisma.TransactionClient, communityId: number, userId: string, day: string): Promise<Usage> {
    const [mine, paid, reserved, last, text] = await Promise.all([
      tx.creation.count({ where: { communityId, day, status: { in: QUOTA }, member: { userId } } }),
      // What was paid, whatever became of the creation: an image that could not be posted was still made.
      tx.creation.aggregate({ where: { communityId, day }, _sum: { spentMicroUsd: true } }),
      tx.creation.aggregate({ where: { communityId, day, status: { in: WAITING }, imageHash: null }, _sum: { costMicroUsd: true } }),
      tx.creation.findFirst({
        where: { communityId, member: { userId } },
        orderBy: { createdAt: "desc" },
        select: { createdAt: true },
      }),
      // The text model's calls outside any creation (polishing a prompt) were paid too.
      tx.textSpend.findUnique({ where: { communityId_day: { communityId, day } }, select: { microUsd: true } }),
    ]);
    return {
      memberToday: mine,
      spendTodayMicroUsd: (paid._sum.spentMicroUsd ?? 0) + (reserved._sum.costMicroUsd ?? 0) + (text?.microUsd ?? 0),
      lastRequestAt: last?.createdAt ?? null,
    };
  }

  async insertCreationWithinLimits(input: NewCreation, limits: CreationLimits): Promise<Creation | "cooldown" | "quota" | "budget"> {
    const member = await retrying(this.dialect, () => memberId(this.prisma, input.communityId, input.userId));
    const lock = this.dialect.lockCommunity(input.communityId);
    return retrying(this.dialect, () =>
      this.prisma.$transaction(async (tx) => {
        if (lock) await tx.$executeRaw(lock);
        const usage = await this.usageIn(tx, input.communityId, input.userId, input.day);
        // Requests sent together are stored in any order: the last one stored may be a little later than this one.
        // Either way they must be the cooldown apart (as `cooldownWaitMs` in core/imagine.ts), so 0 s never refuses.
        if (usage.lastRequestAt && Math.abs(input.now.getTime() - usage.lastRequestAt.getTime()) < limits.cooldownMs) return "cooldown" as const;
        if (usage.memberToday >= limits.perMemberDaily) return "quota" as const;
        if (usage.spendTodayMicroUsd + input.costMicroUsd > limits.budgetMicroUsd) return "budget" as const;
        const row = await tx.creation.create({
          data: {
            communityId: input.communityId,
            memberId: member,
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
            notBefore: input.notBefore ?? null,
            ...input.lineage,
          },
          include: withAuthor,
        });
        await this.jobs?.enqueue(tx, row.id);
        return toCreation(row);
      }),
    );
  }

  async getCreation(id: number): Promise<Creation | null> {
    const row = await this.prisma.creation.findUnique({ where: { id }, include: withAuthor });
    return row && toCreation(row);
  }

  /** On the reaction path, a burst of events on a few posts looks them up once per batch (see {@link Coalescer}). */
  private readonly postLookups = new Coalescer<{ communityId: number; channelId: string; messageId: string }, Creation | null>(async (posts) => {
    const distinct = <T>(values: T[]) => [...new Set(values)];
    // IN on each column of the unique (community, channel, message) index: index lookups, one statement shape.
    const rows = await this.prisma.creation.findMany({
      where: {
        communityId: { in: distinct(posts.map((p) => p.communityId)) },
        galleryChannelId: { in: distinct(posts.map((p) => p.channelId)) },
        galleryMessageId: { in: distinct(posts.map((p) => p.messageId)) },
      },
      include: withAuthor,
    });
    const key = (communityId: number, channelId: string | null, messageId: string | null) => `${communityId}\u0000${channelId}\u0000${messageId}`;
    const byPost = new Map(rows.map((row) => [key(row.communityId, row.galleryChannelId, row.galleryMessageId), row]));
    return posts.map((p) => {
      const row = byPost.get(key(p.communityId, p.channelId, p.messageId));
      return row ? toCreation(row) : null;
    });
  });

  async findCreationByPost(communityId: number, channelId: string, messageId: string): Promise<Creation | null> {
    return this.postLookups.call({ communityId, channelId, messageId }, `${communityId}\u0000${channelId}\u0000${messageId}`);
  }

  async updateCreation(id: number, patch: CreationPatch): Promise<Creation> {
    return toCreation(await this.prisma.creation.update({ where: { id }, data: creationData(patch), include: withAuthor }));
  }

  async transitionCreation(id: number, from: CreationStatus[], patch: CreationPatch & { status: CreationStatus }, owner?: string): Promise<boolean> {
    // Leaving the claimed statuses drops the claim; ending drops the handle on the member's status message too (an
    // interaction token, a response URL: credentials for that message, needed no more).
    const release = CLAIMED.includes(patch.status) ? {} : { claimedBy: null, claimedUntil: null };
    const ended = ENDED.includes(patch.status) ? { statusRef: null } : {};
    const move = async (tx: Prisma.TransactionClient) => {
      const result = await tx.creation.updateMany({
        where: { id, status: { in: from }, ...(owner === undefined ? {} : { claimedBy: owner }) },
        data: { ...creationData(patch), ...release, ...ended },
      });
      return result.count === 1;
    };
    const jobs = this.jobs;
    if (!jobs || (patch.status !== "queued" && !from.includes("queued"))) return move(this.prisma);
    // Back in the queue: its job, in the same transaction. Out of it: the member's next job may run.
    return this.prisma.$transaction(async (tx) => {
      if (!(await move(tx))) return false;
      if (patch.status === "queued") await jobs.enqueue(tx, id);
      else {
        const row = await tx.creation.findUniqueOrThrow({ where: { id }, select: { memberId: true } });
        await jobs.promoteNext(tx, row.memberId);
      }
      return true;
    });
  }

  async claimCreation(id: number, owner: string, now: Date, leaseMs: number): Promise<Creation | "held" | null> {
    const until = new Date(now.getTime() + leaseMs);
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.creation.findUnique({ where: { id }, select: { status: true, notBefore: true, claimedUntil: true, memberId: true } });
      if (!row || ENDED.includes(row.status as CreationStatus)) return null;
      if (row.status === "queued") {
        if (row.notBefore && row.notBefore > now) return "held" as const;
        const moved = await tx.creation.updateMany({ where: { id, status: "queued" }, data: { status: "generating", startedAt: now, claimedBy: owner, claimedUntil: until } });
        if (moved.count === 0) return "held" as const;
        await tx.$executeRaw`UPDATE "Member" SET "lastServed" = (SELECT COALESCE(MAX("lastServed"), 0) + 1 FROM "Member") WHERE "id" = ${row.memberId}`;
        await this.jobs?.promoteNext(tx, row.memberId);
      } else {
        // A job taken over (its process died): it keeps its status and counts one more attempt.
        const moved = await tx.creation.updateMany({
          where: { id, status: { in: CLAIMED }, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] },
          data: { claimedBy: owner, claimedUntil: until, attempts: { increment: 1 } },
        });
        if (moved.count === 0) return "held" as const;
      }
      return toCreation(await tx.creation.findUniqueOrThrow({ where: { id }, include: withAuthor }));
    });
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

  async claimNextJob(now: Date, owner: string, leaseMs: number, platforms: readonly Platform[]): Promise<Creation | null> {
    if (platforms.length === 0) return null;
    // Only jobs of communities this process can post to (a Discord-only process leaves Slack's jobs to a Slack one).
    const mine = Prisma.sql`"communityId" IN (SELECT "id" FROM "Community" WHERE "platform" IN (${Prisma.join(platforms)}))`;
    // A read first: an idle worker's poll must not take the write lock (and wait for another writer).
    const [work] = await this.prisma.$queryRaw<Array<{ abandoned: number | bigint | boolean; queued: number | bigint | boolean }>>`
      SELECT
        EXISTS (SELECT 1 FROM "Creation" WHERE "status" IN ('generating', 'posting') AND ("claimedUntil" IS NULL OR "claimedUntil" < ${now}) AND ${mine}) AS "abandoned",
        EXISTS (SELECT 1 FROM "Creation" WHERE "status" = 'queued' AND ("notBefore" IS NULL OR "notBefore" <= ${now}) AND ${mine}) AS "queued"`;
    if (!work || (Number(work.abandoned) === 0 && Number(work.queued) === 0)) return null;
    // Then each claim is one UPDATE whose subquery picks the job, so it is atomic (SQLite runs a statement under its
    // write lock; elsewhere the dialect's locking clause makes concurrent claims skip each other's row): two workers or
    // processes never take the same job, and none has to look again. Raw statements, no transaction: the workers of a
    // process claim one after another, and the ORM's six queries per claim were most of a slot's turnover. (A crash
    // between the claim and the member's move to the back of the line costs that member one turn of fairness.)
    const until = new Date(now.getTime() + leaseMs);
    let claimed: number | null = null;
    if (Number(work.abandoned) === 1) {
      // An abandoned job first (its process died; its claim ran out): it was started before anything still queued.
      const [abandoned] = await this.prisma.$queryRaw<Array<{ id: number | bigint }>>`
        UPDATE "Creation" SET "claimedBy" = ${owner}, "claimedUntil" = ${until}, "attempts" = "attempts" + 1
        WHERE "id" = (
          SELECT "id" FROM "Creation"
          WHERE "status" IN ('generating', 'posting') AND ("claimedUntil" IS NULL OR "claimedUntil" < ${now}) AND ${mine}
          ORDER BY "id" LIMIT 1 ${this.dialect.skipLocked()})
        RETURNING "id"`;
      if (abandoned) claimed = Number(abandoned.id);
    }
    if (claimed === null && Number(work.queued) === 1) {
      // The queued job of the member whose turn came longest ago, who then goes to the back of the line.
      const [queued] = await this.prisma.$queryRaw<Array<{ id: number | bigint; memberId: number | bigint }>>`
        UPDATE "Creation" SET "status" = 'generating', "startedAt" = ${now}, "claimedBy" = ${owner}, "claimedUntil" = ${until}
        WHERE "id" = (
          SELECT c."id" FROM "Creation" c JOIN "Member" m ON m."id" = c."memberId"
          WHERE c."status" = 'queued' AND (c."notBefore" IS NULL OR c."notBefore" <= ${now}) AND c.${mine}
          ORDER BY m."lastServed", c."id" LIMIT 1 ${this.dialect.skipLocked("c")})
        RETURNING "id", "memberId"`;
      if (queued) {
        await this.prisma.$executeRaw`
          UPDATE "Member" SET "lastServed" = (SELECT COALESCE(MAX("lastServed"), 0) + 1 FROM "Member") WHERE "id" = ${Number(queued.memberId)}`;
        claimed = Number(queued.id);
      }
    }
    return claimed === null ? null : toCreation(await this.prisma.creation.findUniqueOrThrow({ where: { id: claimed }, include: withAuthor }));
  }

  takeImageRequest(limit: number, windowMs: number, now: Date): Promise<number> {
    return takeImageRequest(this.prisma, this.dialect, limit, windowMs, now);
  }

  async nextJobDueAt(platforms: readonly Platform[]): Promise<Date | null> {
    const row = await this.prisma.creation.findFirst({
      where: { status: "queued", community: { platform: { in: [...platforms] } } },
      orderBy: { notBefore: "asc" },
      select: { notBefore: true },
    });
    if (!row) return null;
    return row.notBefore ?? new Date(0);
  }

  async queueStats(): Promise<QueueStats> {
    const where = { status: "queued" } as const;
    const [depth, oldest] = await Promise.all([
      this.prisma.creation.count({ where }),
      this.prisma.creation.findFirst({ where, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
    ]);
    return { depth, oldestCreatedAt: oldest?.createdAt ?? null };
  }

  async renewClaim(id: number, owner: string, until: Date): Promise<boolean> {
    const result = await this.prisma.creation.updateMany({ where: { id, status: { in: CLAIMED }, claimedBy: owner }, data: { claimedUntil: until } });
    return result.count === 1;
  }

  async claimOwners(): Promise<string[]> {
    const rows = await this.prisma.creation.findMany({ where: { status: { in: CLAIMED }, claimedBy: { not: null } }, select: { claimedBy: true }, distinct: ["claimedBy"] });
    return rows.map((row) => row.claimedBy!);
  }

  async expireClaims(owners: string[]): Promise<number> {
    if (owners.length === 0) return 0;
    const result = await this.prisma.creation.updateMany({ where: { status: { in: CLAIMED }, claimedBy: { in: owners } }, data: { claimedUntil: new Date(0) } });
    return result.count;
  }

  async checkWritable(): Promise<void> {
    // A write statement that matches no row still takes SQLite's write lock (and is refused on a read-only
    // database), so it fails as a real write would, yet writes nothing and commits nothing.
    await this.prisma.$executeRaw`UPDATE "Community" SET "id" = "id" WHERE ${this.dialect.never}`;
  }

  async listPostedSince(communityId: number, since: Date): Promise<Creation[]> {
    const rows = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", postedAt: { gte: since } },
      include: withAuthor,
      orderBy: { id: "asc" },
    });
    return rows.map(toCreation);
  }

  countHeld(communityId: number, since: Date): Promise<number> {
    return this.prisma.creation.count({ where: { communityId, status: "held", finishedAt: { gte: since } } });
  }

  async expiredHeldImages(now: Date): Promise<{ creationIds: number[]; imageHashes: string[] }> {
    const due = await this.prisma.creation.findMany({
      where: { status: "held", heldUntil: { lte: now }, imageHash: { not: null } },
      select: { id: true, imageHash: true },
      orderBy: { id: "asc" },
    });
    const creationIds = due.map((c) => c.id);
    const hashes = [...new Set(due.map((c) => c.imageHash!))];
    // Content-addressed: the same bytes may be another creation's image too (the same prompt, a retry); that file stays.
    const used = await this.prisma.creation.findMany({ where: { imageHash: { in: hashes }, id: { notIn: creationIds } }, select: { imageHash: true } });
    const stillUsed = new Set(used.map((c) => c.imageHash));
    return { creationIds, imageHashes: hashes.filter((h) => !stillUsed.has(h)) };
  }
}
