/**
 * The {@link LikeStore} over Prisma. The reaction path is batched (see {@link Coalescer}): a burst of gateway events
 * costs a few statements per batch instead of several per event, and the recount that every write ends with is shared
 * by the writes of a batch.
 */
import type { LikeStore, ReactionRow, ReactionSeen } from "../../core/store/likes.js";
import { Coalescer } from "../coalesce.js";
import type { Dialect } from "../dialects/dialect.js";
import { Prisma, type PrismaClient } from "../generated/client.js";
import { likeCountOf } from "./like-count.js";
import { memberId, MemberIds } from "./members.js";
import { retrying, upsertRacing } from "./retry.js";

/** One `setReaction` call, as batched. */
interface ReactionWrite {
  creationId: number;
  communityId: number;
  userId: string;
  emoji: string;
  present: boolean;
  seen: ReactionSeen;
}

/**
 * How far apart the clocks that stamp live changes and reconciliation reads may be: a reconciliation keeps live changes
 * seen this long before its read started. SQLite keeps Salon on one host, so every stamp comes from one clock.
 */
const CLOCK_SKEW_MS = 0;

export class PrismaLikeStore implements LikeStore {
  private readonly members: MemberIds;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly dialect: Dialect,
  ) {
    this.members = new MemberIds(prisma, dialect);
  }

  private readonly reactionWrites = new Coalescer<ReactionWrite, boolean>((writes) => this.writeReactionsOrMark(writes), { maxBatch: 2000 });

  /**
   * Creations whose reaction writes failed part-way (some statements may have landed before the failure, so the
   * retried writes would answer "nothing changed" for them), or whose recount after a write failed: their next write
   * counts as a change, so it recounts.
   */
  private readonly unsettled = new Set<number>();

  private unsettle(creationIds: number[]): void {
    // Bounded: a database that keeps failing must not make this grow forever (those creations' counts are then
    // corrected by the next reconciliation instead).
    if (this.unsettled.size < 10_000) for (const id of creationIds) this.unsettled.add(id);
  }

  private async writeReactionsOrMark(writes: ReactionWrite[]): Promise<boolean[]> {
    try {
      const changed = await retrying(this.dialect, () => this.writeReactions(writes));
      return writes.map((w, i) => {
        if (!this.unsettled.has(w.creationId)) return changed[i]!;
        this.unsettled.delete(w.creationId);
        return true;
      });
    } catch (error) {
      this.unsettle(writes.map((w) => w.creationId));
      throw error;
    }
  }

  /** The like count after a write that changed something; a recount that fails leaves the creation unsettled. */
  private async countAfterWrite(creationId: number): Promise<number> {
    try {
      return await this.recountLikes(creationId);
    } catch (error) {
      this.unsettle([creationId]);
      throw error;
    }
  }

  async setReaction(creationId: number, communityId: number, userId: string, emoji: string, present: boolean, seen: ReactionSeen): Promise<number | null> {
    const changed = await this.reactionWrites.call({ creationId, communityId, userId, emoji, present, seen });
    return changed ? this.countAfterWrite(creationId) : null;
  }

  /**
   * Deletes reactions (`[creationId, memberId, emoji, seenAt]` as JSON) and records each removal first, so a
   * reconciliation reading the platform meanwhile does not put them back (see `replaceReactions`). First: were the
   * removal recorded after the delete, a reconciliation could re-insert the row in between.
   */
  private async removeReactions(json: string): Promise<Array<{ key: string }>> {
    const rows = this.dialect.jsonRows(json, ["int", "int", "text", "time"]);
    const [creationId, memberId, emoji, at] = [0, 1, 2, 3].map((i) => rows.field(i));
    await this.prisma.$executeRaw`
      INSERT INTO "ReactionRemoval" ("creationId", "memberId", "emoji", "at")
      SELECT ${creationId}, ${memberId}, ${emoji}, ${at} FROM ${rows.from} WHERE true
      ON CONFLICT ("creationId", "memberId", "emoji") DO UPDATE SET "at" = excluded."at" WHERE excluded."at" > "ReactionRemoval"."at"`;
    return this.prisma.$queryRaw<Array<{ key: string }>>`
      DELETE FROM "Reaction"
      WHERE ("creationId", "memberId", "emoji") IN (SELECT ${creationId}, ${memberId}, ${emoji} FROM ${rows.from})
      RETURNING "creationId" || ' ' || "memberId" || ' ' || "emoji" AS "key"`;
  }

  /**
   * Applies reaction writes as if one after another, in a few statements however many there are: the members (see
   * {@link MemberIds}), then each (creation, member, emoji)'s last write, an insert or a delete that reports what it
   * changed. That report gives each key's state before the batch, and replaying the writes on it gives each write's own
   * answer (true when it changed something; a replayed event changes nothing). Rows go in as one JSON parameter per
   * statement: binding thousands of parameters one by one cost more than the statements.
   */
  private async writeReactions(writes: ReactionWrite[]): Promise<boolean[]> {
    const memberIds = await this.members.of(writes.map((w) => ({ communityId: w.communityId, userId: w.userId, member: w.seen.member })));
    // Each write's key, and each key's last write.
    const keys = new Array<string>(writes.length);
    const last = new Map<string, number>();
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      keys[i] = `${w.creationId} ${memberIds[i]!} ${w.emoji}`;
      last.set(keys[i]!, i);
    }
    const adds: Array<[number, number, string, string]> = [];
    const addIndex = new Map<string, number>();
    const removes: Array<[number, number, string, string]> = [];
    for (const [key, i] of last) {
      const w = writes[i]!;
      const row: [number, number, string, string] = [w.creationId, memberIds[i]!, w.emoji, this.dialect.jsonTime(w.seen.at)];
      if (w.present) {
        addIndex.set(key, adds.length);
        adds.push(row);
      } else removes.push(row);
    }
    // Each changed row comes back as its key, one string: a row of three columns cost more to read through the ORM.
    type Row = { key: string };
    const none = Promise.resolve<Row[]>([]);
    const rows = (json: string) => this.dialect.jsonRows(json, ["int", "int", "text", "time"]);
    const insert = (r: ReturnType<typeof rows>) => this.prisma.$queryRaw<Row[]>`
      INSERT INTO "Reaction" ("creationId", "memberId", "emoji", "reactedAt")
      SELECT ${r.field(0)}, ${r.field(1)}, ${r.field(2)}, ${r.field(3)} FROM ${r.from} WHERE true
      ON CONFLICT DO NOTHING RETURNING "creationId" || ' ' || "memberId" || ' ' || "emoji" AS "key"`;
    // Two statements on disjoint keys, each atomic (a transaction around them measured slower).
    const [added, removed] = await Promise.all([
      adds.length === 0 ? none : insert(rows(JSON.stringify(adds))),
      removes.length === 0 ? none : this.removeReactions(JSON.stringify(removes)),
    ]);
    if (added.length > 0) {
      // A forgotten member who reacts again gives a new like: the reaction is no longer one to skip in recounts.
      const again = this.dialect.jsonRows(JSON.stringify(added.map((r) => adds[addIndex.get(r.key)!]!.slice(0, 3))), ["int", "int", "text"]);
      await this.prisma.$executeRaw`
        DELETE FROM "ForgottenReaction"
        WHERE ("creationId", "memberId", "emoji") IN (SELECT ${again.field(0)}, ${again.field(1)}, ${again.field(2)} FROM ${again.from})`;
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

  async clearReactions(creationId: number, emoji: string | undefined, at: Date): Promise<number> {
    // Recorded first, as a removal of every member's reaction (member 0), with this emoji or with all ("").
    await upsertRacing(() =>
      this.prisma.reactionRemoval.upsert({
        where: { creationId_memberId_emoji: { creationId, memberId: 0, emoji: emoji ?? "" } },
        create: { creationId, memberId: 0, emoji: emoji ?? "", at },
        update: { at },
      }),
    );
    await this.prisma.reaction.deleteMany({ where: { creationId, ...(emoji === undefined ? {} : { emoji }) } });
    return this.countAfterWrite(creationId);
  }

  async replaceReactions(creationId: number, communityId: number, reactions: ReactionRow[], readStartedAt: Date): Promise<number | null> {
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
    if (stale.length === 0 && missing.length === 0) return null;
    const memberIds = new Map<string, number>();
    for (const r of missing) {
      if (memberIds.has(r.userId)) continue;
      memberIds.set(r.userId, await memberId(this.prisma, communityId, r.userId, r.member));
    }
    const rows = (list: Array<[number, string]>) => this.dialect.jsonRows(JSON.stringify(list), ["int", "text"], "j");
    const gone = rows(stale.map((r) => [r.memberId, r.emoji]));
    const found = rows(missing.map((r) => [memberIds.get(r.userId)!, r.emoji]));
    // One statement each, with the live-change conditions inside them, so a live event that lands between this
    // method's reads and its writes is still respected: a reaction added again live since the read (its `reactedAt`
    // moved on) is not deleted, and one removed live since the read (a ReactionRemoval row, written before the live
    // delete) is not inserted.
    const [deleted, inserted] = await this.prisma.$transaction([
      this.prisma.$executeRaw`
        DELETE FROM "Reaction"
        WHERE "creationId" = ${creationId}
          AND ("memberId", "emoji") IN (SELECT ${gone.field(0)}, ${gone.field(1)} FROM ${gone.from})
          AND ("reactedAt" IS NULL OR "reactedAt" < ${since})`,
      this.prisma.$executeRaw`
        INSERT INTO "Reaction" ("creationId", "memberId", "emoji", "reactedAt")
        SELECT ${creationId}, ${found.field(0)}, ${found.field(1)}, ${readStartedAt} FROM ${found.from}
        WHERE NOT EXISTS (
          SELECT 1 FROM "ReactionRemoval" x
          WHERE x."creationId" = ${creationId} AND x."memberId" IN (0, ${found.field(0)}) AND x."emoji" IN ('', ${found.field(1)}) AND x."at" >= ${since})
        ON CONFLICT DO NOTHING`,
    ]);
    return deleted + inserted > 0 ? this.countAfterWrite(creationId) : null;
  }

  async pruneReactionRemovals(before: Date): Promise<number> {
    return (await this.prisma.reactionRemoval.deleteMany({ where: { at: { lt: before } } })).count;
  }

  async recountMember(communityId: number, userId: string): Promise<void> {
    for (const id of await this.creationsReactedBy(communityId, userId)) await this.recountLikes(id);
  }

  async recountCommunity(communityId: number): Promise<number> {
    // A page of posts at a time: counted by a read, and only the counts that differ are written, through the recount
    // batches (which count again as they write, in order with the reaction writes). Writing every row of a
    // 1,000,000-creation community took 7 minutes; reading them, under one.
    const count = likeCountOf(this.dialect, Prisma.raw("c"));
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
    const count = likeCountOf(this.dialect, Prisma.raw('"Creation"'));
    const rows = await this.prisma.$queryRaw<Array<{ id: number | bigint; likeCount: number | bigint }>>`
      UPDATE "Creation" SET "likeCount" = ${count}
      WHERE ${this.dialect.inIds(Prisma.raw('"id"'), [...new Set(ids)])}
      RETURNING "id", "likeCount"`;
    const counts = new Map(rows.map((row) => [Number(row.id), Number(row.likeCount)]));
    return ids.map((id) => counts.get(id) ?? 0);
  }

  /** Recomputes and stores the like count of a creation from its reactions and the community's rules. */
  async recountLikes(creationId: number): Promise<number> {
    // A recount of this creation that has not started yet will count what the caller wrote: share it.
    return this.recounts.call(creationId, creationId);
  }

  /** Ids of the creations a member has reacted to. */
  async creationsReactedBy(communityId: number, userId: string): Promise<number[]> {
    const rows = await this.prisma.reaction.findMany({
      where: { member: { communityId, userId } },
      select: { creationId: true },
      distinct: ["creationId"],
    });
    return rows.map((r) => r.creationId);
  }
}
