/**
 * Likes resist farming on Discord: a community may require a minimum account age and a minimum membership age for a
 * reaction to count (`/salon limits min_account_age_days … min_member_age_days …`). The account's age comes from its
 * id (every Discord id carries its creation time), the membership's from the `member.joined_at` of the reaction event,
 * or, for reactions a recount finds, from the guild member (GET /guilds/{guild}/members/{user}).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { snowflakeAt } from "../support/discord/constants.js";
import type { FakeUser } from "../support/discord/index.js";
import { addCommunity, adminCommand, command, createPost, likeCountOf, startHarness, type Community, type Harness } from "../support/harness.js";

let h: Harness;
let c: Community;

beforeEach(async () => {
  h = await startHarness();
  c = await addCommunity(h);
});
afterEach(async () => {
  await h.close();
});

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
let serial = 0;

/** A member whose Discord account was made `accountDays` ago and who joined the guild `memberDays` ago. */
function memberAged(accountDays: number, memberDays: number): FakeUser {
  const id = snowflakeAt(daysAgo(accountDays), ++serial);
  const user = h.discord.addUser({ id, username: `aged-${accountDays}-${memberDays}-${serial}` });
  h.discord.addMember(c.guild.id, user.id, { joinedAt: daysAgo(memberDays).toISOString() });
  return user;
}

const limits = (options: Array<[string, number]>) => adminCommand(h, c, "limits", options.map(([name, value]) => ({ type: 4, name, value })));

describe("minimum account and membership age for likes, on Discord", () => {
  it("counts reactions only from accounts and memberships old enough, and recounts every post when the rule changes", async () => {
    const [ana] = c.members;
    const post = await createPost(h, c, ana!, "a lantern festival");
    const veteran = memberAged(400, 100);
    const freshAccount = memberAged(2, 2);
    const newcomer = memberAged(400, 1); // an old account that joined yesterday

    const reply = await limits([["min_account_age_days", 7], ["min_member_age_days", 3]]);
    expect(reply).toContain("Likes count only from members whose account is at least 7 days old and who joined at least 3 days before reacting");
    for (const user of [veteran, freshAccount, newcomer]) h.discord.react(c.gallery.id, post.id, user.id, "👍");
    // A later like of the veteran's proves the three were handled before we look.
    h.discord.react(c.gallery.id, post.id, veteran.id, "🔥");
    await expect.poll(() => likeCountOf(h.running, c, post.id), { timeout: 5_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
    expect(await adminCommand(h, c, "settings")).toContain("only from members whose account is at least 7 days old and who joined at least 3 days before reacting");

    // Only the membership rule: the fresh account joined 2 days ago, still too recent; the newcomer too.
    expect(await limits([["min_account_age_days", 0]])).toContain("Likes count only from members who joined at least 3 days before reacting: 0 like counts changed.");
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
    // No rule: every reaction counts again, at once.
    expect(await limits([["min_member_age_days", 0]])).toContain("Likes count from every member: 1 like count changed.");
    expect(await likeCountOf(h.running, c, post.id)).toBe(3);
    expect(await command(h, c, ana!, "profile")).toContain("3 likes");
  });

  it("asks Discord when members joined for reactions a recount finds, and counts only those old enough", async () => {
    const [ana] = c.members;
    const post = await createPost(h, c, ana!, "a quiet harbour");
    await limits([["min_member_age_days", 3]]);
    const veteran = memberAged(400, 100);
    const newcomer = memberAged(400, 1);
    // Made while the bot was not listening: only a recount sees them.
    h.discord.react(c.gallery.id, post.id, veteran.id, "👍", { silent: true });
    h.discord.react(c.gallery.id, post.id, newcomer.id, "👍", { silent: true });
    await adminCommand(h, c, "recount");
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
    const memberReads = h.discord.requests.filter((r) => r.method === "GET" && /\/guilds\/\d+\/members\/\d+$/.test(r.path));
    expect(memberReads.map((r) => r.path.split("/").pop()).sort()).toEqual([newcomer.id, veteran.id].sort());

    // A second recount knows them now and asks nothing more.
    await adminCommand(h, c, "recount");
    expect(h.discord.requests.filter((r) => r.method === "GET" && /\/guilds\/\d+\/members\/\d+$/.test(r.path))).toHaveLength(2);
  });
});

describe("a forgotten member's reactions still on Discord", () => {
  it("are not read back by a recount, while a reaction they add afterwards counts", async () => {
    const [ana, ben, chloe] = c.members;
    const post = await createPost(h, c, ana!, "an orchard in fog");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id), { timeout: 5_000 }).toBe(2);

    const answer = await command(h, c, ben!, "privacy", [{ type: 1, name: "forget" }]);
    expect(answer).toContain("Your reaction on others' posts no longer counts as a like; only you can take it off the posts.");
    expect(await likeCountOf(h.running, c, post.id)).toBe(2 - 1);
    // Ben's 👍 is still on the post: neither a recount nor a restart's reconciliation brings it back.
    expect(await adminCommand(h, c, "recount")).toContain("0 corrected");
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);
    await h.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await likeCountOf(h.running, c, post.id)).toBe(1);

    // Taking it off and reacting again is a new like, and recounts keep it.
    h.discord.unreact(c.gallery.id, post.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, post.id, ben!.id, "👍");
    await expect.poll(() => likeCountOf(h.running, c, post.id), { timeout: 5_000 }).toBe(2);
    await adminCommand(h, c, "recount");
    expect(await likeCountOf(h.running, c, post.id)).toBe(2);
  });
});
