/**
 * Reads a community's stored data straight from the SQLite file (a read-only connection beside the bot's), so a
 * test can compare it before and after another community's commands and events, independently of the store code.
 */
import BetterSqlite3 from "better-sqlite3";
import { sqlitePath } from "../../src/store/database.js";
import type { Platform } from "../../src/core/types.js";

export type Row = Record<string, unknown>;

export interface CommunitySnapshot {
  community: Row;
  members: Row[];
  creations: Row[];
  reactions: Row[];
  digests: Row[];
}

/** Every row that belongs to one community, in a stable order. Throws when the community is not stored. */
export function snapshotCommunity(databaseUrl: string, platform: Platform, externalId: string): CommunitySnapshot {
  const db = new BetterSqlite3(sqlitePath(databaseUrl), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const community = db.prepare("SELECT * FROM Community WHERE platform = ? AND externalId = ?").get(platform, externalId) as Row | undefined;
    if (!community) throw new Error(`community ${platform}:${externalId} is not stored`);
    const id = community.id;
    return {
      community,
      members: db.prepare("SELECT * FROM Member WHERE communityId = ? ORDER BY id").all(id) as Row[],
      creations: db.prepare("SELECT * FROM Creation WHERE communityId = ? ORDER BY id").all(id) as Row[],
      reactions: db
        .prepare("SELECT r.* FROM Reaction r JOIN Creation c ON c.id = r.creationId WHERE c.communityId = ? ORDER BY r.creationId, r.memberId, r.emoji")
        .all(id) as Row[],
      digests: db.prepare("SELECT * FROM Digest WHERE communityId = ? ORDER BY id").all(id) as Row[],
    };
  } finally {
    db.close();
  }
}

/** Every text value stored anywhere in the database, with where it is (table.column), for leak scans. */
export function storedTexts(databaseUrl: string): Array<{ where: string; value: string }> {
  const db = new BetterSqlite3(sqlitePath(databaseUrl), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%'").all() as Array<{ name: string }>).map((t) => t.name);
    const out: Array<{ where: string; value: string }> = [];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as Row[]) {
        for (const [column, value] of Object.entries(row)) if (typeof value === "string") out.push({ where: `${table}.${column}`, value });
      }
    }
    return out;
  } finally {
    db.close();
  }
}
