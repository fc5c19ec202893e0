/**
 * Titles and alt text on Slack: the gallery upload is titled with the text model's title and carries its alt text
 * (`files.getUploadURLExternal`'s `alt_text`); `/salon top` and `/salon profile` show the title. With the text model
 * down or slow, the post goes on time with the prompt's excerpt as its title and the prompt as its alt text.
 */
import { afterEach, describe, expect, it } from "vitest";
import { excerpt } from "../../src/core/format.js";
import type { FakeSlackMessage, FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, salonText, slackCreationOfPost, slackLikeCountOf, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";
// After the harness: fake-openai-text.ts and fake-openai.ts import each other.
import { captionOf } from "../support/openai/fake-openai-text.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `/imagine` through to its gallery post: the channel's file share made after the command. */
async function postOf(harness: SlackHarness, c: SlackCommunity, user: FakeSlackUser, prompt: string): Promise<FakeSlackMessage> {
  const before = new Set(harness.slack.messages(c.gallery.id).map((m) => m.ts));
  const handle = await harness.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: c.gallery.id });
  await handle.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);
  return harness.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0 && !before.has(m.ts));
}

const captionRequests = (harness: SlackHarness) => harness.openai.textRequests.filter((r) => r.body?.text?.format?.name === "caption");

describe("titles and alt text on Slack", () => {
  it("titles the upload with the text model's title and gives it its alt text; /salon top and profile show the title", async () => {
    h = await startSlackHarness();
    const c = await addSlackCommunity(h);
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const prompt = "a paper boat on a rainy street, watercolour";
    const caption = captionOf(prompt);

    const post = await postOf(h, c, ana, prompt);

    expect(post.files[0]!.title).toBe(caption.title);
    expect(post.files[0]!.altText).toBe(caption.alt_text);
    expect(post.text).toContain(prompt); // the prompt stays, in full
    expect(captionRequests(h)).toHaveLength(1);
    const stored = (await slackCreationOfPost(h, c, post.ts))!;
    expect([stored.title, stored.altText]).toEqual([caption.title, caption.alt_text]);

    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackLikeCountOf(h!, c, post.ts)).toBe(1);
    expect(await salonText(h, c, ben, "top")).toContain(`*1.* “${caption.title}” by ana — 1 like`);
    expect(await salonText(h, c, ana, "profile")).toContain(`Best creation: “${caption.title}” — 1 like`);
  });

  it("posts on time with the prompt's excerpt as the title and the prompt as alt text when the text model fails", async () => {
    h = await startSlackHarness();
    const c = await addSlackCommunity(h);
    h.openai.scriptText({ status: 503 });
    const prompt = "an enormous library carved into a mountain, with staircases that wind between shelves of glowing books";

    const post = await postOf(h, c, c.members[0]!, prompt);

    expect(post.files[0]!.title).toBe(excerpt(prompt, 60));
    expect(post.files[0]!.altText).toBe(prompt);
    expect(captionRequests(h)).toHaveLength(1);
    expect((await slackCreationOfPost(h, c, post.ts))!.title).toBeNull();
  });

  it("does not hold the post for a caption still running", async () => {
    h = await startSlackHarness();
    const c = await addSlackCommunity(h);
    let release!: () => void;
    h.openai.scriptText({ until: new Promise<void>((resolve) => (release = resolve)) });
    const prompt = "a lighthouse keeper's cat asleep on the lamp";

    const post = await postOf(h, c, c.members[0]!, prompt);

    // Posted while the caption's answer is still held back.
    expect(post.files[0]!.title).toBe(prompt);
    expect(post.files[0]!.altText).toBe(prompt);
    release();
  });
});
