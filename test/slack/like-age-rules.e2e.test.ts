/**
 * The minimum membership age for likes on Slack. Slack tells neither when an account was made nor when someone joined
 * a workspace, except by `team_join` as it happens: a member Salon saw join is as old as that join (account and
 * membership: a Slack account belongs to its workspace); a member it never saw join was there before Salon (or joined
 * while it was offline) and counts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, createSlackPost, salonText, slackLikeCountOf, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
let c: SlackCommunity;

beforeEach(async () => {
  h = await startSlackHarness();
  c = await addSlackCommunity(h);
});
afterEach(async () => {
  await h.close();
});

describe("minimum membership age for likes, on Slack", () => {
  it("does not count a reaction from someone who joined the workspace too recently, and counts everyone else", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "a tide pool at noon");
    expect(await salonText(h, c, c.admin, "limits min_member_age_days=3")).toContain("Likes count only from members who joined at least 3 days before reacting");

    const newcomer = h.slack.addUser({ name: "newcomer" });
    await h.slack.sendEvent({ type: "team_join", user: { id: newcomer.id, name: "newcomer", team_id: h.slack.teamId }, event_ts: `${Date.now() / 1000}` });
    await h.slack.react(c.gallery.id, post.ts, newcomer.id, "+1");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts), { timeout: 5_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(1);

    expect(await salonText(h, c, c.admin, "limits min_member_age_days=0")).toContain("Likes count from every member: 1 like count changed.");
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(2);
  });

  it("refuses a minimum age that is not a whole number of days from 0 to 3650, changing nothing", async () => {
    for (const bad of ["-1", "3651", "1.5", "seven", ""]) {
      expect(await salonText(h, c, c.admin, `limits min_account_age_days=${bad}`)).toMatch(/min_account_age_days must be a whole number from 0 to 3650|Usage/);
    }
    expect(await salonText(h, c, c.admin, "settings")).not.toContain("only from members");
  });
});
