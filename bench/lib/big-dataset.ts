/**
 * The rows of the ranking and start-up database, whatever database they go into: one community, its members, and
 * creations over the last year with their likes, drawn from one seeded generator. SQLite's loader
 * (`big-database.ts`) and PostgreSQL's (`big-postgres.ts`) both read them from here, so the two databases hold the
 * same rows and their figures compare.
 *
 * Every like is its own Reaction from a distinct member who is not the author: a run of consecutive members from a
 * random start, wrapping round past the last member (`likers`), so each creation's `likeCount` equals its reactions,
 * as `recountLikes` would make it.
 */
import { normal, rng, snowflake } from "./random.js";

export interface BigDatabaseOptions {
  creations: number;
  likes: number;
  members: number;
  /** Days the creations are spread over, ending now. */
  days: number;
  now: Date;
}

export const FULL_SCALE: Omit<BigDatabaseOptions, "now"> = { creations: 1_000_000, likes: 10_000_000, members: 20_000, days: 365 };

export const EMOJI = ["👍", "❤️", "🔥", "😂", "✨"];
/** The emoji of a member's like (one per like: a member's likes are one reaction each). */
export const emojiOf = (member: number): string => EMOJI[member % EMOJI.length]!;

const WORDS = (
  "lighthouse dawn fox forest neon city rain cat astronaut garden ocean mountain dragon library castle robot " +
  "sunset river violin desert owl bridge lantern winter harbour train tea moon glass meadow clockwork whale " +
  "cathedral orchard storm paper origami jungle temple comet velvet copper marble mirror island canyon"
).split(" ");
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

export interface DatasetCommunity {
  guildId: string;
  galleryChannelId: string;
  createdAt: number;
}

export interface DatasetMember {
  id: number;
  userId: string;
  createdAt: number;
}

/** One creation (times in epoch milliseconds) and who liked it. */
export interface DatasetCreation {
  id: number;
  memberId: number;
  prompt: string;
  aspect: string;
  quality: string;
  size: string;
  status: "posted" | "deleted" | "failed";
  costMicroUsd: number;
  /** The request's day, YYYY-MM-DD (UTC, the community's timezone). */
  day: string;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  imageHash: string | null;
  galleryChannelId: string | null;
  galleryMessageId: string | null;
  galleryUrl: string | null;
  postedAt: number | null;
  likeCount: number;
  /**
   * The likers: members `from` … `from + span - 1`, those past the last member wrapping round to 1, 2, …, the author
   * left out (the span counts the author when it falls in it, so exactly `likeCount` remain). Span 0: no likes.
   */
  likers: { from: number; span: number };
}

export interface BigDataset {
  community: DatasetCommunity;
  members: DatasetMember[];
  /** The creations in id order (which is time order), generated as they are read: read them once. */
  creations(): Generator<DatasetCreation>;
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

/**
 * Calls `fn` with each liker of a creation in ascending member order (the wrapped-round members first), so that a
 * load appends to the Reaction primary key.
 */
export function forEachLiker(creation: Pick<DatasetCreation, "memberId" | "likers">, members: number, fn: (member: number) => void): void {
  const { from, span } = creation.likers;
  if (span === 0) return;
  const end = from + span - 1;
  for (let member = 1; member <= end - members; member++) if (member !== creation.memberId) fn(member);
  for (let member = from; member <= Math.min(end, members); member++) if (member !== creation.memberId) fn(member);
}

export function bigDataset(options: BigDatabaseOptions): BigDataset {
  const nowMs = options.now.getTime();
  const community = { guildId: snowflake(nowMs - 400 * 86_400_000, 1), galleryChannelId: snowflake(nowMs - 400 * 86_400_000, 2), createdAt: nowMs - 400 * 86_400_000 };
  const members: DatasetMember[] = [];
  for (let m = 1; m <= options.members; m++) members.push({ id: m, userId: snowflake(nowMs - 500 * 86_400_000 + m * 1000, m), createdAt: nowMs - 400 * 86_400_000 });
  return { community, members, creations: () => creations(options, community) };
}

function* creations(options: BigDatabaseOptions, community: DatasetCommunity): Generator<DatasetCreation> {
  const random = rng(20261126);
  const nowMs = options.now.getTime();
  // Authors are the first half of the members, and a few of them are prolific (as in any community).
  const authors = Math.max(1, Math.floor(options.members / 2));
  const counts = likeCounts(options.creations, options.likes, options.members - 1, random);
  const span = options.days * 86_400_000;
  const first = nowMs - span;
  let carry = 0; // likes drawn for a creation that failed go to the next posted one, so the total stays exact
  for (let i = 0; i < options.creations; i++) {
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
    let likers = { from: 1, span: 0 };
    if (likes > 0) {
      // Distinct members, never the author: a run of consecutive members from a random start (wrapping round).
      const from = 1 + Math.floor(random() * options.members);
      likers = { from, span: likes + ((memberId - from + options.members) % options.members < likes ? 1 : 0) };
    }
    yield {
      id: i + 1,
      memberId,
      prompt,
      aspect,
      quality,
      size,
      status,
      costMicroUsd: cost,
      day: new Date(createdMs).toISOString().slice(0, 10),
      createdAt: createdMs,
      startedAt: createdMs + 1000,
      finishedAt: posted ? postedMs : createdMs + 5000,
      imageHash: posted ? hash : null,
      galleryChannelId: posted ? community.galleryChannelId : null,
      galleryMessageId: messageId,
      galleryUrl: posted ? `https://discord.com/channels/${community.guildId}/${community.galleryChannelId}/${messageId}` : null,
      postedAt: posted ? postedMs : null,
      likeCount: likes,
      likers,
    };
  }
}
