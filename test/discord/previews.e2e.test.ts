/**
 * Live previews on Discord (PREVIEW_IMAGES): the image is streamed, and the member's status message (the deferred
 * interaction reply, edited with a multipart PATCH) shows the latest partial image as it comes; previews come at
 * most one edit a second, the outcome always wins, and only the final image reaches the gallery.
 */
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeUser, RecordedRequest } from "../support/discord/types.js";
import { addCommunity, imagine, startHarness, type Community, type Harness } from "../support/harness.js";
import { colourOf } from "../support/openai/fake-openai-images.js";
import { partialColour } from "../support/openai/fake-openai-stream.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const posted = (m: { content: string }) => m.content.includes("Posted to the gallery");

/** The status message edits Discord accepted (PATCH of the interaction's @original). */
const statusEdits = (harness: Harness, token: string): RecordedRequest[] =>
  harness.discord.requests.filter((r) => r.method === "PATCH" && r.path.includes(`/webhooks/`) && r.path.includes(token) && r.status !== undefined);

/** An edit as "<the content's first words> files=<uploads> attachments=<attachments listed>". */
function describeEdit(edit: RecordedRequest): string {
  const body = edit.body as { content?: string; attachments?: unknown[] };
  const content = (body.content ?? "").replace(/ — position.*| \\S+$/, "").replace(/(Posted to the gallery).*/, "$1");
  return `${content} files=${edit.files.length} attachments=${body.attachments?.length}`;
}

async function colourOfBytes(bytes: Buffer) {
  const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { r: data[0], g: data[1], b: data[2] };
}

function released() {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  return { until, release };
}

async function start(previews: string): Promise<{ h: Harness; c: Community; ana: FakeUser }> {
  h = await startHarness({ env: { PREVIEW_IMAGES: previews } });
  const c = await addCommunity(h);
  return { h, c, ana: c.members[0]! };
}

describe("live previews on Discord", () => {
  it("shows each preview on the status message as it comes, then the posted state without it; the gallery gets only the final image", async () => {
    const { h, c, ana } = await start("2");
    const first = released();
    const second = released();
    h.openai.scriptStreams({ holdAfter: [{ partials: 1, until: first.until }, { partials: 2, until: second.until }] });
    const prompt = "a lantern festival over a river";

    const handle = imagine(h, c, ana, prompt);
    const one = await handle.waitFor((m) => m.content.includes("preview 1 of 2") && m.attachments.length === 1, 10_000);
    expect(one.attachments[0]!.filename).toBe("preview-1-of-2.png");
    expect(await colourOfBytes(one.attachments[0]!.bytes)).toEqual(partialColour(prompt, 0, 2));
    first.release();
    const two = await handle.waitFor((m) => m.content.includes("preview 2 of 2") && m.attachments.length === 1, 10_000);
    expect(await colourOfBytes(two.attachments[0]!.bytes)).toEqual(partialColour(prompt, 1, 2));
    second.release();
    const done = await handle.waitFor(posted, 10_000);

    expect(done.attachments).toEqual([]); // the outcome clears the preview
    expect(h.openai.imageRequests[0]!.body).toMatchObject({ stream: true, partial_images: 2 });
    // queued, generating, preview 1, preview 2, posted: the counts in the note.
    await expect.poll(() => statusEdits(h, handle.token).map(describeEdit)).toEqual([
      "⏳ Queued files=0 attachments=0",
      "🎨 Generating your image… files=0 attachments=0",
      "🎨 Generating your image — preview 1 of 2 files=1 attachments=1",
      "🎨 Generating your image — preview 2 of 2 files=1 attachments=1",
      "✅ Posted to the gallery files=0 attachments=0",
    ]);

    const gallery = h.discord.messages(c.gallery.id).filter((m) => m.attachments.length > 0);
    expect(gallery).toHaveLength(1);
    expect(gallery[0]!.attachments.map((a) => a.filename)).not.toContain("preview-1-of-2.png");
    expect(await colourOfBytes(gallery[0]!.attachments[0]!.bytes)).toEqual(colourOf(prompt));
    const galleryPosts = h.discord.requests.filter((r) => r.method === "POST" && r.path === `/channels/${c.gallery.id}/messages`);
    expect(galleryPosts).toHaveLength(1);
  });

  it("coalesces previews that come faster than one edit a second: the outcome wins and is not held up", async () => {
    const { h, c, ana } = await start("2");

    const handle = imagine(h, c, ana, "two partials in quick succession");
    const done = await handle.waitFor(posted, 10_000);

    expect(done.attachments).toEqual([]);
    await expect.poll(() => statusEdits(h, handle.token).map(describeEdit).at(-1)).toBe("✅ Posted to the gallery files=0 attachments=0");
    const edits = statusEdits(h, handle.token);
    // Both partials came within a second of the "generating" edit: at most one of them was worth an edit.
    expect(edits.filter((e) => e.files.length > 0).length).toBeLessThanOrEqual(1);
    expect(done.revisions.at(-1)!.content).toContain("Posted to the gallery");
  });

  it("shows the failure, without the preview, when the stream keeps dying after its first partial", async () => {
    h = await startHarness({ env: { PREVIEW_IMAGES: "1" }, start: { retry: { maxAttempts: 2, retryBaseMs: 20 } } });
    const c = await addCommunity(h);
    h.openai.scriptStreams({ dieAfter: 1 }, { dieAfter: 1 });

    const handle = imagine(h, c, c.members[0]!, "a stream that never finishes");
    const failed = await handle.waitFor((m) => m.content.startsWith("⚠️"), 15_000);

    expect(failed.content).toContain("kept failing");
    expect(failed.attachments).toEqual([]);
    expect(h.openai.imageRequests).toHaveLength(2);
    expect(h.discord.messages(c.gallery.id).filter((m) => m.attachments.length > 0)).toEqual([]);
  });

  it("makes today's single request and no preview edit with PREVIEW_IMAGES=0", async () => {
    const { h, c, ana } = await start("0");
    const handle = imagine(h, c, ana, "no previews please");
    await handle.waitFor(posted, 10_000);

    expect(h.openai.imageRequests[0]!.body).not.toHaveProperty("stream");
    expect(statusEdits(h, handle.token).every((e) => e.files.length === 0)).toBe(true);
  });
});
