/**
 * The minimum account and membership age for a like to count, in the core and the store (real SQLite): a reaction is
 * judged by the member's age when it was seen, so a like given too early never starts counting by itself, a rule
 * change recounts every post, and the digest's count of distinct likers follows the same rule.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Creation, MemberDates } from "../../src/core/types.js";
import { buildSalon, type SalonHarness } from "../support/core-fakes.js";

let h: SalonHarness;
let post: Creation;
const DAY = 86_400_000;
const admin = () => h.actor("u-admin", { admin: true });
const ago = (days: number) => new Date(h.clock.now().getTime() - days * DAY);

beforeEach(async () => {
  h = await buildSalon();
  await h.setUp({ limits: { cooldownSeconds: 0 } });
  post = await h.createPosted("u-author", "a lighthouse at dawn");
});
afterEach(async () => {
  await h.cleanup();
});

function react(userId: string, member?: MemberDates, emoji = "👍") {
  h.publisher.react(post.galleryMessageId!, userId, emoji, false);
  return h.salon.reaction({
    community: h.ref(),
    channelId: post.galleryChannelId!,
    messageId: post.galleryMessageId!,
    kind: "add",
    userId,
    emoji,
    isBot: false,
    ...(member ? { member } : {}),
  });
}
const likes = async () => (await h.creation(post.id)).likeCount;

describe("minimum ages for likes", () => {
  it("counts a reaction only if the account and the membership were old enough when it was given; unknown dates count", async () => {
    await h.salon.limits(admin(), { minAccountAgeDays: 7, minMemberAgeDays: 3 });
    expect(await react("u-veteran", { accountCreatedAt: ago(400), joinedAt: ago(30) })).toBe(1);
    expect(await react("u-fresh-account", { accountCreatedAt: ago(6.9), joinedAt: ago(30) })).toBe(1);
    expect(await react("u-new-member", { accountCreatedAt: ago(400), joinedAt: ago(2.9) })).toBe(1);
    expect(await react("u-unknown")).toBe(2);
    expect(await react("u-exactly-old-enough", { accountCreatedAt: ago(7), joinedAt: ago(3) })).toBe(3);
  });

  it("keeps judging a too-early like by when it was given, even once the member is old enough", async () => {
    await h.salon.limits(admin(), { minMemberAgeDays: 3 });
    const joinedAt = ago(1);
    expect(await react("u-new", { joinedAt })).toBe(0);
    h.clock.advance(5 * DAY);
    await h.salon.limits(admin(), { minAccountAgeDays: 1 }); // any rule change recounts every post
    await h.salon.limits(admin(), { minAccountAgeDays: 0 });
    expect(await likes()).toBe(0);
    // A reaction given now, five days after joining, counts.
    expect(await react("u-new", { joinedAt }, "🔥")).toBe(1);
  });

  it("takes a new join date for a member who left and came back: reactions from before the return judge by it too", async () => {
    await h.salon.limits(admin(), { minMemberAgeDays: 3 });
    expect(await react("u-returning", { joinedAt: ago(100) })).toBe(1);
    h.clock.advance(DAY);
    // They left and joined again an hour ago: a new member again, whose likes wait three days.
    expect(await react("u-returning", { joinedAt: new Date(h.clock.now().getTime() - 3_600_000) }, "🔥")).toBe(0);
  });

  it("recounts every post when an admin changes a rule, and says how many counts changed", async () => {
    await react("u-fresh", { accountCreatedAt: ago(1) });
    await react("u-old", { accountCreatedAt: ago(100) });
    expect(await likes()).toBe(2);
    expect(await h.salon.limits(admin(), { minAccountAgeDays: "7" })).toContain("Likes count only from members whose account is at least 7 days old: 1 like count changed.");
    expect(await likes()).toBe(1);
    expect(await h.salon.settings(admin())).toContain("only from members whose account is at least 7 days old");
    // Unchanged rules recount nothing and still say what they are.
    expect(await h.salon.limits(admin(), { perMemberDaily: 5 })).toMatch(/\nLikes count only from members whose account is at least 7 days old\.$/);
  });

  it("counts the digest's distinct likers by the same rule", async () => {
    await h.salon.limits(admin(), { minAccountAgeDays: 7 });
    await react("u-fresh", { accountCreatedAt: ago(1) });
    await react("u-old", { accountCreatedAt: ago(100) });
    const community = await h.community();
    const stats = await h.stores.rankings.windowStats(community.id, ago(1), new Date(h.clock.now().getTime() + DAY));
    expect(stats).toEqual({ creations: 1, likers: 1 });
  });

  it("refuses bad minimum ages with a clear message and changes nothing", async () => {
    for (const bad of [-1, 3651, 1.5, Number.NaN, "", "7 days", "1e3"]) {
      await expect(h.salon.limits(admin(), { minMemberAgeDays: bad })).rejects.toThrow("min_member_age_days must be a whole number from 0 to 3650.");
    }
    expect((await h.community()).minMemberAgeDays).toBe(0);
  });

  it("exports the member's dates and when each reaction was seen", async () => {
    await react("u-old", { accountCreatedAt: ago(100), joinedAt: ago(50) });
    const exported = JSON.parse(await h.salon.exportData(h.actor("u-old"))) as { member: { accountCreatedAt: string; joinedAt: string; reactions: Array<{ reactedAt: string }> } };
    expect(exported.member.accountCreatedAt).toBe(ago(100).toISOString());
    expect(exported.member.joinedAt).toBe(ago(50).toISOString());
    expect(exported.member.reactions.map((r) => r.reactedAt)).toEqual([h.clock.now().toISOString()]);
  });
});
