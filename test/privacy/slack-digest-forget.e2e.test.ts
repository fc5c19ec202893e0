/**
 * `/salon privacy forget` on Slack reaches the digests already posted: the message is updated in place, the member's
 * entry reads "a former member" with no prompt, name or link, the collage is a new upload without their image, and
 * the old collage file (which showed it) is deleted.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../support/movable-clock.js";
import { addSlackCommunity, createSlackPost, salonText, slackLikeCountOf, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Block = { type: string; text?: { text: string }; elements?: Array<{ text: string }>; slack_file?: { id: string } };

describe("/salon privacy forget and posted digests on Slack", () => {
  it("updates the posted digest that named the member: 'a former member', no prompt or name, a new collage, the old file gone", async () => {
    const clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
    h = await startSlackHarness({ clock });
    const c = await addSlackCommunity(h);
    const [ana, ben, chloe] = c.members;
    await salonText(h, c, c.admin, "limits cooldown_seconds=0");
    const mine = await createSlackPost(h, c, ana!, "ana's private lighthouse");
    const theirs = await createSlackPost(h, c, ben!, "ben's harbour");
    await h.slack.react(c.gallery.id, mine.ts, ben!.id, "+1");
    await h.slack.react(c.gallery.id, mine.ts, chloe!.id, "+1");
    await h.slack.react(c.gallery.id, theirs.ts, chloe!.id, "fire");
    await expect.poll(async () => [await slackLikeCountOf(h!, c, mine.ts), await slackLikeCountOf(h!, c, theirs.ts)]).toEqual([2, 1]);
    clock.advance(86_400_000);
    expect(await salonText(h, c, c.admin, "digest")).toContain("Posted the digest for 25 November 2026");
    const digest = h.slack.messages(c.gallery.id).find((m) => m.text.includes("Salon digest"))!;
    const before = digest.blocks as Block[];
    const oldCollage = before.find((b) => b.type === "image")!.slack_file!.id;
    expect(JSON.stringify(before)).toContain("private lighthouse");

    const answer = await salonText(h, c, ana!, "privacy forget");

    expect(answer).toContain('The digest that named you now reads "a former member"');
    const edited = h.slack.messages(c.gallery.id).find((m) => m.ts === digest.ts)!;
    const blocks = edited.blocks as Block[];
    expect(blocks[1]!.text!.text).toBe("*1.* A creation by a former member — 2 likes");
    expect(blocks[2]!.text!.text).toContain("ben's harbour");
    expect(blocks.find((b) => b.type === "context")!.elements![0]!.text).toContain("top creator a former member (2 likes)");
    const text = JSON.stringify(blocks) + edited.text;
    expect(text).not.toContain("lighthouse");
    expect(text).not.toContain("ana");
    const newCollage = blocks.find((b) => b.type === "image")!.slack_file!.id;
    expect(newCollage).not.toBe(oldCollage);
    expect(h.slack.file(oldCollage)!.deleted).toBe(true);
    expect(h.slack.file(newCollage)!.deleted).toBeFalsy();
  });
});
