import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addSlackCommunity, createSlackPost, slackLikeCountOf, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
let c: SlackCommunity;

beforeEach(async () => {
  h = await startSlackHarness();
  c = await addSlackCommunity(h);
});
afterEach(async () => {
  await h.close();
});

describe("Slack deliveries that fail", () => {
  it("handles Slack's retry of a reaction whose first delivery failed half-way", async () => {
    const [ana, ben] = c.members;
    const post = await createSlackPost(h, c, ana!, "a paper boat");
    // Looking up who reacted (bot or not) fails once: the first delivery is not handled.
    h.slack.fail({ method: "users.info", error: "internal_error", times: 1 });
    const first = await h.slack.react(c.gallery.id, post.ts, ben!.id, "+1");
    await expect.poll(() => h.logs.some((l) => l.msg === "reaction handling failed")).toBe(true);
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(0);

    await h.slack.redeliver(first!);
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);
    await h.slack.redeliver(first!);
    await new Promise((r) => setTimeout(r, 200));
    expect(await slackLikeCountOf(h, c, post.ts)).toBe(1);
  });
});
