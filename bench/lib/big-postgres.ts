/**
 * The ranking database on PostgreSQL, built once per `npm run bench`: the same rows as SQLite's (`big-dataset.ts`,
 * same options, same seed) in a scratch database on the server, with Salon's own PostgreSQL migrations.
 *
 * Loaded as any bulk load into PostgreSQL is done: the secondary indexes and the foreign keys dropped during the load
 * and made again after (one sorted pass and one join each, instead of maintaining them row by row), the creator-totals
 * trigger off during the load and the totals computed once after by one `UPDATE … FROM (… GROUP BY)` (what the trigger
 * would have summed, one liked creation at a time; the benchmark checks them against a full `GROUP BY` every run),
 * then `VACUUM ANALYZE` (what autovacuum does to a table that has settled: statistics, and the visibility map that lets
 * the covering indexes be read without the table). The creations go in as arrays, 20,000 rows per statement
 * (`INSERT … SELECT FROM unnest($1::int[], …)`); their likes are expanded by the server in the same statement
 * (`generate_series` over each creation's run of likers), so 10,000,000 reactions never cross the socket.
 * Then the rows are checked: the reactions' count and checksum equal the generator's, and every creation's
 * `likeCount` equals its reactions.
 */
import pg from "pg";
import { scratchDatabase } from "../../prisma/postgres-scratch.js";
import { copyDatabase } from "../../src/store/copy-database.js";
import { openDatabase } from "../../src/store/database.js";
import { bigDataset, EMOJI, forEachLiker, type BigDatabaseOptions, type DatasetCreation } from "./big-dataset.js";

export interface BigPostgres {
  /** The scratch database's URL. */
  url: string;
  name: string;
  creations: number;
  reactions: number;
  buildSeconds: number;
  /** Seconds per phase (migrate, load, totals, indexes, foreign keys, check, vacuum). */
  phases: Record<string, number>;
  drop(): Promise<void>;
}

const BATCH = 20_000;
/** A UTC instant as the text a `timestamp(3)` column holds (sessions run in UTC). */
const ts = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 23));

/** The Creation columns loaded, their array types, and how each is read from a generated creation. */
const COLUMNS: Array<[column: string, type: string, read: (c: DatasetCreation) => unknown]> = [
  ["id", "int", (c) => c.id],
  ["memberId", "int", (c) => c.memberId],
  ["prompt", "text", (c) => c.prompt],
  ["aspect", "text", (c) => c.aspect],
  ["quality", "text", (c) => c.quality],
  ["size", "text", (c) => c.size],
  ["status", "text", (c) => c.status],
  ["costMicroUsd", "int", (c) => c.costMicroUsd],
  ["day", "text", (c) => c.day],
  ["createdAt", "timestamp(3)", (c) => ts(c.createdAt)],
  ["startedAt", "timestamp(3)", (c) => ts(c.startedAt)],
  ["finishedAt", "timestamp(3)", (c) => ts(c.finishedAt)],
  ["imageHash", "text", (c) => c.imageHash],
  ["galleryChannelId", "text", (c) => c.galleryChannelId],
  ["galleryMessageId", "text", (c) => c.galleryMessageId],
  ["galleryUrl", "text", (c) => c.galleryUrl],
  ["postedAt", "timestamp(3)", (c) => ts(c.postedAt)],
  ["likeCount", "int", (c) => c.likeCount],
];
const LIKERS_FROM = COLUMNS.length + 1;

/**
 * One batch of creations and their reactions: the rows as arrays, then the Reaction rows expanded from each run of
 * likers exactly as `forEachLiker` does (the wrapped-round members, then the run; the author left out).
 */
function insertBatchSql(): string {
  const params = COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ");
  const names = COLUMNS.map(([column]) => `"${column}"`).join(", ");
  const n = COLUMNS.length;
  return `WITH rows AS (SELECT * FROM unnest(${params}, $${n + 1}::int[], $${n + 2}::int[]) AS t(${names}, "likersFrom", "likersSpan")),
    creations AS (INSERT INTO "Creation" (${names}, "communityId", "model", "attempts") SELECT ${names}, $${n + 3}, 'gpt-image-2', 0 FROM rows)
    INSERT INTO "Reaction" ("creationId", "memberId", "emoji")
    SELECT r."id", l.member, ($${n + 5}::text[])[l.member % ${EMOJI.length} + 1]
      FROM rows r CROSS JOIN LATERAL (
        SELECT member FROM generate_series(1, r."likersFrom" + r."likersSpan" - 1 - $${n + 4}) member
        UNION ALL
        SELECT member FROM generate_series(r."likersFrom", least(r."likersFrom" + r."likersSpan" - 1, $${n + 4})) member
      ) l
     WHERE r."likersSpan" > 0 AND l.member <> r."memberId"`;
}

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

export async function buildBigPostgres(serverUrl: string, options: BigDatabaseOptions): Promise<BigPostgres> {
  const started = performance.now();
  const phases: Record<string, number> = {};
  const scratch = await scratchDatabase(serverUrl, "salon_bench_big");
  try {
    let t = performance.now();
    await (await openDatabase(scratch.url)).close(); // Salon's PostgreSQL migrations, as its start applies them
    phases.migrate = seconds(t);
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      const expected = await load(client, options, phases);
      t = performance.now();
      await check(client, options, expected);
      phases.check = seconds(t);
      t = performance.now();
      await client.query(`VACUUM (ANALYZE) "Creation", "Reaction", "Member", "Community"`);
      phases.vacuum = seconds(t);
      return { url: scratch.url, name: scratch.name, creations: options.creations, reactions: expected.reactions, buildSeconds: seconds(started), phases, drop: scratch.drop };
    } finally {
      await client.end();
    }
  } catch (error) {
    await scratch.drop();
    throw error;
  }
}

async function load(client: pg.Client, options: BigDatabaseOptions, phases: Record<string, number>) {
  const tables = `'"Creation"'::regclass, '"Reaction"'::regclass, '"Member"'::regclass`;
  const foreignKeys = (
    await client.query<{ table: string; name: string; def: string }>(
      `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE contype = 'f' AND connamespace = current_schema()::regnamespace AND (conrelid IN (${tables}) OR confrelid IN (${tables}))`,
    )
  ).rows;
  const indexes = (
    await client.query<{ name: string; def: string }>(
      `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid IN (${tables}) AND NOT i.indisprimary`,
    )
  ).rows;
  let t = performance.now();
  await client.query("BEGIN");
  for (const fk of foreignKeys) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT "${fk.name}"`);
  for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
  await client.query(`ALTER TABLE "Creation" DISABLE TRIGGER "Creation_creatorTotals"`);

  const dataset = bigDataset(options);
  const { community } = dataset;
  const communityId = (
    await client.query<{ id: number }>(
      `INSERT INTO "Community" ("platform", "externalId", "galleryChannelId", "digestTime", "timezone", "perMemberDaily", "budgetMicroUsd", "cooldownSeconds", "createdAt")
       VALUES ('discord', $1, $2, '09:00', 'UTC', 10, 5000000, 30, $3::timestamp(3)) RETURNING "id"`,
      [community.guildId, community.galleryChannelId, ts(community.createdAt)],
    )
  ).rows[0]!.id;
  await client.query(
    `INSERT INTO "Member" ("id", "communityId", "userId", "blocked", "lastServed", "createdAt")
     SELECT id, $1, "userId", false, 0, "createdAt" FROM unnest($2::int[], $3::text[], $4::timestamp(3)[]) AS m(id, "userId", "createdAt")`,
    [communityId, dataset.members.map((m) => m.id), dataset.members.map((m) => m.userId), dataset.members.map((m) => ts(m.createdAt))],
  );

  // What the rows must come to, counted as they are generated: the reactions and a checksum of their keys.
  const expected = { reactions: 0, checksum: 0n };
  const sql = insertBatchSql();
  let batch: DatasetCreation[] = [];
  const flush = async () => {
    const params: unknown[] = COLUMNS.map(([, , read]) => batch.map(read));
    params.push(batch.map((c) => c.likers.from), batch.map((c) => c.likers.span), communityId, options.members, EMOJI);
    await client.query(sql, params);
    batch = [];
  };
  for (const c of dataset.creations()) {
    let sum = 0;
    forEachLiker(c, options.members, (member) => {
      expected.reactions++;
      sum += c.id * options.members + member;
    });
    expected.checksum += BigInt(sum);
    batch.push(c);
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  for (const table of ["Community", "Member", "Creation"]) await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT MAX("id") FROM "${table}"))`);
  phases.load = seconds(t);

  // The creator totals the trigger keeps (see the migration), summed once; then the trigger back on for any later write.
  t = performance.now();
  await client.query(
    `UPDATE "Member" m SET "likesReceived" = t.likes, "likedPosts" = t.posts, "firstLikedPostAt" = t.first
       FROM (SELECT "memberId", SUM("likeCount")::int AS likes, COUNT(*)::int AS posts, MIN("postedAt") AS first FROM "Creation"
              WHERE "communityId" = $1 AND "status" = 'posted' AND "likeCount" > 0 AND "postedAt" IS NOT NULL GROUP BY "memberId") t
      WHERE m."id" = t."memberId"`,
    [communityId],
  );
  await client.query(`ALTER TABLE "Creation" ENABLE TRIGGER "Creation_creatorTotals"`);
  phases.totals = seconds(t);

  t = performance.now();
  await client.query("SET maintenance_work_mem = '256MB'");
  for (const index of indexes) await client.query(index.def);
  phases.indexes = seconds(t);
  t = performance.now();
  for (const fk of foreignKeys) await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT "${fk.name}" ${fk.def}`);
  phases.foreignKeys = seconds(t);
  await client.query("COMMIT");
  return expected;
}

/** The rows are the generator's, and every like count is its creation's reactions: or the build fails. */
async function check(client: pg.Client, options: BigDatabaseOptions, expected: { reactions: number; checksum: bigint }) {
  const got = (
    await client.query<{ n: string; checksum: string }>(`SELECT COUNT(*) AS n, COALESCE(SUM("creationId"::bigint * $1 + "memberId"), 0) AS checksum FROM "Reaction"`, [options.members])
  ).rows[0]!;
  if (Number(got.n) !== expected.reactions || BigInt(got.checksum) !== expected.checksum)
    throw new Error(`big PostgreSQL database: ${got.n} reactions (checksum ${got.checksum}) written, ${expected.reactions} (${expected.checksum}) meant`);
  const wrong = (
    await client.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM "Creation" c LEFT JOIN (SELECT "creationId", COUNT(*) AS likes FROM "Reaction" GROUP BY "creationId") g ON g."creationId" = c."id"
        WHERE c."likeCount" <> COALESCE(g.likes, 0)`,
    )
  ).rows[0]!;
  if (Number(wrong.n) !== 0) throw new Error(`big PostgreSQL database: ${wrong.n} creations whose likeCount is not their reactions`);
}


/**
 * The big database of a file built by an earlier run (`BENCH_BIG_DB`, whose generator options are not known), copied
 * into a scratch database with `copyDatabase` (`npm run db:copy`'s code; minutes at full size), then analysed.
 */
export async function copyBigPostgres(serverUrl: string, file: string): Promise<BigPostgres> {
  const started = performance.now();
  const scratch = await scratchDatabase(serverUrl, "salon_bench_big");
  try {
    const copied = await copyDatabase(`file:${file}`, scratch.url, { batchRows: 5000 });
    const phases: Record<string, number> = { copy: seconds(started) };
    const t = performance.now();
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      await client.query(`VACUUM (ANALYZE) "Creation", "Reaction", "Member", "Community"`);
    } finally {
      await client.end();
    }
    phases.vacuum = seconds(t);
    const rows = (table: string) => copied.tables.find((c) => c.table === table)?.rows ?? 0;
    return { url: scratch.url, name: scratch.name, creations: rows("Creation"), reactions: rows("Reaction"), buildSeconds: seconds(started), phases, drop: scratch.drop };
  } catch (error) {
    await scratch.drop();
    throw error;
  }
}
