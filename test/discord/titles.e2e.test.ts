/**
 * Titles and alt text on Discord: the text model captions each creation while its image is made; the gallery post
 * carries the title as its embed's title and the alt text as its attachment's description, and the lists (`/top`,
 * `/profile`, the digest) show the title. With the text model down, off or slow, the post goes on time with the prompt's
 * excerpt as its title and the prompt as its alt text.
 */
import { afterEach, describe, expect, it } from "vitest";
import { excerpt } from "../../src/core/format.js";
import type { FakeMessage } from "../support/discord/types.js";
import { addCommunity, command, creationOfPost, imagine, startHarness, type Community, type Harness } from "../support/harness.js";
import { captionOf } from "../support/openai/fake-openai-text.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const posted = (m: { content: string }) => m.content.includes("Posted to the gallery");

/** `/imagine` through to its gallery post (found by the creation's status link, whatever its title). */
async function postOf(harness: Harness, c: Community, prompt: string, member = c.members[0]!): Promise<FakeMessage> {
  const status = await imagine(harness, c, member, prompt).waitFor(posted, 10_000);
  const messageId = status.content.split("/").pop()!;
  return harness.discord.waitForMessage(c.gallery.id, (m) => m.id === messageId);
}

/** The caption requests the text model got (Structured Outputs with the caption schema), by prompt. */
const captionRequests = (harness: Harness) => harness.openai.textRequests.filter((r) => r.body?.text?.format?.name === "caption");

describe("titles and alt text on Discord", () => {
  it("posts the text model's title as the embed title and its alt text as the attachment's description; /top and /profile show the title", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    const [ana, ben] = c.members as [NonNullable<(typeof c.members)[0]>, NonNullable<(typeof c.members)[0]>];
    const prompt = "a paper boat on a rainy street, watercolour";
    const caption = captionOf(prompt);

    const post = await postOf(h, c, prompt);

    expect(post.embeds[0]!.title).toBe(caption.title);
    expect(post.embeds[0]!.description).toBe(prompt); // the prompt stays, in full
    expect(post.attachments).toHaveLength(1);
    expect(post.attachments[0]!.description).toBe(caption.alt_text);
    // Asked for once, with the prompt, while the image was made: both requests went out before the post.
    expect(captionRequests(h)).toHaveLength(1);
    expect(JSON.stringify(captionRequests(h)[0]!.body.input)).toContain(prompt);
    const stored = (await creationOfPost(h.running, c, post.id))!;
    expect([stored.title, stored.altText]).toEqual([caption.title, caption.alt_text]);

    h.discord.react(c.gallery.id, post.id, ben.id, "👍");
    await expect.poll(async () => (await creationOfPost(h!.running, c, post.id))?.likeCount).toBe(1);
    expect(await command(h, c, ben, "top")).toContain(`**1.** “${caption.title}” by <@${ana.id}> — 1 like`);
    expect(await command(h, c, ana, "profile")).toContain(`Best creation: “${caption.title}” — 1 like`);
  });

  it("posts on time with the prompt's excerpt as the title and the prompt as alt text when the text model fails", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    h.openai.scriptText({ status: 500 });
    const prompt = "an enormous library carved into a mountain, with staircases that wind between shelves of glowing books";

    const post = await postOf(h, c, prompt);

    expect(post.embeds[0]!.title).toBe(excerpt(prompt, 60));
    expect(post.attachments[0]!.description).toBe(prompt);
    expect(captionRequests(h)).toHaveLength(1); // one attempt: a caption is never worth a retry that delays a post
    const stored = (await creationOfPost(h.running, c, post.id))!;
    expect([stored.title, stored.altText]).toEqual([null, null]);
    expect(h.logText()).toContain("could not caption this creation");
  });

  it("asks for the caption while the image is still being made", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    let release!: () => void;
    h.openai.scriptImages({ until: new Promise<void>((resolve) => (release = resolve)) });
    const prompt = "a paper boat on a rainy street, watercolour";

    const handle = imagine(h, c, c.members[0]!, prompt);
    // The image is held back by the loopback: the caption was asked for beside it, not after it.
    await expect.poll(() => captionRequests(h!).length, { timeout: 10_000 }).toBe(1);
    expect(h.openai.imageRequests).toHaveLength(1);
    release();
    await handle.waitFor(posted, 10_000);
  });

  it("never asks when TEXT_MODEL is off", async () => {
    h = await startHarness({ env: { TEXT_MODEL: "off" } });
    const c = await addCommunity(h);
    const post = await postOf(h, c, "a snail racing a tortoise");

    expect(post.embeds[0]!.title).toBe("a snail racing a tortoise");
    expect(post.attachments[0]!.description).toBe("a snail racing a tortoise");
    expect(h.openai.textRequests).toHaveLength(0);
  });

  it("does not hold the post for a caption still running, and still counts the caption's cost when it comes", async () => {
    h = await startHarness();
    const c = await addCommunity(h);
    const ana = c.members[0]!;
    let release!: () => void;
    h.openai.scriptText({ until: new Promise<void>((resolve) => (release = resolve)) });
    const prompt = "a lighthouse keeper's cat asleep on the lamp";

    const post = await postOf(h, c, prompt);

    // Posted while the caption's answer is still held back: with the fallback, not the caption.
    expect(captionRequests(h)).toHaveLength(1);
    expect(post.embeds[0]!.title).toBe(prompt.length <= 60 ? prompt : excerpt(prompt, 60));
    expect(post.attachments[0]!.description).toBe(prompt);
    const stored = await h.running.salon.deps.communities.getCommunity((await creationOfPost(h.running, c, post.id))!.communityId);
    const day = (await creationOfPost(h.running, c, post.id))!.day;
    const spentBefore = (await h.running.salon.deps.creations.usage(stored!.id, ana.id, day)).spendTodayMicroUsd;

    release();
    // The caption came back late: paid for, so counted, though the post keeps its fallback.
    await expect.poll(async () => (await h!.running.salon.deps.creations.usage(stored!.id, ana.id, day)).spendTodayMicroUsd, { timeout: 5_000 }).toBeGreaterThan(spentBefore);
    expect((await creationOfPost(h.running, c, post.id))!.title).toBeNull();
  });
});
