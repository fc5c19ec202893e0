/**
 * SQLite's own failures on the running bot's file: another connection's exclusive lock (SQLITE_BUSY past the busy
 * timeout), `PRAGMA query_only` on the bot's connection (SQLITE_READONLY, as a read-only file or mount answers; a
 * running process keeps its file open, so chmod would change nothing for it) and `max_page_count` (SQLITE_FULL).
 */
import BetterSqlite3 from "better-sqlite3";
import type { PrismaClient } from "../../../src/store/generated/client.js";
import { startHarness, type Harness } from "../../support/harness.js";
import { databaseRows } from "../../support/test-database.js";
import type { DatabaseStaging } from "./database-staging.js";

/** The bot's own database connection (SQLite settings such as query_only are per connection). */
function botPrisma(h: Harness): PrismaClient {
  return (h.running.salon.deps.creations as unknown as { prisma: PrismaClient }).prisma;
}

/** Longer than a page (4 KiB), so storing it needs pages the file does not have; within Discord's 6,000 characters. */
const PAGES_LONG = Array.from({ length: 200 }, () => "a lighthouse in a storm").join(", ");

export function sqliteStaging(): DatabaseStaging {
  let h: Harness | undefined;
  const harness = () => h ?? raise("start() first");
  const file = () => harness().config.database.url.slice("file:".length);
  const pragma = (sql: string) => botPrisma(harness()).$queryRawUnsafe<Array<Record<string, bigint>>>(sql);
  let other: BetterSqlite3.Database | undefined;
  return {
    async start() {
      h = await startHarness();
      return h;
    },
    rows: (sql, ...params) => databaseRows(harness().config.database.url, sql, ...params),
    failures: {
      "locked by another connection": {
        async break() {
          other = new BetterSqlite3(file(), { timeout: 5_000 });
          other.exec("BEGIN EXCLUSIVE");
        },
        async heal() {
          other?.exec("ROLLBACK");
          other?.close();
          other = undefined;
        },
      },
      "read-only": {
        break: async () => void (await pragma("PRAGMA query_only = ON")),
        heal: async () => void (await pragma("PRAGMA query_only = OFF")),
      },
      "full": {
        prompt: PAGES_LONG,
        // A reaction's rows are small and may fit in a page the file already has.
        reactionsFail: false,
        async break() {
          await botPrisma(harness()).$executeRawUnsafe(`UPDATE "Community" SET "maxPromptLength" = ${PAGES_LONG.length}`);
          const [{ page_count: pages }] = (await pragma("PRAGMA page_count")) as [{ page_count: bigint }];
          await pragma(`PRAGMA max_page_count = ${pages}`);
        },
        heal: async () => void (await pragma("PRAGMA max_page_count = 1073741823")),
      },
    },
    async stop() {
      other?.close();
    },
  };
}

function raise(message: string): never {
  throw new Error(message);
}
