import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import BetterSqlite3 from "better-sqlite3";
import { migrationNames } from "../../src/store/migrations.js";
import { MIGRATIONS_DIR, openDatabase, SQLITE_MAX_BIND_VALUES, type Database } from "../../src/store/database.js";
import { createPrismaStores } from "../../src/store/prisma/stores.js";
import { eventLoopTurns } from "../support/event-loop-turns.js";

const opened: Database[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("openDatabase", () => {
  it("creates the folder, applies every migration once, and applies none the next time", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "salon-db-"));
    const url = `file:${path.join(dir, "nested", "salon.db")}`;
    const first = await openDatabase(url);
    opened.push(first);
    expect(first.applied).toEqual(await migrationNames(MIGRATIONS_DIR));
    await first.prisma.community.create({ data: { platform: "discord", externalId: "1" } });
    await first.close();
    opened.pop();
    const again = await openDatabase(url);
    opened.push(again);
    expect(again.applied).toEqual([]);
    expect(await again.prisma.community.count()).toBe(1);
  });

  it("lets a second process open the file while the first one has it open", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "salon-db-"));
    const url = `file:${path.join(dir, "salon.db")}`;
    const first = await openDatabase(url);
    opened.push(first);
    await first.prisma.community.count(); // the first process is connected and has read
    const second = await openDatabase(url);
    opened.push(second);
    await first.prisma.community.create({ data: { platform: "discord", externalId: "1" } });
    expect(await second.prisma.community.count()).toBe(1);
  });

  it("answers 500 members' lookups made in the same tick, though Prisma batches them into one statement of 1,000 parameters", async () => {
    // 500 members' /imagine at once: each asks whether its member is blocked (a community and user key), in one tick.
    dir = await mkdtemp(path.join(tmpdir(), "salon-db-"));
    const db = await openDatabase(`file:${path.join(dir, "salon.db")}`);
    opened.push(db);
    const store = createPrismaStores(db.prisma, db.dialect).communities;
    const community = await db.prisma.community.create({ data: { platform: "discord", externalId: "1" } });
    await store.setBlocked(community.id, "member-7", true);
    const members = Array.from({ length: 500 }, (_, i) => `member-${i}`);
    const answers = await Promise.allSettled(members.map((userId) => store.isBlocked(community.id, userId)));
    expect(answers.filter((a) => a.status === "rejected").map((a) => String(a.reason).split("\n").at(-1))).toEqual([]);
    expect(members.filter((_, i) => (answers[i] as PromiseFulfilledResult<boolean>).value)).toEqual(["member-7"]);
  });

  it("tells Prisma the parameter limit of the bundled SQLite, which takes that many in one statement and not one more", () => {
    const raw = new BetterSqlite3(":memory:");
    const inList = (n: number) => raw.prepare(`SELECT ${SQLITE_MAX_BIND_VALUES} AS n WHERE 1 IN (${Array(n).fill("?").join(",")})`);
    expect(inList(SQLITE_MAX_BIND_VALUES).get(...Array(SQLITE_MAX_BIND_VALUES).fill(1))).toEqual({ n: SQLITE_MAX_BIND_VALUES });
    expect(() => inList(SQLITE_MAX_BIND_VALUES + 1)).toThrow(/too many SQL variables/);
    raw.close();
  });

  /** `count` members' /imagine reaching their insert together: what each got, and on which turn of the event loop. */
  async function insertsTogether(count: number) {
    dir = await mkdtemp(path.join(tmpdir(), "salon-db-"));
    const db = await openDatabase(`file:${path.join(dir, "salon.db")}`);
    opened.push(db);
    const { communities, creations } = createPrismaStores(db.prisma, db.dialect);
    const community = await db.prisma.community.create({ data: { platform: "discord", externalId: "1" } });
    const members = Array.from({ length: count }, (_, i) => `member-${i}`);
    for (const userId of members) await communities.setBlocked(community.id, userId, false);
    const turns = eventLoopTurns();
    const now = new Date();
    const limits = { perMemberDaily: 5, budgetMicroUsd: 1_000_000_000, cooldownMs: 0 };
    const outcomes = await Promise.all(
      members.map(async (userId) => {
        const creation = { communityId: community.id, userId, prompt: "a lighthouse", aspect: "square", quality: "medium", size: "1024x1024", model: "gpt-image-1", costMicroUsd: 40_000, day: "2026-12-02", now, statusRef: null } as const;
        const got = await creations.insertCreationWithinLimits(creation, limits).then(
          (created) => (typeof created === "string" ? created : created.status),
          (error: unknown) => String(error).split("\n").at(-1)!,
        );
        return { got, turn: turns.now() };
      }),
    );
    turns.stop();
    return outcomes;
  }

  it("runs the transactions of 50 members' /imagine queued together one per turn of the event loop, so the loop reads the network between them", async () => {
    const outcomes = await insertsTogether(50);
    expect(outcomes.filter((o) => o.got !== "queued")).toEqual([]);
    // Before the fix, all 50 were inserted on one turn: each transaction handed to the next as a promise continuation.
    expect(new Set(outcomes.map((o) => o.turn)).size).toBe(50);
  });

  it("takes every one of 500 members' /imagine queued together, though the last one waits for 499 transactions before it", async () => {
    // With the loop turning between transactions, Prisma's 2 s wait to start one ran out for about half of them.
    const outcomes = await insertsTogether(500);
    expect(outcomes.filter((o) => o.got !== "queued")).toEqual([]);
  });

  it("goes on to the next transaction after one that rolled back, keeping nothing of it", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "salon-db-"));
    const db = await openDatabase(`file:${path.join(dir, "salon.db")}`);
    opened.push(db);
    const failing = db.prisma.$transaction(async (tx) => {
      await tx.community.create({ data: { platform: "discord", externalId: "rolled back" } });
      throw new Error("the transaction's work failed");
    });
    const next = db.prisma.$transaction(async (tx) => tx.community.create({ data: { platform: "discord", externalId: "kept" } }));
    await expect(failing).rejects.toThrow("the transaction's work failed");
    await next;
    expect((await db.prisma.community.findMany()).map((c) => c.externalId)).toEqual(["kept"]);
  });
});
