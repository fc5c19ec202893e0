/** Member rows as the other implementations need them: a member's row id, created on first sight, one or a batch at a time. */
import type { MemberDates } from "../../core/types.js";
import type { Dialect } from "../dialects/dialect.js";
import type { PrismaClient } from "../generated/client.js";
import { upsertRacing } from "./retry.js";

/** The member's row id, creating the row when needed; the platform's dates, when given, are recorded too. */
export async function memberId(prisma: PrismaClient, communityId: number, userId: string, dates: MemberDates = {}): Promise<number> {
  const known = {
    ...(dates.accountCreatedAt ? { accountCreatedAt: dates.accountCreatedAt } : {}),
    ...(dates.joinedAt ? { joinedAt: dates.joinedAt } : {}),
  };
  const row = await upsertRacing(() =>
    prisma.member.upsert({
      where: { communityId_userId: { communityId, userId } },
      create: { communityId, userId, ...known },
      update: known,
      select: { id: true },
    }),
  );
  return row.id;
}

/** A member a batch of writes names, with the dates the platform gave along (epoch ms), null when not. */
interface Person {
  communityId: number;
  userId: string;
  account: number | null;
  joined: number | null;
}

/** A member's row id and the dates stored for it (epoch ms), as the batches last saw them. */
interface KnownMember {
  id: number;
  account: number | null;
  joined: number | null;
}

/** How long the batches trust what they know of members' dates, and how many members they keep at most. */
const MEMBER_CACHE_MS = 30_000;
const MEMBER_CACHE_SIZE = 20_000;

/**
 * Members' row ids for batches of reaction writes, by `communityId userId`, with the dates last stored for them: a
 * member's reactions after the first skip the member statements unless the platform now gives other dates. Ids never
 * change (members are never deleted); dates another process stores are taken into account within
 * {@link MEMBER_CACHE_MS} (the cache is then dropped), and a date given here that differs from the cached one is
 * always written.
 */
export class MemberIds {
  private known = new Map<string, KnownMember>();
  private knownSince = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly dialect: Dialect,
  ) {}

  /**
   * The row id of each write's member, in order: a reaction may be a member's first act, so the members not known yet
   * are looked up, and stored when new, each once with the latest dates the batch gave (a member who left and came
   * back has a new join date).
   */
  async of(writes: ReadonlyArray<{ communityId: number; userId: string; member?: MemberDates | undefined }>): Promise<number[]> {
    const now = Date.now();
    if (now - this.knownSince > MEMBER_CACHE_MS || this.known.size > MEMBER_CACHE_SIZE) {
      this.known = new Map();
      this.knownSince = now;
    }
    const known = this.known;
    const keys = new Array<string>(writes.length);
    let people: Map<string, Person> | null = null;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      const key = `${w.communityId} ${w.userId}`;
      keys[i] = key;
      const account = w.member?.accountCreatedAt?.getTime() ?? null;
      const joined = w.member?.joinedAt?.getTime() ?? null;
      const cached = known.get(key);
      const before = people?.get(key);
      if (!before && cached && (account === null || account === cached.account) && (joined === null || joined === cached.joined)) continue;
      people ??= new Map();
      people.set(key, { communityId: w.communityId, userId: w.userId, account: account ?? before?.account ?? null, joined: joined ?? before?.joined ?? null });
    }
    if (people) await this.store(people, known);
    return keys.map((key) => known.get(key)!.id);
  }

  /**
   * Looks up the members, inserts the newcomers and stores the dates that are new or changed (rare: a first reaction
   * since dates were recorded, or a rejoin); then records each one's id and stored dates in `known`. Rows go in as
   * one JSON parameter per statement.
   */
  private async store(people: Map<string, Person>, known: Map<string, KnownMember>): Promise<void> {
    const { dialect } = this;
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const json = (list: Person[]) => JSON.stringify(list.map((p) => [p.communityId, p.userId, iso(p.account), iso(p.joined)]));
    const fields = ["int", "text", "time", "time"] as const;
    type MemberRow = { id: number | bigint; communityId: number | bigint; userId: string; accountCreatedAt: Date | null; joinedAt: Date | null };
    const lookUp = async (list: string, into: Map<string, MemberRow>) => {
      const rows = dialect.jsonRows(list, fields);
      const found = await this.prisma.$queryRaw<MemberRow[]>`
        SELECT "id", "communityId", "userId", "accountCreatedAt", "joinedAt" FROM "Member"
        WHERE ("communityId", "userId") IN (SELECT ${rows.field(0)}, ${rows.field(1)} FROM ${rows.from})`;
      for (const m of found) into.set(`${m.communityId} ${m.userId}`, m);
    };
    const stored = new Map<string, MemberRow>();
    await lookUp(json([...people.values()]), stored);
    const newcomers = [...people].filter(([key]) => !stored.has(key)).map(([, p]) => p);
    if (newcomers.length > 0) {
      const list = json(newcomers);
      const rows = dialect.jsonRows(list, fields);
      await this.prisma.$executeRaw`
        INSERT INTO "Member" ("communityId", "userId", "createdAt", "accountCreatedAt", "joinedAt")
        SELECT ${rows.field(0)}, ${rows.field(1)}, ${new Date()}, ${rows.field(2)}, ${rows.field(3)} FROM ${rows.from} WHERE true
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
      const rows = dialect.jsonRows(JSON.stringify(changed), ["int", "time", "time"]);
      await this.prisma.$executeRaw`
        UPDATE "Member" SET
          "accountCreatedAt" = COALESCE((SELECT ${rows.field(1)} FROM ${rows.from} WHERE ${rows.field(0)} = "Member"."id"), "accountCreatedAt"),
          "joinedAt" = COALESCE((SELECT ${rows.field(2)} FROM ${rows.from} WHERE ${rows.field(0)} = "Member"."id"), "joinedAt")
        WHERE "id" IN (SELECT ${rows.field(0)} FROM ${rows.from})`;
    }
    // Only once all is stored: a batch that fails is run again, and must not skip what it did not write.
    for (const [key, member] of learned) known.set(key, member);
  }
}
