/**
 * The database failing under a running bot, in every way its database fails (SQLite: locked by another writer,
 * read-only, full; PostgreSQL: refusing connections, losing one mid-statement, a serialization failure its retries
 * cannot get past, read-only, a full disk): a member's /imagine gets the clean "nothing was saved, try again", no
 * creation is half-written (none stored, so none counts against the member's quota), no image is asked of OpenAI
 * (the prompt's moderation may be, when the failure strikes at the creation's insert, after the checks), and once the
 * database is healthy the same bot, not restarted, works again. A reaction meanwhile fails too; where its row landed
 * and only the recount of its post failed (a failure on Creation's writes), the count is one short until the post's
 * next write recounts it (the likes store marks it unsettled), which the last step checks. The pool's `error` events
 * (sessions terminated or dropped while idle) crash nothing: an unhandled one would fail the run.
 * Each database has its staging (test/faults/support/*-staging.ts); the assertions here are shared.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser } from "../support/discord/types.js";
import { addCommunity, createPost, eventually, imagine, type Community, type Harness } from "../support/harness.js";
import { botTestsOnPostgres } from "../support/test-database.js";
import type { DatabaseStaging } from "./support/database-staging.js";
import { postgresStaging } from "./support/postgres-staging.js";
import { sqliteStaging } from "./support/sqlite-staging.js";

const staging: DatabaseStaging = botTestsOnPostgres() ? postgresStaging() : sqliteStaging();
let h: Harness;
let c: Community;
/** The gallery post every failure's reactions go to. */
let post: FakeMessage;

beforeAll(async () => {
  h = await staging.start();
  c = await addCommunity(h);
  post = await createPost(h, c, c.members[0]!, "the post the reactions go to");
}, 60_000);
afterAll(async () => {
  await h?.close();
  await staging.stop();
});

let members = 0;
function newMember(): FakeUser {
  const user = h.discord.addUser({ username: `member-${++members}` });
  h.discord.addMember(c.guild.id, user.id);
  return user;
}

async function count(sql: string, ...params: unknown[]): Promise<number> {
  const [row] = await staging.rows<{ n: number | string }>(sql, ...params);
  return Number(row!.n);
}
const creationsOf = (user: FakeUser) =>
  count(`SELECT COUNT(*) AS n FROM "Creation" c JOIN "Member" m ON m."id" = c."memberId" WHERE m."userId" = ?`, user.id);
const creations = () => count(`SELECT COUNT(*) AS n FROM "Creation"`);
/** The post's stored like count, the distinct members whose reactions on it are stored, and whether `user`'s is. */
async function likes(user: FakeUser): Promise<{ count: number; reactors: number; stored: boolean }> {
  const reactions = `FROM "Reaction" r JOIN "Member" m ON m."id" = r."memberId" WHERE r."creationId" = c."id"`;
  const [row] = await staging.rows<{ count: number | string; reactors: number | string; mine: number | string }>(
    `SELECT c."likeCount" AS "count", (SELECT COUNT(DISTINCT r."memberId") ${reactions}) AS "reactors",
       (SELECT COUNT(*) ${reactions} AND m."userId" = ?) AS "mine"
     FROM "Creation" c WHERE c."galleryMessageId" = ?`,
    user.id,
    post.id,
  );
  return { count: Number(row!.count), reactors: Number(row!.reactors), stored: Number(row!.mine) > 0 };
}

/** Resolves once the bot has given up on a reaction event (its one catch logs it). */
async function reactionFailed(since: number): Promise<void> {
  await eventually(() => expect(h.logs.slice(since).some((l) => l.msg === "event handling failed" && l.event === "MESSAGE_REACTION_ADD")).toBe(true), 30_000);
}

describe("the database failing under a running bot", () => {
  it.each(Object.entries(staging.failures))("when %s: answers 'nothing was saved, try again', half-writes nothing, and works again once healed", async (kind, failure) => {
    const prompt = failure.prompt ?? `a lighthouse, while the database is ${kind}`;
    const creator = newMember();
    const reactor = newMember();
    const before = { creations: await creations(), images: h.openai.imageRequests.length };

    await failure.break();
    const logged = h.logs.length;
    let answer: string;
    try {
      const handle = imagine(h, c, creator, prompt);
      await failure.strike?.();
      answer = (await handle.waitFor((m) => m.content !== "", 30_000)).content;
      if (failure.reactionsFail !== false) {
        const since = h.logs.length;
        h.discord.react(c.gallery.id, post.id, reactor.id, "🔥");
        await failure.strike?.();
        await reactionFailed(since);
      }
    } finally {
      await failure.heal();
    }

    expect(answer).toContain("database is busy or unavailable");
    expect(answer).toContain("nothing was saved");
    expect(answer).toContain("try again");
    // The operator hears of it too, with the cause.
    expect(h.logs.slice(logged).some((l) => l.msg === "the database was unavailable: the member was told nothing was saved" && l.err)).toBe(true);
    expect(await creationsOf(creator)).toBe(0);
    expect(await creations()).toBe(before.creations);
    expect(h.openai.imageRequests).toHaveLength(before.images);
    await failure.check?.();

    // The same bot, healed: the same request goes through (nothing of the failed one counted against the quota), and
    // the next reaction leaves the post's like count equal to the reactions stored, whatever the failure left.
    await createPost(h, c, creator, prompt);
    expect(await creationsOf(creator)).toBe(1);
    expect(h.openai.imageRequests).toHaveLength(before.images + 1);
    const fan = newMember();
    h.discord.react(c.gallery.id, post.id, fan.id, "👍");
    // A count that stays off times this out: the reaction's write returns the recount, which lands just after it.
    await eventually(async () => {
      const now = await likes(fan);
      expect(now.stored).toBe(true);
      expect(now.count).toBe(now.reactors);
    }, 20_000);
  }, 90_000);
});
