/**
 * Prepared statements reused (src/store/sqlite-statements.ts): each SQL text is prepared once per connection, a use
 * binds its own values, and one use's row shape doesn't leak into the next; through Prisma, repeating a query
 * prepares nothing new.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "../../src/store/database.js";
import { reuseStatements } from "../../src/store/sqlite-statements.js";

let dir: string | undefined;
let opened: Database | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await opened?.close();
  opened = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An in-memory database whose `prepare` calls to better-sqlite3 itself are counted. */
function countedDb(kept?: number) {
  const db = new BetterSqlite3(":memory:");
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  reuseStatements(db, kept);
  db.prepare("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").run();
  return { db, prepared };
}

describe("reused statements", () => {
  it("prepares a text once and binds each use's own values, as the adapter calls it", () => {
    const { db, prepared } = countedDb();
    const insert = "INSERT INTO t (id, name) VALUES (?, ?)";
    for (let i = 1; i <= 5; i++) expect(db.prepare(insert).bind([i, `n${i}`]).run().changes).toBe(1);
    const select = "SELECT id, name FROM t WHERE id >= ? ORDER BY id";
    const use = db.prepare(select).bind([4]);
    expect(use.reader).toBe(true);
    expect(use.columns().map((c) => c.name)).toEqual(["id", "name"]);
    expect(use.raw().all()).toEqual([[4, "n4"], [5, "n5"]]);
    expect(db.prepare(select).bind([5]).raw().all()).toEqual([[5, "n5"]]);
    expect(prepared.filter((sql) => sql === insert)).toHaveLength(1);
    expect(prepared.filter((sql) => sql === select)).toHaveLength(1);
  });

  it("gives rows as objects to a use that did not ask for arrays, after one that did", () => {
    const { db } = countedDb();
    db.prepare("INSERT INTO t (id, name) VALUES (1, 'a')").run();
    const select = "SELECT id, name FROM t";
    expect(db.prepare(select).raw().all()).toEqual([[1, "a"]]);
    expect(db.prepare(select).all()).toEqual([{ id: 1, name: "a" }]);
    expect(db.prepare(select).get()).toEqual({ id: 1, name: "a" });
    expect(db.prepare("SELECT name FROM t WHERE id = ?").get(1)).toEqual({ name: "a" });
  });

  it("keeps the most recently used texts only, preparing a dropped one again", () => {
    const { db, prepared } = countedDb(2);
    const texts = ["SELECT 1", "SELECT 2", "SELECT 3"];
    for (const sql of texts) db.prepare(sql).get();
    db.prepare("SELECT 3").get(); // kept
    db.prepare("SELECT 1").get(); // dropped (least recently used), prepared again
    expect(prepared.filter((sql) => sql.startsWith("SELECT"))).toEqual([...texts, "SELECT 1"]);
  });

  it("makes a query Prisma repeats prepare nothing new, with each repetition's answer", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "salon-statements-"));
    opened = await openDatabase(`file:${path.join(dir, "salon.db")}`);
    const prepare = vi.spyOn(BetterSqlite3.prototype, "prepare");
    await opened.prisma.community.create({ data: { platform: "discord", externalId: "warm-up" } });
    await opened.prisma.community.findUnique({ where: { platform_externalId: { platform: "discord", externalId: "warm-up" } } });
    const before = prepare.mock.calls.length;
    expect(before).toBeGreaterThan(0); // the adapter's handle is the one reused (its `client`)
    for (let i = 0; i < 20; i++) {
      await opened.prisma.community.create({ data: { platform: "discord", externalId: `g${i}` } });
      const found = await opened.prisma.community.findUnique({ where: { platform_externalId: { platform: "discord", externalId: `g${i}` } } });
      expect(found?.externalId).toBe(`g${i}`);
    }
    expect(prepare.mock.calls.length - before).toBe(0);
  });
});
