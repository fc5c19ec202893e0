/**
 * Remix on Slack, end to end through Bolt, the Web API client and the openai SDK: the **Remix creation** message
 * shortcut opens a modal (views.open) prefilled with the parent's prompt; its submission goes through `/imagine`'s
 * checks and is made with OpenAI's image edit endpoint from the parent's stored image; the post credits the parent
 * and its creator by name. Refusals: `/salon privacy remixes off`, a parent deleted or forgotten, a chain at its
 * maximum depth, a flagged prompt.
 */
import { afterEach, describe, expect, it } from "vitest";
import { REMIX_SHORTCUT, REMIX_VIEW } from "../../src/slack/slack-remix.js";
import { DELETE_SHORTCUT } from "../../src/slack/slack-render.js";
import type { FakeSlackMessage, FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import { addSlackCommunity, createSlackPost, salonText, slackCreationOfPost, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
let c: SlackCommunity;
let ana: FakeSlackUser, ben: FakeSlackUser, chloe: FakeSlackUser;

async function start(env: Record<string, string> = {}) {
  h = await startSlackHarness({ env });
  c = await addSlackCommunity(h);
  [ana, ben, chloe] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
  await salonText(h, c, c.admin, "limits cooldown_seconds=0");
}
afterEach(async () => {
  await h?.close();
});

const shortcut = (user: FakeSlackUser, post: FakeSlackMessage) => h.slack.messageShortcut({ userId: user.id, channelId: c.gallery.id, messageTs: post.ts, callbackId: REMIX_SHORTCUT });

/** The view the bot opened for `user` (waiting for it). */
async function openedView(user: FakeSlackUser) {
  await expect.poll(() => h.slack.views.openViewOf(user.id, REMIX_VIEW) !== undefined).toBe(true);
  return h.slack.views.openViewOf(user.id, REMIX_VIEW)!;
}

/** Shortcut → modal → submit `prompt` → the remix's gallery post; resolves with the post and the shortcut's handle. */
async function remix(user: FakeSlackUser, post: FakeSlackMessage, prompt: string): Promise<{ post: FakeSlackMessage; handle: SlackCommandHandle }> {
  const handle = await shortcut(user, post);
  await openedView(user);
  await h.slack.submitView({ userId: user.id, callbackId: REMIX_VIEW, values: { prompt } });
  await handle.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);
  const made = await h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0 && m.text.includes(prompt));
  return { post: made, handle };
}

describe("Remix on Slack", () => {
  it("opens a modal prefilled with the parent's prompt, edits the parent's image and posts with the credit line, naming the creator", async () => {
    await start();
    const parent = await createSlackPost(h, c, ana, "a lighthouse at dawn");
    const handle = await shortcut(ben, parent);
    expect(handle.status).toBe(200);
    const view = await openedView(ben);
    expect(view.view.blocks[0].element).toMatchObject({ type: "plain_text_input", initial_value: "a lighthouse at dawn", multiline: true });

    const submitted = await h.slack.submitView({ userId: ben.id, callbackId: REMIX_VIEW, values: { prompt: "a lighthouse at dawn, in a snowstorm" } });
    expect(submitted.status).toBe(200);
    expect(h.slack.views.openViewOf(ben.id, REMIX_VIEW)).toBeUndefined(); // the modal closed
    await handle.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);

    expect(h.openai.editRequests).toHaveLength(1);
    expect(h.openai.editRequests[0]!.images[0]!.bytes.equals(parent.files[0]!.bytes!)).toBe(true);
    expect(h.openai.editRequests[0]!.fields).toMatchObject({ prompt: "a lighthouse at dawn, in a snowstorm", model: "gpt-image-2" });

    const post = await h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0 && m.text.includes("in a snowstorm"));
    const parentLink = (await slackCreationOfPost(h, c, parent.ts))!.galleryUrl!;
    expect(post.text).toContain(`🔁 Remix of <${parentLink}|this post> by ana`);
    expect(post.text).not.toContain(`<@${ana.id}>`); // a name, not a mention: no ping
    // The edited image was checked before it was posted, as every image is.
    expect(h.openai.imageModerations.some((m) => m.bytes!.equals(post.files[0]!.bytes))).toBe(true);
    // The gallery post the shortcut was used on is untouched: every status went out as a new ephemeral.
    expect(h.slack.messages(c.gallery.id).find((m) => m.ts === parent.ts)?.text).toContain("a lighthouse at dawn");
    expect(handle.responses().every((r) => !r.replaceOriginal)).toBe(true);

    const first = (await slackCreationOfPost(h, c, post.ts))!;
    const original = (await slackCreationOfPost(h, c, parent.ts))!;
    expect([first.parentId, first.rootId, first.depth]).toEqual([original.id, original.id, 1]);
    const second = await remix(chloe, post, "a lighthouse at dawn, in a snowstorm, at night");
    const stored = (await slackCreationOfPost(h, c, second.post.ts))!;
    expect([stored.parentId, stored.rootId, stored.depth]).toEqual([first.id, original.id, 2]);
    expect(second.post.text).toContain("by ben");
  });

  it("refuses a remix when the creator turned remixes off, saying why; on again, the modal opens", async () => {
    await start();
    const parent = await createSlackPost(h, c, ana, "a quiet harbour");
    expect(await salonText(h, c, ana, "privacy remixes off")).toContain("Remixes are off");
    const refused = await shortcut(ben, parent);
    const answer = await refused.waitForResponse();
    // A mention, which Slack shows as the member's name; an ephemeral answer notifies no one.
    expect(answer.text).toBe(`<@${ana.id}> doesn't allow remixes of their creations.`);
    expect(h.slack.views.opened).toHaveLength(0);

    expect(await salonText(h, c, ana, "privacy remixes on")).toContain("Remixes are on");
    await shortcut(ben, parent);
    await openedView(ben);
    expect(await salonText(h, c, ana, "privacy remixes maybe")).toContain("Usage: `/salon privacy remixes off`");
  });

  it("counts remixes made and received on /salon profile, and the digest names the original's creator beside the remixer", async () => {
    await start();
    const parent = await createSlackPost(h, c, ana, "a kite over the dunes");
    const first = await remix(ben, parent, "a kite over the dunes at dusk");
    const second = await remix(chloe, first.post, "a kite over the dunes at dusk, in the rain");
    await h.slack.react(c.gallery.id, second.post.ts, ana.id, "+1");
    await expect.poll(async () => (await slackCreationOfPost(h, c, second.post.ts))?.likeCount).toBe(1);

    expect(await salonText(h, c, ana, "profile")).toContain("Remixes: 0 made, 1 received from others");
    expect(await salonText(h, c, ana, `profile ${h.slack.userRef(ben.id)}`)).toContain("Remixes: 1 made, 1 received from others");
    expect(await salonText(h, c, ana, `profile ${h.slack.userRef(chloe.id)}`)).toContain("Remixes: 1 made, 0 received from others");
    // The chain's original creator (ana), not the parent's (ben); a name, no mention.
    expect(await salonText(h, c, c.admin, "digest today")).toMatch(/\*1\.\* “.+” by chloe \(remix of ana\) — 1 like/);
  });

  it("refuses a new remix of a forgotten parent clearly, and leaves the remixes already made standing", async () => {
    await start();
    const parent = await createSlackPost(h, c, ana, "a garden of glass");
    const made = await remix(ben, parent, "a garden of glass at noon");
    const handle = await shortcut(chloe, parent);
    await openedView(chloe);
    expect(await salonText(h, c, ana, "privacy forget")).toBeTruthy();
    await h.slack.submitView({ userId: chloe.id, callbackId: REMIX_VIEW });
    const answer = await handle.waitForResponse((r) => (r.text ?? "").includes("can't be remixed"));
    expect(answer.text).toContain("asked to be forgotten");
    expect(h.openai.editRequests).toHaveLength(1);
    expect((await slackCreationOfPost(h, c, made.post.ts))!.status).toBe("posted");
  });

  it("refuses a remix of a deleted post", async () => {
    await start();
    const parent = await createSlackPost(h, c, ana, "a paper boat");
    const handle = await shortcut(ben, parent);
    await openedView(ben);
    const deleted = await h.slack.messageShortcut({ userId: ana.id, channelId: c.gallery.id, messageTs: parent.ts, callbackId: DELETE_SHORTCUT });
    await deleted.waitForResponse((r) => (r.text ?? "").startsWith("Deleted"));
    await h.slack.submitView({ userId: ben.id, callbackId: REMIX_VIEW });
    const answer = await handle.waitForResponse((r) => (r.text ?? "").includes("can't be remixed"));
    expect(answer.text).toBe("This creation was deleted (or its creator asked to be forgotten), so it can't be remixed. Remixes already made of it stay up.");
    expect(h.openai.editRequests).toHaveLength(0);
  });

  it("bounds a remix chain at REMIX_MAX_DEPTH: the shortcut on a remix at the maximum says why", async () => {
    await start({ REMIX_MAX_DEPTH: "1" });
    const parent = await createSlackPost(h, c, ana, "a tin robot");
    const child = await remix(ben, parent, "a tin robot, rusty");
    const refused = await shortcut(chloe, child.post);
    expect((await refused.waitForResponse()).text).toBe("This creation is already 1 remix down from its original, the most this Salon allows, so it can't be remixed again. You can remix an earlier creation of the chain.");
  });

  it("refuses a flagged remix prompt through /imagine's moderation", async () => {
    await start();
    h.openai.flagWords({ gore: ["violence", "violence/graphic"] });
    const parent = await createSlackPost(h, c, ana, "a castle on a hill");
    const handle = await shortcut(ben, parent);
    await openedView(ben);
    await h.slack.submitView({ userId: ben.id, callbackId: REMIX_VIEW, values: { prompt: "a castle on a hill, with gore" } });
    const answer = await handle.waitForResponse((r) => (r.text ?? "").includes("flagged"));
    expect(answer.text).toBe("Your prompt was flagged by moderation (violence, graphic violence). Please rephrase it.");
    expect(h.openai.editRequests).toHaveLength(0);
  });
});
