import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrationNames } from "../../src/store/migrations.js";
import { MIGRATIONS_DIR, openDatabase, type Database } from "../../src/store/database.js";

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
});
