/**
 * Builds the ranking and start-up database on SQLite: the rows of `big-dataset.ts` (one community with 1,000,000
 * creations over the last year and 10,000,000 likes), migrated exactly as `npm start` migrates, then filled with raw
 * better-sqlite3 bulk inserts (prepared statements inside one transaction; the secondary indexes are dropped during the
 * load and rebuilt after, which is how any bulk load into SQLite is done).
 */
import { closeSync, fsyncSync, openSync, statSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { openDatabase } from "../../src/store/database.js";
import { bigDataset, emojiOf, forEachLiker, type BigDatabaseOptions } from "./big-dataset.js";

export { FULL_SCALE, type BigDatabaseOptions } from "./big-dataset.js";

export interface BigDatabase {
  file: string;
  communityId: number;
  guildId: string;
  galleryChannelId: string;
  creations: number;
  reactions: number;
  members: number;
  /** A creator with many posts, for `/profile`-style queries. */
  sampleUserId: string;
  buildSeconds: number;
  fileBytes: number;
  /** What it was generated from (not known for a database reused through BENCH_BIG_DB). */
  options?: BigDatabaseOptions;
}

/** `2026-11-25T10:00:00.000+00:00`: how the Prisma better-sqlite3 adapter writes a DateTime. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

export async function buildBigDatabase(file: string, options: BigDatabaseOptions): Promise<BigDatabase> {
  const started = performance.now();
  // Migrate through Salon's own code path, then close it and load with a raw connection.
  const migrated = await openDatabase(`file:${file}`);
  await migrated.close();

  const timings: Record<string, number> = { migrate: performance.now() - started };
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("foreign_keys = OFF");

  const dataset = bigDataset(options);
  const { guildId, galleryChannelId } = dataset.community;
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('Creation', 'Reaction', 'Member') AND sql IS NOT NULL")
    .all() as Array<{ name: string; sql: string }>;

  const load = db.transaction(() => {
    for (const { name } of indexes) db.exec(`DROP INDEX "${name}"`);
    const community = db
      .prepare(
        `INSERT INTO Community (platform, externalId, galleryChannelId, digestTime, timezone, perMemberDaily, budgetMicroUsd, cooldownSeconds, createdAt)
         VALUES ('discord', ?, ?, '09:00', 'UTC', 10, 5000000, 30, ?)`,
      )
      .run(guildId, galleryChannelId, iso(dataset.community.createdAt));
    const communityId = Number(community.lastInsertRowid);

    const insertMember = db.prepare("INSERT INTO Member (id, communityId, userId, blocked, lastServed, createdAt) VALUES (?, ?, ?, 0, 0, ?)");
    for (const m of dataset.members) insertMember.run(m.id, communityId, m.userId, iso(m.createdAt));

    const insertCreation = db.prepare(
      `INSERT INTO Creation (id, communityId, memberId, prompt, aspect, quality, size, model, status, costMicroUsd, day, createdAt,
         startedAt, finishedAt, attempts, imageHash, galleryChannelId, galleryMessageId, galleryUrl, postedAt, likeCount)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'gpt-image-2', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    // Many rows per statement: the per-call cost of a prepared statement, not SQLite, dominates a 10M-row load.
    const BATCH = 100;
    const insertReactions = db.prepare(`INSERT INTO Reaction (creationId, memberId, emoji) VALUES ${Array(BATCH).fill("(?, ?, ?)").join(", ")}`);
    const insertReaction = db.prepare("INSERT INTO Reaction (creationId, memberId, emoji) VALUES (?, ?, ?)");
    const pending: Array<number | string> = [];
    let added = 0;
    let creationId = 0;
    const add = (member: number) => {
      added++;
      pending.push(creationId, member, emojiOf(member));
      if (pending.length === BATCH * 3) {
        insertReactions.run(pending);
        pending.length = 0;
      }
    };
    let reactions = 0;
    for (const c of dataset.creations()) {
      insertCreation.run(
        c.id,
        communityId,
        c.memberId,
        c.prompt,
        c.aspect,
        c.quality,
        c.size,
        c.status,
        c.costMicroUsd,
        c.day,
        iso(c.createdAt),
        iso(c.startedAt),
        iso(c.finishedAt),
        c.imageHash,
        c.galleryChannelId,
        c.galleryMessageId,
        c.galleryUrl,
        c.postedAt === null ? null : iso(c.postedAt),
        c.likeCount,
      );
      creationId = c.id;
      forEachLiker(c, options.members, add);
      reactions += c.likeCount;
    }
    for (let p = 0; p < pending.length; p += 3) insertReaction.run(pending[p], pending[p + 1], pending[p + 2]);
    timings.load = performance.now() - started;
    if (added !== reactions) throw new Error(`big database: ${added} reactions written, ${reactions} meant`);
    return { communityId, reactions, sampleUserId: dataset.members[0]!.userId };
  });
  const loaded = load();
  // Rebuild the secondary indexes in one sorted pass each (much faster than maintaining them row by row). SQLite's
  // sorter is fastest with the default 16 MB cache and file-backed runs: a huge cache or in-memory temp storage made
  // the 10M-entry index three to four times slower here.
  for (const { name, sql } of indexes) {
    const t = performance.now();
    db.exec(sql);
    timings[name] = performance.now() - t;
  }
  db.pragma("locking_mode = NORMAL");
  db.pragma("journal_mode = WAL");
  db.close();
  const flushStarted = performance.now();
  flushToDisk(file);
  timings.flush = performance.now() - flushStarted;
  if (process.env.BENCH_DEBUG) console.error("big database phases (ms)", timings);
  return {
    file,
    communityId: loaded.communityId,
    guildId,
    galleryChannelId,
    creations: options.creations,
    reactions: loaded.reactions,
    members: options.members,
    sampleUserId: loaded.sampleUserId,
    buildSeconds: (performance.now() - started) / 1000,
    fileBytes: statSync(file).size,
    options,
  };
}

/**
 * Writes a file's data (and its folder's entry) to the disk before anything is measured. Written without syncs
 * (journal off, synchronous off), the 1.2 GB database sits in the page cache and the kernel writes it back about
 * 30 s later (vm.dirty_expire_centisecs): in the first rounds of the next benchmark, where its ~1 GB of writeback
 * took the disk and a core from whichever side was being measured then (Salon's, in the first round of `ack`).
 */
export function flushToDisk(file: string): void {
  for (const target of [file, path.dirname(file)]) {
    const fd = openSync(target, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Describes an existing big database (`BENCH_BIG_DB=<file>` reuses one between runs while working on the benchmarks). */
export async function describeBigDatabase(file: string): Promise<BigDatabase> {
  await (await openDatabase(`file:${file}`)).close(); // applies any newer migration, as Salon would
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const community = db.prepare("SELECT id, externalId, galleryChannelId FROM Community ORDER BY id LIMIT 1").get() as { id: number; externalId: string; galleryChannelId: string };
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      file,
      communityId: community.id,
      guildId: community.externalId,
      galleryChannelId: community.galleryChannelId,
      creations: count("SELECT COUNT(*) AS n FROM Creation"),
      reactions: count("SELECT COUNT(*) AS n FROM Reaction"),
      members: count("SELECT COUNT(*) AS n FROM Member"),
      sampleUserId: (db.prepare("SELECT userId FROM Member ORDER BY id LIMIT 1").get() as { userId: string }).userId,
      buildSeconds: 0,
      fileBytes: statSync(file).size,
    };
  } finally {
    db.close();
  }
}
