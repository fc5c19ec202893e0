/**
 * The `/imagine` status message goes through the slash command's response_url, which Slack takes 5 times within 30
 * minutes (the loopback Slack enforces both). However long or eventful the creation, its final outcome reaches the
 * member once: through the response_url while it lives, else as an ephemeral message (`chat.postEphemeral`) in the
 * channel where they asked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../support/movable-clock.js";
import type { FakeSlackChannel, FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import { addSlackCommunity, slackMemberUsedToday, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MINUTE_MS = 60_000;

/** Everything the member was shown that says `text`: response_url posts Slack accepted, and ephemeral messages. */
function toldTimes(h: SlackHarness, handle: SlackCommandHandle, user: FakeSlackUser, text: string) {
  const viaResponseUrl = handle.responses().filter((r) => r.text.includes(text)).length;
  const viaEphemeral = h.slack.ephemerals(user.id).filter((e) => e.source === "chat.postEphemeral" && e.text.includes(text)).length;
  return { viaResponseUrl, viaEphemeral };
}

/** Waits until the queue has nothing in hand: the job's last status edit (or its fallback) has been sent. */
async function jobsDone(h: SlackHarness): Promise<void> {
  await expect.poll(() => h.running.salon.queue.busy, { timeout: 15_000 }).toBe(0);
}

function imagine(h: SlackHarness, user: FakeSlackUser, channel: FakeSlackChannel, prompt: string): Promise<SlackCommandHandle> {
  return h.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: channel.id });
}

async function start(clock?: MovableClock): Promise<{ h: SlackHarness; c: SlackCommunity }> {
  h = await startSlackHarness(clock ? { clock } : {});
  return { h, c: await addSlackCommunity(h) };
}

describe("the /imagine status message on Slack", () => {
  it("ends with the member told once when the creation needs more status edits than the response_url takes", async () => {
    const { h, c } = await start();
    const [ana] = c.members as [FakeSlackUser];
    // Five rate limits in a row: queued, six times generating, posted — eight edits for a URL that takes five.
    h.openai.scriptImages(...Array.from({ length: 5 }, () => ({ status: 429 as const, headers: { "retry-after-ms": "20" } })));

    const handle = await imagine(h, ana, c.gallery, "a patient lighthouse");
    await expect.poll(() => toldTimes(h, handle, ana, "Posted to the gallery"), { timeout: 15_000 }).not.toEqual({ viaResponseUrl: 0, viaEphemeral: 0 });
    await jobsDone(h);

    // Told once, by the status message itself: its last use was kept for the outcome.
    expect(toldTimes(h, handle, ana, "Posted to the gallery")).toEqual({ viaResponseUrl: 1, viaEphemeral: 0 });
    expect(h.openai.imageRequests).toHaveLength(6);
    expect(handle.refusedResponses()).toEqual([]); // Salon counted its uses: Slack never had to refuse one
    expect(handle.responses().length).toBeLessThanOrEqual(5);
  });

  it("tells the member with chat.postEphemeral when the creation finishes after the response_url expired", async () => {
    const clock = new MovableClock(new Date());
    const { h, c } = await start(clock);
    const [ana] = c.members as [FakeSlackUser];
    const held = h.slack.hold({ method: "files.getUploadURLExternal", phase: "before" });

    const handle = await imagine(h, ana, c.gallery, "a very slow sunrise");
    await held.arrived;
    h.slack.advanceClock(31 * MINUTE_MS);
    clock.advance(31 * MINUTE_MS);
    held.release();

    const shown = await h.slack.waitForEphemeral(ana.id, (e) => e.source === "chat.postEphemeral" && e.text.includes("Posted to the gallery"), 15_000);
    await jobsDone(h);

    expect(shown.channel).toBe(c.gallery.id);
    const [post] = h.slack.messages(c.gallery.id).filter((m) => m.files.length > 0);
    expect(shown.text).toContain(`https://fake.slack.com/archives/${c.gallery.id}/p${post!.ts.replace(".", "")}`);
    expect(toldTimes(h, handle, ana, "Posted to the gallery")).toEqual({ viaResponseUrl: 0, viaEphemeral: 1 });
    expect(h.slack.callsTo("chat.postEphemeral")).toHaveLength(1);
  });

  it("tells the member in the channel they asked from that it failed and was refunded, when the response_url was spent elsewhere", async () => {
    const { h, c } = await start();
    const [ana] = c.members as [FakeSlackUser];
    const studio = h.slack.addChannel({ name: "studio" });
    c.gallery.botIsMember = false; // the post will fail: the bot is not in the gallery
    const held = h.slack.hold({ method: "files.getUploadURLExternal", phase: "before" });

    const handle = await imagine(h, ana, studio, "a painting nobody can hang");
    await handle.waitForResponse((r) => r.text.startsWith("⏳ Queued"));
    await held.arrived;
    // Another writer (an earlier process, say) spends what is left of the URL.
    for (let i = 0; i < 5 && handle.refusedResponses().length === 0; i++) {
      await fetch(handle.responseUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "…", replace_original: true }) });
    }
    expect(handle.refusedResponses()).toEqual(["used_url"]);
    held.release();

    const shown = await h.slack.waitForEphemeral(ana.id, (e) => e.source === "chat.postEphemeral" && e.text.startsWith("⚠️"), 15_000);
    await jobsDone(h);

    expect(shown.channel).toBe(studio.id);
    expect(shown.text).toContain("couldn't be posted");
    expect(shown.text).toContain("refunded");
    expect(h.slack.ephemerals(ana.id).filter((e) => e.source === "chat.postEphemeral")).toHaveLength(1);
    expect(await slackMemberUsedToday(h, ana.id)).toBe(0);
  });
});
