import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import BetterSqlite3 from "better-sqlite3";
import { migrationNames } from "../../src/store/migrations.js";
import { MIGRATIONS_DIR, openDatabase, SQLITE_MAX_BIND_VALUES, type Database } from "../../src/store/database.js";
import { PrismaStore } from "../../src/store/prisma-store.js";

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
    const store = new PrismaStore(db.prisma);
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
});
