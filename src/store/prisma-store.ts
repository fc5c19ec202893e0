/** The {@link Store} port over Prisma. Idempotent writes lean on unique constraints, never on read-then-write. */
import type {
  CommunityPatch,
  CreationPatch,
  DigestCompletion,
  MemberExport,
  NewCreation,
  ReactionRow,
  ReactionSeen,
  Store,
  Usage,
  WindowStats,
} from "../core/store.js";
import { dayTitle } from "../core/time.js";
import type { Community, CommunityRef, Creation, CreationStatus, DigestView, MemberDates, Platform, RankedCreation, RankedCreator } from "../core/types.js";
import { Prisma, type PrismaClient } from "./generated/client.js";
import { toCommunity, toCreation } from "./mappers.js";
import { Coalescer } from "./coalesce.js";

const withAuthor = { member: { select: { userId: true } } } as const;
/** Statuses that use the member's quota: everything but refunded ones. */
const QUOTA: CreationStatus[] = ["queued", "generating", "posting", "posted", "deleted"];
/** Statuses of a creation that may still make an image: its price stays reserved from the budget until it is made. */
const WAITING: CreationStatus[] = ["queued", "generating"];
/** Statuses a creation ends in. */
const ENDED: CreationStatus[] = ["posted", "failed", "cancelled", "deleted"];
/** Statuses of a creation some process is working on, under a claim. */
const CLAIMED: CreationStatus[] = ["generating", "posting"];

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

/** How long a write keeps retrying SQLITE_BUSY: past it the request fails cleanly and the member tries again. */
const BUSY_RETRY_MS = 8_000;

async function retryWhenBusy<T>(work: () => Promise<T>, attempts = 20): Promise<T> {
  // A lock held past the busy timeout also ends in SQLITE_BUSY, after waiting that timeout: bound the total too.
  const until = Date.now() + BUSY_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || Date.now() >= until || !isSqliteBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** One `setReaction` call, as batched. */
interface ReactionWrite {
  creationId: number;
  communityId: number;
  userId: string;
  emoji: string;
  present: boolean;
  seen: ReactionSeen;
}

/** A member to look up or store for a batch of reaction writes: the dates the platform gave (epoch ms), null when not. */
interface Person {
  communityId: number;
  userId: string;
  account: number | null;
  joined: number | null;
}

/** A member's row id and the dates stored for it (epoch ms), as the reaction writes last saw them. */
interface KnownMember {
  id: number;
  account: number | null;
  joined: number | null;
}

/** How long the reaction writes trust what they know of members' dates, and how many members they keep at most. */
const MEMBER_CACHE_MS = 30_000;
const MEMBER_CACHE_SIZE = 20_000;

/**
 * The like count of the creation `c` as an SQL expression, by its community's rules. The community's age rules choose
 * between two counts in the statement itself: SQLite runs only the branch taken, so a community without them counts
 * from the reactions' index alone (naming `reactedAt` anywhere in the count would make SQLite read every reaction's
 * row), and a rule another process has just set applies at once.
 */
function likeCountOf(c: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`CASE WHEN (SELECT "minAccountAgeDays" > 0 OR "minMemberAgeDays" > 0 FROM "Community" WHERE "id" = ${c}."communityId")
    THEN ${countLikes(c, true)} ELSE ${countLikes(c, false)} END`;
}

/**
 * Distinct members, not blocked, not the author unless the community allows self-likes, with an allowed emoji when the
 * community restricts them, and, when `ageRules`, old enough. The blocked members are one indexed lookup per statement
 * (usually empty) rather than a join per reaction.
 */
function countLikes(c: Prisma.Sql, ageRules: boolean): Prisma.Sql {
  return Prisma.sql`(
    SELECT COUNT(DISTINCT r."memberId")
      FROM "Reaction" r JOIN "Community" k ON k."id" = ${c}."communityId"
     WHERE r."creationId" = ${c}."id"
       AND r."memberId" NOT IN (SELECT "id" FROM "Member" WHERE "blocked" = 1)
       AND (k."allowSelfLikes" OR r."memberId" <> ${c}."memberId")
       AND (k."likeEmoji" IS NULL OR r."emoji" IN (SELECT "value" FROM json_each(k."likeEmoji")))
       ${ageRules ? Prisma.sql`AND ${oldEnough(Prisma.raw("r"), c, Prisma.raw('k."minAccountAgeDays"'), Prisma.raw('k."minMemberAgeDays"'))}` : Prisma.empty})`;
}

/**
 * The minimum-age rules (`Community.minAccountAgeDays`, `minMemberAgeDays`), as a condition on a reaction `r` of a
 * creation `c`: true when the reaction counts. A reaction counts unless, when it was seen (or, for rows from before
 * that was recorded, when the post was made), the member's account or membership was younger than the minimum; a date
 * the platform never told counts as old enough. Used only where some minimum is set.
 */
function oldEnough(r: Prisma.Sql, c: Prisma.Sql, minAccountDays: Prisma.Sql | number, minMemberDays: Prisma.Sql | number): Prisma.Sql {
  const when = Prisma.sql`julianday(COALESCE(${r}."reactedAt", ${c}."postedAt"))`;
  return Prisma.sql`NOT EXISTS (
    SELECT 1 FROM "Member" m WHERE m."id" = ${r}."memberId" AND (
      (${minAccountDays} > 0 AND ${when} - julianday(m."accountCreatedAt") < ${minAccountDays})
      OR (${minMemberDays} > 0 AND ${when} - julianday(m."joinedAt") < ${minMemberDays})))`;
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

/** A patch as Prisma writes it: a spend is added to what the creation already spent. */
function creationData(patch: CreationPatch): Prisma.CreationUpdateManyMutationInput {
  const { spend, ...rest } = patch;
  return spend === undefined ? rest : { ...rest, spentMicroUsd: { increment: spend } };
}

/** A time as the SQLite adapter stores DateTime columns (ISO 8601 with `+00:00`), for rows written as JSON. */
function sqliteTime(at: Date): string {
  return at.toISOString().replace("Z", "+00:00");
}

/**
 * How far apart the clocks that stamp live changes and reconciliation reads may be: a reconciliation keeps live changes
 * seen this long before its read started. SQLite keeps Salon on one host, so every stamp comes from one clock.
 */
const CLOCK_SKEW_MS = 0;

function windowFilter(from: Date | null, to: Date | null): Prisma.DateTimeNullableFilter {
  return { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}), not: null };
}

export class PrismaStore implements Store {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * The reaction path (`findCommunity`, `findCreationByPost`, `setReaction`, `recountLikes`) is batched: a burst of
   * gateway events costs a few queries per batch instead of four or more per event (see {@link Coalescer}).
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

  /** The member's row id, creating the row when needed; the platform's dates, when given, are recorded too. */
  private async memberId(communityId: number, userId: string, dates: MemberDates = {}): Promise<number> {
    const known = {
      ...(dates.accountCreatedAt ? { accountCreatedAt: dates.accountCreatedAt } : {}),
      ...(dates.joinedAt ? { joinedAt: dates.joinedAt } : {}),
    };
    const row = await this.prisma.member.upsert({
      where: { communityId_userId: { communityId, userId } },
      create: { communityId, userId, ...known },
      update: known,
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
    const [mine, paid, reserved, last] = await Promise.all([
      tx.creation.count({ where: { communityId, day, status: { in: QUOTA }, member: { userId } } }),
      // What was paid, whatever became of the creation: an image that could not be posted was still made.
      tx.creation.aggregate({ where: { communityId, day }, _sum: { spentMicroUsd: true } }),
      tx.creation.aggregate({ where: { communityId, day, status: { in: WAITING }, imageHash: null }, _sum: { costMicroUsd: true } }),
      tx.creation.findFirst({
        where: { communityId, member: { userId } },
        orderBy: { createdAt: "desc" },
        select: { createdAt: true },
      }),
    ]);
    return {
      memberToday: mine,
      spendTodayMicroUsd: (paid._sum.spentMicroUsd ?? 0) + (reserved._sum.costMicroUsd ?? 0),
      lastRequestAt: last?.createdAt ?? null,
    };
  }

  async insertCreationWithinLimits(
    input: NewCreation,
    limits: { perMemberDaily: number; budgetMicroUsd: number; cooldownMs: number },
  ): Promise<Creation | "cooldown" | "quota" | "budget"> {
    const memberId = await retryWhenBusy(() => this.memberId(input.communityId, input.userId));
    return retryWhenBusy(() =>
      this.prisma.$transaction(async (tx) => {
        const usage = await this.usageIn(tx, input.communityId, input.userId, input.day);
        // Requests sent together are stored in any order: the last one stored may be a little later than this one.
        // Either way they must be the cooldown apart (as `cooldownWaitMs` in core/imagine.ts), so 0 s never refuses.
        if (usage.lastRequestAt && Math.abs(input.now.getTime() - usage.lastRequestAt.getTime()) < limits.cooldownMs) return "cooldown" as const;
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
            notBefore: input.notBefore ?? null,
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
    const result = await this.prisma.creation.updateMany({
      where: { id, status: { in: from }, ...(owner === undefined ? {} : { claimedBy: owner }) },
      data: { ...creationData(patch), ...release, ...ended },
    });
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

  async claimNextJob(now: Date, owner: string, leaseMs: number, platforms: readonly Platform[]): Promise<Creation | null> {
    if (platforms.length === 0) return null;
    // Only jobs of communities this process can post to (a Discord-only process leaves Slack's jobs to a Slack one).
    const mine = Prisma.sql`"communityId" IN (SELECT "id" FROM "Community" WHERE "platform" IN (${Prisma.join(platforms)}))`;
    // A read first: an idle worker's poll must not take the write lock (and wait for another writer).
    const [work] = await this.prisma.$queryRaw<Array<{ abandoned: number | bigint; queued: number | bigint }>>`
      SELECT
        EXISTS (SELECT 1 FROM "Creation" WHERE "status" IN ('generating', 'posting') AND ("claimedUntil" IS NULL OR "claimedUntil" < ${now}) AND ${mine}) AS "abandoned",
        EXISTS (SELECT 1 FROM "Creation" WHERE "status" = 'queued' AND ("notBefore" IS NULL OR "notBefore" <= ${now}) AND ${mine}) AS "queued"`;
    if (!work || (Number(work.abandoned) === 0 && Number(work.queued) === 0)) return null;
    // Then each claim is one UPDATE whose subquery picks the job, so it is atomic (SQLite runs a statement under its
    // write lock): two workers or processes never take the same job, and none has to look again. Raw statements, no
    // transaction: the workers of a process claim one after another, and the ORM's six queries per claim were most of
    // a slot's turnover. (A crash between the claim and the member's move to the back of the line costs that member
    // one turn of fairness, nothing else.)
    const until = new Date(now.getTime() + leaseMs);
    let claimed: number | null = null;
    if (Number(work.abandoned) === 1) {
      // An abandoned job first (its process died; its claim ran out): it was started before anything still queued.
      const [abandoned] = await this.prisma.$queryRaw<Array<{ id: number | bigint }>>`
        UPDATE "Creation" SET "claimedBy" = ${owner}, "claimedUntil" = ${until}, "attempts" = "attempts" + 1
        WHERE "id" = (
          SELECT "id" FROM "Creation"
          WHERE "status" IN ('generating', 'posting') AND ("claimedUntil" IS NULL OR "claimedUntil" < ${now}) AND ${mine}
          ORDER BY "id" LIMIT 1)
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
          ORDER BY m."lastServed", c."id" LIMIT 1)
        RETURNING "id", "memberId"`;
      if (queued) {
        await this.prisma.$executeRaw`
          UPDATE "Member" SET "lastServed" = (SELECT COALESCE(MAX("lastServed"), 0) + 1 FROM "Member") WHERE "id" = ${Number(queued.memberId)}`;
        claimed = Number(queued.id);
      }
    }
    return claimed === null ? null : toCreation(await this.prisma.creation.findUniqueOrThrow({ where: { id: claimed }, include: withAuthor }));
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

  async renewClaim(id: number, owner: string, until: Date): Promise<boolean> {
    const result = await this.prisma.creation.updateMany({ where: { id, status: { in: CLAIMED }, claimedBy: owner }, data: { claimedUntil: until } });
    return result.count === 1;
  }

  async claimOwners(): Promise<string[]> {
    const [creations, digests] = await Promise.all([
      this.prisma.creation.findMany({ where: { status: { in: CLAIMED }, claimedBy: { not: null } }, select: { claimedBy: true }, distinct: ["claimedBy"] }),
      this.prisma.digest.findMany({ where: { status: "claimed", claimedBy: { not: null } }, select: { claimedBy: true }, distinct: ["claimedBy"] }),
    ]);
    return [...new Set([...creations, ...digests].map((row) => row.claimedBy!))];
  }

  async expireClaims(owners: string[]): Promise<number> {
    if (owners.length === 0) return 0;
    const [creations, digests] = await this.prisma.$transaction([
      this.prisma.creation.updateMany({ where: { status: { in: CLAIMED }, claimedBy: { in: owners } }, data: { claimedUntil: new Date(0) } }),
      this.prisma.digest.updateMany({ where: { status: "claimed", claimedBy: { in: owners } }, data: { claimedAt: new Date(0) } }),
    ]);
    return creations.count + digests.count;
  }

  async checkWritable(): Promise<void> {
    // A write statement that matches no row still takes SQLite's write lock (and is refused on a read-only
    // database), so it fails as a real write would, yet writes nothing and commits nothing.
    await this.prisma.$executeRaw`UPDATE "Community" SET "id" = "id" WHERE 0`;
  }

  async listPostedSince(communityId: number, since: Date): Promise<Creation[]> {
    const rows = await this.prisma.creation.findMany({
      where: { communityId, status: "posted", postedAt: { gte: since } },
      include: withAuthor,
      orderBy: { id: "asc" },
    });
    return rows.map(toCreation);
  }

  private readonly reactionWrites = new Coalescer<ReactionWrite, boolean>((writes) => this.writeReactionsOrMark(writes), { maxBatch: 2000 });

  /**
   * Creations whose reaction writes failed part-way: some statements may have landed before the failure, so the
   * retried writes would answer "nothing changed" for them. Their next write says "changed", so the caller recounts.
   */
  private readonly unsettled = new Set<number>();

  private async writeReactionsOrMark(writes: ReactionWrite[]): Promise<boolean[]> {
    try {
      const changed = await retryWhenBusy(() => this.writeReactions(writes));
      return writes.map((w, i) => {
        if (!this.unsettled.has(w.creationId)) return changed[i]!;
        this.unsettled.delete(w.creationId);
        return true;
      });
    } catch (error) {
      // Bounded: a database that keeps failing must not make this grow forever (those creations' counts are then
      // corrected by the next reconciliation instead).
      if (this.unsettled.size < 10_000) for (const w of writes) this.unsettled.add(w.creationId);
      throw error;
    }
  }

  /**
   * Deletes reactions (`[creationId, memberId, emoji, seenAt]` as JSON) and records each removal first, so a
   * reconciliation reading the platform meanwhile does not put them back (see `replaceReactions`). First: were the
   * removal recorded after the delete, a reconciliation could re-insert the row in between.
   */
  private async removeReactions(json: string): Promise<Array<{ key: string }>> {
    await this.prisma.$executeRaw`
      INSERT INTO "ReactionRemoval" ("creationId", "memberId", "emoji", "at")
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${json}) WHERE true
      ON CONFLICT ("creationId", "memberId", "emoji") DO UPDATE SET "at" = excluded."at" WHERE excluded."at" > "ReactionRemoval"."at"`;
    return this.prisma.$queryRaw<Array<{ key: string }>>`
      DELETE FROM "Reaction"
      WHERE ("creationId", "memberId", "emoji") IN (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(${json}))
      RETURNING "creationId" || ' ' || "memberId" || ' ' || "emoji" AS "key"`;
  }

  async setReaction(creationId: number, communityId: number, userId: string, emoji: string, present: boolean, seen: ReactionSeen): Promise<boolean> {
    return this.reactionWrites.call({ creationId, communityId, userId, emoji, present, seen });
  }

  /**
   * Members' row ids and the dates last stored for them, by `communityId userId`: a member's reactions after the first
   * skip the member statements unless the platform now gives other dates. Ids never change (members are never
   * deleted); dates another process stores are taken into account within {@link MEMBER_CACHE_MS} (the cache is then
   * dropped), and a date given here that differs from the cached one is always written.
   */
  private knownMembers = new Map<string, KnownMember>();
  private knownMembersSince = 0;

  /**
   * Applies reaction writes as if one after another, in a few statements however many there are: the members (a
   * reaction may be a member's first act) when not known yet, then each (creation, member, emoji)'s last write, an
   * insert or a delete that reports what it changed. That report gives each key's state before the batch, and replaying
   * the writes on it gives each write's own answer (true when it changed something; a replayed event changes nothing).
   * Rows go in as one JSON parameter per statement: binding thousands of parameters one by one cost more than the
   * statements.
   */
  private async writeReactions(writes: ReactionWrite[]): Promise<boolean[]> {
    const now = Date.now();
    if (now - this.knownMembersSince > MEMBER_CACHE_MS || this.knownMembers.size > MEMBER_CACHE_SIZE) {
      this.knownMembers = new Map();
      this.knownMembersSince = now;
    }
    const known = this.knownMembers;
    // Each write's member key; the members to look up or store, each once with the latest dates the platform gave (a
    // member who left and came back has a new join date).
    const memberKeys = new Array<string>(writes.length);
    let people: Map<string, Person> | null = null;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      const key = `${w.communityId} ${w.userId}`;
      memberKeys[i] = key;
      const account = w.seen.member?.accountCreatedAt?.getTime() ?? null;
      const joined = w.seen.member?.joinedAt?.getTime() ?? null;
      const cached = known.get(key);
      const before = people?.get(key);
      if (!before && cached && (account === null || account === cached.account) && (joined === null || joined === cached.joined)) continue;
      people ??= new Map();
      people.set(key, { communityId: w.communityId, userId: w.userId, account: account ?? before?.account ?? null, joined: joined ?? before?.joined ?? null });
    }
    if (people) await this.storeMembers(people, known);
    // Each write's key, and each key's last write.
    const keys = new Array<string>(writes.length);
    const last = new Map<string, number>();
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      keys[i] = `${w.creationId} ${known.get(memberKeys[i]!)!.id} ${w.emoji}`;
      last.set(keys[i]!, i);
    }
    const adds: Array<[number, number, string, string]> = [];
    const addIndex = new Map<string, number>();
    const removes: Array<[number, number, string, string]> = [];
    for (const [key, i] of last) {
      const w = writes[i]!;
      const memberId = known.get(memberKeys[i]!)!.id;
      if (w.present) {
        addIndex.set(key, adds.length);
        adds.push([w.creationId, memberId, w.emoji, sqliteTime(w.seen.at)]);
      } else removes.push([w.creationId, memberId, w.emoji, sqliteTime(w.seen.at)]);
    }
    // Each changed row comes back as its key, one string: a row of three columns cost more to read through the ORM.
    type Row = { key: string };
    const none = Promise.resolve<Row[]>([]);
    // Two statements on disjoint keys, each atomic (a transaction around them measured slower).
    const [added, removed] = await Promise.all([
      adds.length === 0
        ? none
        : this.prisma.$queryRaw<Row[]>`
            INSERT INTO "Reaction" ("creationId", "memberId", "emoji", "reactedAt")
            SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(${JSON.stringify(adds)}) WHERE true
            ON CONFLICT DO NOTHING RETURNING "creationId" || ' ' || "memberId" || ' ' || "emoji" AS "key"`,
      removes.length === 0 ? none : this.removeReactions(JSON.stringify(removes)),
    ]);
    if (added.length > 0) {
      // A forgotten member who reacts again gives a new like: the reaction is no longer one to skip in recounts.
      const json = JSON.stringify(added.map((r) => adds[addIndex.get(r.key)!]!.slice(0, 3)));
      await this.prisma.$executeRaw`
        DELETE FROM "ForgottenReaction"
        WHERE ("creationId", "memberId", "emoji") IN (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(${json}))`;
    }
    const inserted = new Set(added.map((r) => r.key));
    const deleted = new Set(removed.map((r) => r.key));
    // Before the batch: a key whose last write added it was there unless the insert made it; one whose last write
    // removed it was there if the delete found it.
    const state = new Map<string, boolean>();
    for (const [key, i] of last) state.set(key, writes[i]!.present ? !inserted.has(key) : deleted.has(key));
    return writes.map((w, i) => {
      const changed = state.get(keys[i]!) !== w.present;
      state.set(keys[i]!, w.present);
      return changed;
    });
  }

  /**
   * Looks up the members, inserts the newcomers and stores the dates that are new or changed (rare: a first reaction
   * since dates were recorded, or a rejoin); then records each one's id and stored dates in `known`.
   */
  private async storeMembers(people: Map<string, Person>, known: Map<string, KnownMember>): Promise<void> {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const json = (list: Person[]) => JSON.stringify(list.map((p) => [p.communityId, p.userId, iso(p.account), iso(p.joined)]));
    type MemberRow = { id: number | bigint; communityId: number | bigint; userId: string; accountCreatedAt: Date | null; joinedAt: Date | null };
    const lookUp = async (list: string, into: Map<string, MemberRow>) => {
      const rows = await this.prisma.$queryRaw<MemberRow[]>`
        SELECT "id", "communityId", "userId", "accountCreatedAt", "joinedAt" FROM "Member"
        WHERE ("communityId", "userId") IN (SELECT value ->> 0, value ->> 1 FROM json_each(${list}))`;
      for (const m of rows) into.set(`${m.communityId} ${m.userId}`, m);
    };
    const stored = new Map<string, MemberRow>();
    await lookUp(json([...people.values()]), stored);
    const newcomers = [...people].filter(([key]) => !stored.has(key)).map(([, p]) => p);
    if (newcomers.length > 0) {
      const list = json(newcomers);
      await this.prisma.$executeRaw`
        INSERT INTO "Member" ("communityId", "userId", "createdAt", "accountCreatedAt", "joinedAt")
        SELECT value ->> 0, value ->> 1, ${new Date()}, value ->> 2, value ->> 3 FROM json_each(${list}) WHERE true
        ON CONFLICT ("communityId", "userId") DO NOTHING`;
      await lookUp(list, stored);
    }
    const changed: Array<[number, string | null, string | null]> = [];
    const learned: Array<[string, KnownMember]> = [];
    for (const [key, p] of people) {
      const m = stored.get(key)!;
      const was = { account: m.accountCreatedAt?.getTime() ?? null, joined: m.joinedAt?.getTime() ?? null };
      const now = { id: Number(m.id), account: p.account ?? was.account, joined: p.joined ?? was.joined };
      if (now.account !== was.account || now.joined !== was.joined) changed.push([now.id, iso(p.account), iso(p.joined)]);
      learned.push([key, now]);
    }
    if (changed.length > 0) {
      const list = JSON.stringify(changed);
      await this.prisma.$executeRaw`
        UPDATE "Member" SET
          "accountCreatedAt" = COALESCE((SELECT value ->> 1 FROM json_each(${list}) WHERE value ->> 0 = "Member"."id"), "accountCreatedAt"),
          "joinedAt" = COALESCE((SELECT value ->> 2 FROM json_each(${list}) WHERE value ->> 0 = "Member"."id"), "joinedAt")
        WHERE "id" IN (SELECT value ->> 0 FROM json_each(${list}))`;
    }
    // Only once all is stored: a batch that fails is run again, and must not skip what it did not write.
    for (const [key, member] of learned) known.set(key, member);
  }

  async clearReactions(creationId: number, emoji: string | undefined, at: Date): Promise<void> {
    // Recorded first, as a removal of every member's reaction (member 0), with this emoji or with all ("").
    await this.prisma.reactionRemoval.upsert({
      where: { creationId_memberId_emoji: { creationId, memberId: 0, emoji: emoji ?? "" } },
      create: { creationId, memberId: 0, emoji: emoji ?? "", at },
      update: { at },
    });
    await this.prisma.reaction.deleteMany({ where: { creationId, ...(emoji === undefined ? {} : { emoji }) } });
  }

  async replaceReactions(creationId: number, communityId: number, reactions: ReactionRow[], readStartedAt: Date): Promise<boolean> {
    const key = (userId: string, emoji: string) => `${userId}\u0000${emoji}`;
    const wanted = new Map(reactions.map((r) => [key(r.userId, r.emoji), r]));
    const current = await this.prisma.reaction.findMany({ where: { creationId }, include: { member: { select: { userId: true } } } });
    // A forgotten member's reaction still up on the platform is not read back; one they added again live is stored
    // (and no longer forgotten) and stays.
    const forgotten = await this.prisma.forgottenReaction.findMany({ where: { creationId }, include: { member: { select: { userId: true } } } });
    const skipped = new Set(forgotten.map((r) => key(r.member.userId, r.emoji)));
    // Live changes seen since the read started (less the clock skew between hosts) are newer than what it read.
    const since = new Date(readStartedAt.getTime() - CLOCK_SKEW_MS);
    const stale = current.filter((r) => !wanted.has(key(r.member.userId, r.emoji)) && (r.reactedAt === null || r.reactedAt < since));
    const have = new Set(current.map((r) => key(r.member.userId, r.emoji)));
    const missing = [...wanted.entries()].filter(([k]) => !have.has(k) && !skipped.has(k)).map(([, r]) => r);
    if (stale.length === 0 && missing.length === 0) return false;
    const memberIds = new Map<string, number>();
    for (const r of missing) {
      if (memberIds.has(r.userId)) continue;
      memberIds.set(r.userId, await this.memberId(communityId, r.userId, r.member));
    }
    const rows = (list: Array<[number, string]>) => JSON.stringify(list.map(([memberId, emoji]) => [memberId, emoji]));
    // One statement each, with the live-change conditions inside them, so a live event that lands between this
    // method's reads and its writes is still respected: a reaction added again live since the read (its `reactedAt`
    // moved on) is not deleted, and one removed live since the read (a ReactionRemoval row, written before the live
    // delete) is not inserted.
    const [deleted, inserted] = await this.prisma.$transaction([
      this.prisma.$executeRaw`
        DELETE FROM "Reaction"
        WHERE "creationId" = ${creationId}
          AND ("memberId", "emoji") IN (SELECT value ->> 0, value ->> 1 FROM json_each(${rows(stale.map((r) => [r.memberId, r.emoji]))}))
          AND ("reactedAt" IS NULL OR "reactedAt" < ${since})`,
      this.prisma.$executeRaw`
        INSERT INTO "Reaction" ("creationId", "memberId", "emoji", "reactedAt")
        SELECT ${creationId}, value ->> 0, value ->> 1, ${readStartedAt} FROM json_each(${rows(missing.map((r) => [memberIds.get(r.userId)!, r.emoji]))}) j
        WHERE NOT EXISTS (
          SELECT 1 FROM "ReactionRemoval" x
          WHERE x."creationId" = ${creationId} AND x."memberId" IN (0, j.value ->> 0) AND x."emoji" IN ('', j.value ->> 1) AND x."at" >= ${since})
        ON CONFLICT DO NOTHING`,
    ]);
    return deleted + inserted > 0;
  }

  async pruneReactionRemovals(before: Date): Promise<number> {
    return (await this.prisma.reactionRemoval.deleteMany({ where: { at: { lt: before } } })).count;
  }

  async membersWithoutJoinDate(communityId: number, userIds: string[]): Promise<string[]> {
    const known = await this.prisma.member.findMany({ where: { communityId, userId: { in: userIds }, joinedAt: { not: null } }, select: { userId: true } });
    const has = new Set(known.map((m) => m.userId));
    return [...new Set(userIds)].filter((id) => !has.has(id));
  }

  async setMemberDates(communityId: number, userId: string, dates: MemberDates): Promise<void> {
    await this.memberId(communityId, userId, dates);
  }

  async recountCommunity(communityId: number): Promise<number> {
    // A page of posts at a time: counted by a read, and only the counts that differ are written, through the recount
    // batches (which count again as they write, in order with the reaction writes). Writing every row of a
    // 1,000,000-creation community took 7 minutes; reading them, under one.
    const count = likeCountOf(Prisma.raw("c"));
    let changed = 0;
    for (let after = 0; ; ) {
      const rows = await this.prisma.$queryRaw<Array<{ id: number | bigint; stored: number | bigint; counted: number | bigint }>>`
        SELECT c."id", c."likeCount" AS "stored", ${count} AS "counted" FROM "Creation" c
        WHERE c."communityId" = ${communityId} AND c."status" = 'posted' AND c."id" > ${after}
        ORDER BY c."id" LIMIT 2000`;
      if (rows.length === 0) return changed;
      const stale = rows.filter((row) => Number(row.stored) !== Number(row.counted));
      const counts = await Promise.all(stale.map((row) => this.recountLikes(Number(row.id))));
      changed += counts.filter((n, i) => n !== Number(stale[i]!.stored)).length;
      after = Number(rows[rows.length - 1]!.id);
    }
  }

  async pruneForgottenReactions(communityId: number, postedBefore: Date): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM "ForgottenReaction" WHERE "creationId" IN (
        SELECT "id" FROM "Creation" WHERE "communityId" = ${communityId} AND ("postedAt" IS NULL OR "postedAt" < ${postedBefore}))`;
  }

  private readonly recounts = new Coalescer<number, number>(
    (ids) => this.recountBatch(ids),
    // While reaction writes are streaming in, a recount waits for them (25 ms at most) and then counts every post they
    // touched at once: a busy post is counted a few times a second instead of after every batch of writes. Quiet, it
    // runs at once; it always runs after the writes before it, so the last count is exact.
    { before: () => (this.reactionWrites.active ? Promise.race([this.reactionWrites.whenIdle(), new Promise<void>((r) => setTimeout(r, 25))]) : undefined) },
  );

  private async recountBatch(ids: number[]): Promise<number[]> {
    const count = likeCountOf(Prisma.raw('"Creation"'));
    const rows = await this.prisma.$queryRaw<Array<{ id: number | bigint; likeCount: number | bigint }>>`
      UPDATE "Creation" SET "likeCount" = ${count}
      WHERE "id" IN (SELECT value FROM json_each(${JSON.stringify([...new Set(ids)])}))
      RETURNING "id", "likeCount"`;
    const counts = new Map(rows.map((row) => [Number(row.id), Number(row.likeCount)]));
    return ids.map((id) => counts.get(id) ?? 0);
  }

  async recountLikes(creationId: number): Promise<number> {
    // A recount of this creation that has not started yet will count what the caller wrote: share it.
    return this.recounts.call(creationId, creationId);
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
    const members = await this.prisma.member.findMany({
      where: { communityId, likesReceived: { gt: 0 } },
      orderBy: [{ likesReceived: "desc" }, { firstLikedPostAt: "asc" }, { id: "asc" }],
      take: limit,
      select: { id: true, userId: true, likesReceived: true, likedPosts: true },
    });
    const best = await Promise.all(
      members.map((m) =>
        this.prisma.creation.findFirst({
          where: { communityId, memberId: m.id, status: "posted", likeCount: { gt: 0 }, postedAt: { not: null } },
          orderBy: [{ likeCount: "desc" }, { postedAt: "asc" }],
          select: { galleryUrl: true },
        }),
      ),
    );
    return members.map((m, index) => ({
      rank: index + 1,
      userId: m.userId,
      likeCount: m.likesReceived,
      creations: m.likedPosts,
      bestUrl: best[index]?.galleryUrl ?? null,
    }));
  }

  async windowStats(communityId: number, from: Date, to: Date): Promise<WindowStats> {
    const community = await this.prisma.community.findUnique({ where: { id: communityId }, select: { likeEmoji: true, allowSelfLikes: true, minAccountAgeDays: true, minMemberAgeDays: true } });
    if (!community) return { creations: 0, likers: 0 };
    const allowed = community.likeEmoji === null ? null : (JSON.parse(community.likeEmoji) as string[]);
    // Counted in one statement: fetching every reaction of a busy day through the ORM took seconds.
    const emoji = allowed === null ? Prisma.empty : allowed.length === 0 ? Prisma.sql`AND 0` : Prisma.sql`AND r."emoji" IN (${Prisma.join(allowed)})`;
    const self = community.allowSelfLikes ? Prisma.empty : Prisma.sql`AND r."memberId" <> c."memberId"`;
    const age = community.minAccountAgeDays === 0 && community.minMemberAgeDays === 0
      ? Prisma.empty
      : Prisma.sql`AND ${oldEnough(Prisma.raw("r"), Prisma.raw("c"), community.minAccountAgeDays, community.minMemberAgeDays)}`;
    // The likers' ids come back as one JSON array and are told apart in JS: SQLite's COUNT(DISTINCT) over a busy
    // day's reactions took twice as long.
    const [row] = await this.prisma.$queryRaw<Array<{ creations: bigint | number; likers: string | null }>>`
      SELECT
        (SELECT COUNT(*) FROM "Creation" WHERE "communityId" = ${communityId} AND "status" = 'posted' AND "postedAt" >= ${from} AND "postedAt" < ${to}) AS "creations",
        (SELECT json_group_array(r."memberId")
           FROM "Creation" c JOIN "Reaction" r ON r."creationId" = c."id"
          WHERE c."communityId" = ${communityId} AND c."status" = 'posted' AND c."postedAt" >= ${from} AND c."postedAt" < ${to}
            AND r."memberId" NOT IN (SELECT "id" FROM "Member" WHERE "blocked" = 1) ${self} ${emoji} ${age}) AS "likers"`;
    return { creations: Number(row?.creations ?? 0), likers: countDistinct(JSON.parse(row?.likers ?? "[]") as number[]) };
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

  async digestsNaming(communityId: number, userId: string): Promise<Array<{ day: string; channelId: string; messageId: string }>> {
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
        forgottenReactions: { include: { creation: { select: { galleryUrl: true } } }, orderBy: [{ creationId: "asc" }, { emoji: "asc" }] },
      },
    });
    return {
      userId,
      blocked: member?.blocked ?? false,
      accountCreatedAt: member?.accountCreatedAt ?? null,
      joinedAt: member?.joinedAt ?? null,
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
      reactions: (member?.reactions ?? []).map((r) => ({ creationId: r.creationId, emoji: r.emoji, galleryUrl: r.creation.galleryUrl, reactedAt: r.reactedAt })),
      forgottenReactions: (member?.forgottenReactions ?? []).map((r) => ({ creationId: r.creationId, emoji: r.emoji, galleryUrl: r.creation.galleryUrl })),
    };
  }

  async forgetMember(communityId: number, userId: string): Promise<{ imageHashes: string[]; posts: Array<{ channelId: string; messageId: string }>; reactionsLeft: number }> {
    const member = await this.prisma.member.findUnique({ where: { communityId_userId: { communityId, userId } } });
    if (!member) return { imageHashes: [], posts: [], reactionsLeft: 0 };
    const reactedTo = await this.creationsReactedBy(communityId, userId);
    const creations = await this.prisma.creation.findMany({ where: { memberId: member.id } });
    await this.prisma.$transaction([
      // Their reactions on others' posts stay on the platform: remember not to read them back.
      this.prisma.$executeRaw`
        INSERT INTO "ForgottenReaction" ("creationId", "memberId", "emoji")
        SELECT r."creationId", r."memberId", r."emoji" FROM "Reaction" r JOIN "Creation" c ON c."id" = r."creationId"
        WHERE r."memberId" = ${member.id} AND c."memberId" <> ${member.id}
        ON CONFLICT DO NOTHING`,
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
      // What they made so far is "a former member's" where it is still shown (digests, once edited).
      this.prisma.member.update({ where: { id: member.id }, data: { forgottenAt: new Date() } }),
    ]);
    for (const id of reactedTo) await this.recountLikes(id);
    const hashes = creations.map((c) => c.imageHash).filter((h): h is string => h !== null);
    const stillUsed = await this.prisma.creation.findMany({ where: { imageHash: { in: hashes } }, select: { imageHash: true } });
    const used = new Set(stillUsed.map((c) => c.imageHash));
    return {
      reactionsLeft: await this.prisma.forgottenReaction.count({ where: { memberId: member.id } }),
      imageHashes: [...new Set(hashes)].filter((h) => !used.has(h)),
      posts: creations
        .filter((c) => c.galleryChannelId && c.galleryMessageId)
        .map((c) => ({ channelId: c.galleryChannelId!, messageId: c.galleryMessageId! })),
    };
  }
}
