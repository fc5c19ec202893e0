/**
 * Reads a community's stored data straight from the bot's database, SQLite or PostgreSQL (a connection beside the
 * bot's: test/support/test-database.ts), so a test can compare it before and after another community's commands and
 * events, independently of the store code.
 */
import type { Platform } from "../../src/core/types.js";
import { databaseRows } from "../support/test-database.js";

export type Row = Record<string, unknown>;

export interface CommunitySnapshot {
  community: Row;
  members: Row[];
  creations: Row[];
  reactions: Row[];
  digests: Row[];
}

/** Every row that belongs to one community, in a stable order. Throws when the community is not stored. */
export async function snapshotCommunity(databaseUrl: string, platform: Platform, externalId: string): Promise<CommunitySnapshot> {
  const rows = (sql: string, ...params: unknown[]) => databaseRows<Row>(databaseUrl, sql, ...params);
  const [community] = await rows(`SELECT * FROM "Community" WHERE "platform" = ? AND "externalId" = ?`, platform, externalId);
  if (!community) throw new Error(`community ${platform}:${externalId} is not stored`);
  const id = community.id;
  return {
    community,
    members: await rows(`SELECT * FROM "Member" WHERE "communityId" = ? ORDER BY "id"`, id),
    creations: await rows(`SELECT * FROM "Creation" WHERE "communityId" = ? ORDER BY "id"`, id),
    reactions: await rows(
      `SELECT r.* FROM "Reaction" r JOIN "Creation" c ON c."id" = r."creationId" WHERE c."communityId" = ? ORDER BY r."creationId", r."memberId", r."emoji"`,
      id,
    ),
    digests: await rows(`SELECT * FROM "Digest" WHERE "communityId" = ? ORDER BY "id"`, id),
  };
}

/** Every text value stored anywhere in the database, with where it is (table.column), for leak scans. */
export async function storedTexts(databaseUrl: string): Promise<Array<{ where: string; value: string }>> {
  const tables = databaseUrl.startsWith("file:")
    ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%'`
    : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_prisma%'`;
  const out: Array<{ where: string; value: string }> = [];
  for (const { name } of await databaseRows<{ name: string }>(databaseUrl, tables)) {
    for (const row of await databaseRows<Row>(databaseUrl, `SELECT * FROM "${name}"`)) {
      for (const [column, value] of Object.entries(row)) if (typeof value === "string") out.push({ where: `${name}.${column}`, value });
    }
  }
  return out;
}
