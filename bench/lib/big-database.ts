/**
 * Builds the ranking and start-up database: one community with 1,000,000 creations over the last year and
 * 10,000,000 likes, migrated exactly as `npm start` migrates, then filled with raw better-sqlite3 bulk inserts
 * (prepared statements inside one transaction; the secondary indexes are dropped during the load and rebuilt after,
 * which is how any bulk load into SQLite is done). Every like is its own Reaction row from a distinct member who is
 * not the author, so each creation's stored `likeCount` equals its reactions, as `recountLikes` would make it.
 */
import { closeSync, fsyncSync, openSync, statSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { openDatabase } from "../../src/store/database.js";
import { normal, rng, snowflake } from "./random.js";

export interface BigDatabaseOptions {
  creations: number;
  likes: number;
  members: number;
  /** Days the creations are spread over, ending now. */
  days: number;
  now: Date;
}

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
}

export const FULL_SCALE: Omit<BigDatabaseOptions, "now"> = { creations: 1_000_000, likes: 10_000_000, members: 20_000, days: 365 };

const WORDS = (
  "lighthouse dawn fox forest neon city rain cat astronaut garden ocean mountain dragon library castle robot " +
  "sunset river violin desert owl bridge lantern winter harbour train tea moon glass meadow clockwork whale " +
  "cathedral orchard storm paper origami jungle temple comet velvet copper marble mirror island canyon"
).split(" ");
const EMOJI = ["👍", "❤️", "🔥", "😂", "✨"];
const ASPECTS = [
  ["square", "1024x1024"],
  ["portrait", "1024x1536"],
  ["landscape", "1536x1024"],
] as const;
const QUALITY_COST = [
  ["low", 11_000],
  ["medium", 42_000],
  ["high", 167_000],
] as const;

/** `2026-11-25T10:00:00.000+00:00`: how the Prisma better-sqlite3 adapter writes a DateTime. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

/** Likes per creation: heavy-tailed (log-normal), summing to exactly `total`, none above `cap`. */
function likeCounts(n: number, total: number, cap: number, random: () => number): Int32Array {
  const weights = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i] = Math.exp(1.5 * normal(random));
  const counts = new Int32Array(n);
  let assigned = 0;
  for (let i = 0; i < n; i++) assigned += counts[i] = Math.min(cap, Math.round((weights[i]! * total) / sum));
  while (assigned !== total) {
    const i = Math.floor(random() * n);
    if (assigned < total && counts[i]! < cap) (counts[i] = counts[i]! + 1), assigned++;
    else if (assigned > total && counts[i]! > 0) (counts[i] = counts[i]! - 1), assigned--;
  }
  return counts;
}

export async function buildBigDatabase(file: string, options: BigDatabaseOptions): Promise<BigDatabase> {
  const started = performance.now();
  // Migrate through Salon's own code path, then close it and load with a raw connection.
  const migrated = await openDatabase(`file:${file}`);
  await migrated.close();

  const random = rng(20261126);
  const timings: Record<string, number> = { migrate: performance.now() - started };
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("foreign_keys = OFF");

  const nowMs = options.now.getTime();
  const guildId = snowflake(nowMs - 400 * 86_400_000, 1);
  const galleryChannelId = snowflake(nowMs - 400 * 86_400_000, 2);
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
      .run(guildId, galleryChannelId, iso(nowMs - 400 * 86_400_000));
    const communityId = Number(community.lastInsertRowid);

    const insertMember = db.prepare("INSERT INTO Member (id, communityId, userId, blocked, lastServed, createdAt) VALUES (?, ?, ?, 0, 0, ?)");
    const userIds: string[] = [];
    for (let m = 1; m <= options.members; m++) {
      const userId = snowflake(nowMs - 500 * 86_400_000 + m * 1000, m);
      userIds.push(userId);
      insertMember.run(m, communityId, userId, iso(nowMs - 400 * 86_400_000));
    }

    // Authors are the first half of the members, and a few of them are prolific (as in any community).
    const authors = Math.max(1, Math.floor(options.members / 2));
    const counts = likeCounts(options.creations, options.likes, options.members - 1, random);
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
    const add = (creationId: number, member: number) => {
      added++;
      pending.push(creationId, member, EMOJI[member % EMOJI.length]!);
      if (pending.length === BATCH * 3) {
        insertReactions.run(pending);
        pending.length = 0;
      }
    };
    const span = options.days * 86_400_000;
    const first = nowMs - span;
    let reactions = 0;
    let carry = 0; // likes drawn for a creation that failed go to the next posted one, so the total stays exact
    for (let i = 0; i < options.creations; i++) {
      const id = i + 1;
      // Spread evenly in time (ids follow time, as they do in the real table), with a little jitter.
      const createdMs = Math.min(nowMs - 60_000, first + ((i + random()) * span) / options.creations);
      const postedMs = createdMs + 8_000 + random() * 20_000;
      const r = random();
      const memberId = 1 + Math.floor(authors * r * r); // skewed towards low ids: prolific creators
      const roll = random();
      // 97 % posted, 2 % deleted later (keep their reactions), 1 % failed (never posted).
      const status = roll < 0.97 ? "posted" : roll < 0.99 ? "deleted" : "failed";
      const [aspect, size] = ASPECTS[Math.floor(random() * 3)]!;
      const [quality, cost] = QUALITY_COST[Math.floor(random() * 3)]!;
      const words = 5 + Math.floor(random() * 6);
      let prompt = "";
      for (let w = 0; w < words; w++) prompt += (w ? " " : "") + WORDS[Math.floor(random() * WORDS.length)];
      const posted = status !== "failed";
      const messageId = posted ? snowflake(postedMs, i) : null;
      let hash = "";
      for (let h = 0; h < 8; h++) hash += ((random() * 4294967296) >>> 0).toString(16).padStart(8, "0");
      const likes = posted ? Math.min(options.members - 1, counts[i]! + carry) : 0;
      carry += counts[i]! - likes;
      insertCreation.run(
        id,
        communityId,
        memberId,
        prompt,
        aspect,
        quality,
        size,
        status,
        cost,
        iso(createdMs).slice(0, 10),
        iso(createdMs),
        iso(createdMs + 1000),
        posted ? iso(postedMs) : iso(createdMs + 5000),
        posted ? hash : null,
        posted ? galleryChannelId : null,
        messageId,
        posted ? `https://discord.com/channels/${guildId}/${galleryChannelId}/${messageId}` : null,
        posted ? iso(postedMs) : null,
        likes,
      );
      if (likes === 0) continue;
      // Distinct members, never the author: a run of consecutive members from a random start (wrapping round), taken
      // in ascending order so that the load appends to the primary key.
      const start = 1 + Math.floor(random() * options.members);
      const length = likes + ((memberId - start + options.members) % options.members < likes ? 1 : 0);
      const end = start + length - 1;
      for (let member = 1; member <= end - options.members; member++) if (member !== memberId) add(id, member);
      for (let member = start; member <= Math.min(end, options.members); member++) if (member !== memberId) add(id, member);
      reactions += likes;
    }
    for (let p = 0; p < pending.length; p += 3) insertReaction.run(pending[p], pending[p + 1], pending[p + 2]);
    timings.load = performance.now() - started;
    if (added !== reactions) throw new Error(`big database: ${added} reactions written, ${reactions} meant`);
    return { communityId, reactions, sampleUserId: userIds[0]! };
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
