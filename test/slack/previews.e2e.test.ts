/**
 * Live previews on Slack (PREVIEW_IMAGES): an ephemeral status message can't carry an upload, so its text says
 * "preview 1 of 2" as each partial image comes. The response_url takes 5 posts in 30 minutes (the loopback Slack
 * enforces it): queued, generating, two previews and the outcome fit exactly, and when a retry needs more, previews
 * are the ones left out: the outcome keeps its post.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function released() {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  return { until, release };
}

/** Waits until the queue has nothing in hand: the job's last status edit has been sent. */
async function jobsDone(harness: SlackHarness): Promise<void> {
  await expect.poll(() => harness.running.salon.queue.busy, { timeout: 15_000 }).toBe(0);
}

describe("live previews on Slack", () => {
  it("says 'preview 1 of 2', then 'preview 2 of 2', then posts, within the response_url's 5 uses; previews are never uploaded", async () => {
    h = await startSlackHarness({ env: { PREVIEW_IMAGES: "2" } });
    const c = await addSlackCommunity(h);
    const [ana] = c.members as [FakeSlackUser];
    const first = released();
    const second = released();
    h.openai.scriptStreams({ holdAfter: [{ partials: 1, until: first.until }, { partials: 2, until: second.until }] });

    const handle = await h.slack.slashCommand({ command: "/imagine", text: "a lantern festival over a river", userId: ana.id, channelId: c.gallery.id });
    await handle.waitForResponse((r) => r.text.includes("preview 1 of 2"), 10_000);
    first.release();
    await handle.waitForResponse((r) => r.text.includes("preview 2 of 2"), 10_000);
    second.release();
    await handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 10_000);
    await jobsDone(h);

    expect(handle.responses().map((r) => r.text.replace(/ — position.*|: https:.*/, ""))).toEqual([
      "⏳ Queued",
      "🎨 Generating your image…",
      "🎨 Generating your image — preview 1 of 2",
      "🎨 Generating your image — preview 2 of 2",
      "✅ Posted to the gallery",
    ]);
    expect(handle.refusedResponses()).toEqual([]);
    expect(h.openai.imageRequests[0]!.body).toMatchObject({ stream: true, partial_images: 2 });
    // One upload: the final image, in the gallery.
    expect(h.slack.callsTo("files.getUploadURLExternal")).toHaveLength(1);
    expect(h.slack.messages(c.gallery.id).filter((m) => m.files.length > 0)).toHaveLength(1);
  });

  it("keeps the response_url's last use for the outcome when a stream dies mid-way and the retry streams again", async () => {
    h = await startSlackHarness({ env: { PREVIEW_IMAGES: "2" } });
    const c = await addSlackCommunity(h);
    const [ana] = c.members as [FakeSlackUser];
    const first = released();
    const second = released();
    // The first attempt shows preview 1 and dies; the second shows its previews again: more than 5 posts in all.
    h.openai.scriptStreams({ holdAfter: { partials: 1, until: first.until }, dieAfter: 1 }, { holdAfter: [{ partials: 1, until: second.until }] });

    const handle = await h.slack.slashCommand({ command: "/imagine", text: "a stubborn kite", userId: ana.id, channelId: c.gallery.id });
    await handle.waitForResponse((r) => r.text.includes("preview 1 of 2"), 10_000);
    first.release();
    await expect.poll(() => h!.openai.imageRequests.length, { timeout: 10_000 }).toBe(2);
    second.release();
    await handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 10_000);
    await jobsDone(h);

    expect(handle.responses().length).toBeLessThanOrEqual(5);
    expect(handle.responses().filter((r) => r.text.includes("Posted to the gallery"))).toHaveLength(1);
    expect(handle.responses().at(-1)!.text).toContain("Posted to the gallery");
    expect(handle.refusedResponses()).toEqual([]); // Salon counted its uses: Slack never had to refuse one
    expect(h.slack.ephemerals(ana.id).filter((e) => e.source === "chat.postEphemeral")).toEqual([]);
    expect(h.slack.messages(c.gallery.id).filter((m) => m.files.length > 0)).toHaveLength(1);
  });
});
