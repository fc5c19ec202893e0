/**
 * A Slack workspace whose digest of yesterday is due: the clock starts yesterday at 10:00 UTC (a day before the real
 * now, so Slack's message timestamps and Salon's clock agree on the order of things), a member's creation gets a like,
 * and the clock moves to 09:00:30 UTC today, just past the default digest time.
 */
import { expect } from "vitest";
import { MovableClock } from "../../support/movable-clock.js";
import type { FakeSlackChannel, FakeSlackUser } from "../../support/slack/types.js";
import { addSlackCommunity, createSlackPost, salonText, slackLikeCountOf, startSlackHarness, type SlackCommunity, type SlackHarness } from "../../support/slack-harness.js";

const DAY_MS = 86_400_000;

export interface LikedYesterday {
  h: SlackHarness;
  c: SlackCommunity;
  /** Where the digest goes: its own channel, or the gallery. */
  digest: FakeSlackChannel;
  clock: MovableClock;
  /** Yesterday, `YYYY-MM-DD` (UTC, the community's time zone). */
  day: string;
}

export async function likedYesterday(options: { digestChannel?: boolean } = {}): Promise<LikedYesterday> {
  const start = new Date(Date.now() - DAY_MS);
  start.setUTCHours(10, 0, 0, 0);
  const clock = new MovableClock(start);
  const h = await startSlackHarness({ clock });
  const c = await addSlackCommunity(h);
  let digest = c.gallery;
  if (options.digestChannel) {
    digest = h.slack.addChannel({ name: "digest" });
    await salonText(h, c, c.admin, `setup ${h.slack.channelRef(c.gallery.id)} ${h.slack.channelRef(digest.id)} 09:00 UTC`);
  }
  const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
  const post = await createSlackPost(h, c, ana, "a lighthouse at dawn");
  await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
  await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);
  const morning = new Date(start.getTime() + DAY_MS);
  morning.setUTCHours(9, 0, 30, 0);
  clock.set(morning);
  return { h, c, digest, clock, day: start.toISOString().slice(0, 10) };
}
