/**
 * The one writer of each status message: previews are spaced PREVIEW_EDIT_GAP_MS after the message's previous edit
 * (the platforms' edit rate limits), a newer preview replaces one still waiting, and the outcome drops a waiting
 * preview and goes at once.
 */
import { describe, expect, it } from "vitest";
import type { Clock, JobStatus, Publisher } from "../../src/core/ports.js";
import { PREVIEW_EDIT_GAP_MS, StatusEdits } from "../../src/core/status-edits.js";
import { SilentLogger } from "../support/core-fakes.js";

/** A clock that moves only when told; sleepers wake when it passes their time, or fail when their signal aborts. */
class SteppedClock implements Clock {
  private at = 0;
  private readonly sleepers: Array<{ until: number; wake: () => void }> = [];
  now(): Date {
    return new Date(this.at);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.at + ms, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
        reject(new Error("aborted"));
      });
    });
  }
  async advance(ms: number): Promise<void> {
    this.at += ms;
    for (const sleeper of this.sleepers.filter((s) => s.until <= this.at)) {
      this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
      sleeper.wake();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const image = { bytes: Buffer.from("png"), mimeType: "image/png" as const };
const preview = (index: number): JobStatus => ({ state: "generating", creationId: 1, preview: { index, of: 2, image } });
const describeStatus = (s: JobStatus) => (s.state === "generating" && s.preview ? `preview ${s.preview.index}` : s.state);

function setUp() {
  const clock = new SteppedClock();
  const sent: string[] = [];
  const publisher = { updateStatus: async (_ref: string, status: JobStatus) => void sent.push(describeStatus(status)) } as unknown as Publisher;
  const edits = new StatusEdits(clock);
  const send = (status: JobStatus) => edits.sendStatus(publisher, 1, "ref", status, new SilentLogger());
  return { clock, sent, send };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("status edits", () => {
  it("waits out the gap after the last edit before a preview, and sends only the newest preview of those that came meanwhile", async () => {
    const { clock, sent, send } = setUp();
    await send({ state: "generating", creationId: 1 });
    await clock.advance(100);
    const first = send(preview(1));
    await clock.advance(100);
    const second = send(preview(2));
    await settled();
    expect(sent).toEqual(["generating"]);

    await clock.advance(PREVIEW_EDIT_GAP_MS - 250);
    expect(sent).toEqual(["generating"]); // still inside the gap
    await clock.advance(50);
    await Promise.all([first, second]);
    expect(sent).toEqual(["generating", "preview 2"]);
  });

  it("sends the outcome at once, dropping a preview still waiting for its gap", async () => {
    const { clock, sent, send } = setUp();
    await send({ state: "generating", creationId: 1 });
    const waiting = send(preview(1));
    await clock.advance(10);
    await send({ state: "posted", creationId: 1, url: "https://gallery/1" });

    expect(sent).toEqual(["generating", "posted"]);
    await waiting; // it resolves, never sent
    await clock.advance(PREVIEW_EDIT_GAP_MS * 2);
    expect(sent).toEqual(["generating", "posted"]);
  });

  it("sends a preview that comes after the gap at once, and keeps every edit in the order asked", async () => {
    const { clock, sent, send } = setUp();
    await send({ state: "queued", position: 1, creationId: 1 });
    await clock.advance(PREVIEW_EDIT_GAP_MS);
    await send(preview(1));
    expect(sent).toEqual(["queued", "preview 1"]);
    const next = send(preview(2));
    await clock.advance(PREVIEW_EDIT_GAP_MS);
    await next;
    await send({ state: "failed", creationId: 1, reason: "no" });
    expect(sent).toEqual(["queued", "preview 1", "preview 2", "failed"]);
  });
});
