/**
 * Remix on Discord, end to end through discord.js and the openai SDK: the gallery post's Remix button opens a modal
 * prefilled with the parent's prompt; the submission goes through `/imagine`'s checks and is made with OpenAI's image
 * edit endpoint from the parent's stored image; the post reads "Remix of <parent post> by <creator>" without pinging.
 * Refusals: the creator's `/privacy remixes off`, a parent deleted or forgotten, a chain at its maximum depth, a
 * flagged prompt; an edit refused by OpenAI is refunded.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser, InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, command, createPost, creationOfPost, startHarness, type Community, type Harness } from "../support/harness.js";

let h: Harness;
let c: Community;
let ana: FakeUser, ben: FakeUser, chloe: FakeUser;

async function start(env: Record<string, string> = {}) {
  h = await startHarness({ env });
  c = await addCommunity(h, "Remix Club");
  [ana, ben, chloe] = c.members as [FakeUser, FakeUser, FakeUser];
  await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
}
afterEach(async () => {
  await h?.close();
});

const remixId = async (post: FakeMessage) => `salon:remix:${(await creationOfPost(h.running, c, post.id))!.id}`;

/** A member clicks the post's Remix button. */
async function clickRemix(user: FakeUser, post: FakeMessage): Promise<InteractionHandle> {
  return h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: user.id, messageId: post.id, customId: await remixId(post) });
}

/** Remix button → modal → submit `prompt` → the remix's gallery post. */
async function remix(user: FakeUser, post: FakeMessage, prompt: string): Promise<FakeMessage> {
  const opener = await clickRemix(user, post);
  expect((await opener.response()).type).toBe(9);
  const submitted = h.discord.submitModal({ opener, values: { prompt } });
  await submitted.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  return h.discord.waitForMessage(c.gallery.id, (m) => m.embeds.some((e: { description?: string }) => e.description === prompt));
}

describe("Remix on Discord", () => {
  it("opens a modal prefilled with the parent's prompt, edits the parent's image and posts with the credit line, without pinging", async () => {
    await start();
    const parent = await createPost(h, c, ana, "a lighthouse at dawn");
    expect(parent.components[0].components.map((b: { label: string }) => b.label)).toEqual(["Remix", "Delete"]);

    const opener = await clickRemix(ben, parent);
    const modal = await opener.response();
    expect(modal.type).toBe(9);
    expect(modal.data.custom_id).toBe(await remixId(parent));
    expect(modal.data.components[0].components[0]).toMatchObject({ type: 4, custom_id: "prompt", value: "a lighthouse at dawn", style: 2 });

    const submitted = h.discord.submitModal({ opener, values: { prompt: "a lighthouse at dawn, in a snowstorm" } });
    const deferred = await submitted.response();
    expect(deferred.type).toBe(5);
    expect(deferred.data?.flags).toBe(64);
    await submitted.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);

    // One image request: an edit, whose uploaded image is the parent's bytes as posted.
    expect(h.openai.imageRequests).toHaveLength(1); // the parent's generation only
    expect(h.openai.editRequests).toHaveLength(1);
    const edit = h.openai.editRequests[0]!;
    expect(edit.images[0]!.bytes.equals(parent.attachments[0]!.bytes)).toBe(true);
    expect(edit.fields).toMatchObject({ prompt: "a lighthouse at dawn, in a snowstorm", model: "gpt-image-2", size: "1024x1024", quality: "medium" });
    // The remix's prompt was moderated like any /imagine.
    expect(JSON.stringify(h.openai.moderationRequests.map((r) => r.body))).toContain("in a snowstorm");

    const post = await h.discord.waitForMessage(c.gallery.id, (m) => m.embeds.some((e: { description?: string }) => e.description === "a lighthouse at dawn, in a snowstorm"));
    const parentUrl = `https://discord.com/channels/${c.guild.id}/${c.gallery.id}/${parent.id}`;
    expect(post.content).toBe(`🎨 New creation by <@${ben.id}>\n🔁 Remix of ${parentUrl} by <@${ana.id}>`);
    expect(post.allowedMentions).toEqual({ parse: [] });
    expect(post.attachments[0]!.bytes.equals(parent.attachments[0]!.bytes)).toBe(false);
    // The edited image was checked before it was posted, as every image is.
    expect(h.openai.imageModerations.some((m) => m.bytes!.equals(post.attachments[0]!.bytes))).toBe(true);

    // Lineage: parent, root and depth; a remix of the remix keeps the original as its root.
    const first = (await creationOfPost(h.running, c, post.id))!;
    const original = (await creationOfPost(h.running, c, parent.id))!;
    expect([first.parentId, first.rootId, first.depth]).toEqual([original.id, original.id, 1]);
    const second = await remix(chloe, post, "a lighthouse at dawn, in a snowstorm, at night");
    const stored = (await creationOfPost(h.running, c, second.id))!;
    expect([stored.parentId, stored.rootId, stored.depth]).toEqual([first.id, original.id, 2]);
    expect(second.content).toContain(`Remix of https://discord.com/channels/${c.guild.id}/${c.gallery.id}/${post.id} by <@${ben.id}>`);
    expect(h.openai.editRequests[1]!.images[0]!.bytes.equals(post.attachments[0]!.bytes)).toBe(true);
  });

  it("refuses a remix when the creator turned remixes off, saying why on the button; the creator may still remix their own; on again, it opens", async () => {
    await start();
    const parent = await createPost(h, c, ana, "a quiet harbour");
    expect(await command(h, c, ana, "privacy", [{ type: 1, name: "remixes", options: [{ type: 3, name: "setting", value: "off" }] }])).toContain("Remixes are off");

    const refused = await clickRemix(ben, parent);
    expect((await refused.response()).type).toBe(4);
    const answer = await refused.waitFor((m) => m.content !== "");
    expect(answer.content).toBe(`<@${ana.id}> doesn't allow remixes of their creations.`);
    expect(answer.flags & 64).toBe(64);

    expect((await (await clickRemix(ana, parent)).response()).type).toBe(9);
    expect(await command(h, c, ana, "privacy", [{ type: 1, name: "remixes", options: [{ type: 3, name: "setting", value: "on" }] }])).toContain("Remixes are on");
    expect((await (await clickRemix(ben, parent)).response()).type).toBe(9);
    expect(h.openai.editRequests).toHaveLength(0);
  });

  it("refuses the submission when the creator turned remixes off after the form opened, before anything is paid", async () => {
    await start();
    const parent = await createPost(h, c, ana, "a red fox");
    const opener = await clickRemix(ben, parent);
    expect((await opener.response()).type).toBe(9);
    await command(h, c, ana, "privacy", [{ type: 1, name: "remixes", options: [{ type: 3, name: "setting", value: "off" }] }]);
    const submitted = h.discord.submitModal({ opener });
    const reply = await submitted.waitFor((m) => m.content !== "");
    expect(reply.content).toBe(`<@${ana.id}> doesn't allow remixes of their creations.`);
    expect(h.openai.editRequests).toHaveLength(0);
  });

  it("leaves remixes standing when the parent's creator is forgotten, and refuses a new remix of the forgotten parent clearly", async () => {
    await start();
    const parent = await createPost(h, c, ana, "a garden of glass");
    const made = await remix(ben, parent, "a garden of glass at noon");
    const opener = await clickRemix(chloe, parent);
    expect((await opener.response()).type).toBe(9);

    await command(h, c, ana, "privacy", [{ type: 1, name: "forget" }]);
    const submitted = h.discord.submitModal({ opener, values: { prompt: "a garden of glass, overgrown" } });
    const reply = await submitted.waitFor((m) => m.content !== "");
    expect(reply.content).toContain("can't be remixed");
    expect(reply.content).toContain("asked to be forgotten");
    expect(h.openai.editRequests).toHaveLength(1);

    // Ben's remix stays up and counted, and can itself be remixed (its parent is Ben's creation).
    expect(h.discord.getMessage(made.id)?.deleted).toBe(false);
    expect((await creationOfPost(h.running, c, made.id))!.status).toBe("posted");
    const again = await remix(chloe, made, "a garden of glass at noon, in autumn");
    expect(again.content).toContain(`by <@${ben.id}>`);
  });

  it("counts remixes made and received on /profile, and the digest names the original's creator beside the remixer, without a ping", async () => {
    await start();
    const parent = await createPost(h, c, ana, "a kite over the dunes");
    const first = await remix(ben, parent, "a kite over the dunes at dusk");
    const second = await remix(chloe, first, "a kite over the dunes at dusk, in the rain");
    h.discord.react(c.gallery.id, second.id, ana.id, "👍");
    await expect.poll(async () => (await creationOfPost(h.running, c, second.id))?.likeCount).toBe(1);

    expect(await command(h, c, ana, "profile")).toContain("Remixes: 0 made, 1 received from others");
    expect(await command(h, c, ana, "profile", [{ type: 6, name: "member", value: ben.id }])).toContain("Remixes: 1 made, 1 received from others");
    expect(await command(h, c, ana, "profile", [{ type: 6, name: "member", value: chloe.id }])).toContain("Remixes: 1 made, 0 received from others");
    // The chain's original creator (ana), not the parent's (ben).
    expect(await adminCommand(h, c, "digest", [{ type: 3, name: "day", value: "today" }])).toMatch(new RegExp(`\\*\\*1\\.\\*\\* “.+” by <@${chloe.id}> \\(remix of <@${ana.id}>\\) — 1 like`));
  });

  it("refuses a remix of a deleted post", async () => {
    await start();
    const parent = await createPost(h, c, ana, "a paper boat");
    const opener = await clickRemix(ben, parent);
    expect((await opener.response()).type).toBe(9);
    const deleted = h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: ana.id, messageId: parent.id, customId: (await remixId(parent)).replace("remix", "delete") });
    await deleted.waitFor((m) => m.content.startsWith("Deleted the post"));
    const reply = await h.discord.submitModal({ opener }).waitFor((m) => m.content !== "");
    expect(reply.content).toBe("This creation was deleted (or its creator asked to be forgotten), so it can't be remixed. Remixes already made of it stay up.");
    expect(h.openai.editRequests).toHaveLength(0);
  });

  it("bounds a remix chain at REMIX_MAX_DEPTH: the button on a remix at the maximum says why", async () => {
    await start({ REMIX_MAX_DEPTH: "1" });
    const parent = await createPost(h, c, ana, "a tin robot");
    const child = await remix(ben, parent, "a tin robot, rusty");
    const refused = await clickRemix(chloe, child);
    expect((await refused.response()).type).toBe(4);
    const answer = await refused.waitFor((m) => m.content !== "");
    expect(answer.content).toBe("This creation is already 1 remix down from its original, the most this Salon allows, so it can't be remixed again. You can remix an earlier creation of the chain.");
    expect((await (await clickRemix(chloe, parent)).response()).type).toBe(9);
  });

  it("refuses a flagged remix prompt through /imagine's moderation, and refunds an edit OpenAI's safety system refuses", async () => {
    await start();
    h.openai.flagWords({ gore: ["violence", "violence/graphic"] });
    const parent = await createPost(h, c, ana, "a castle on a hill");
    const first = await clickRemix(ben, parent);
    await first.response();
    const flagged = h.discord.submitModal({ opener: first, values: { prompt: "a castle on a hill, with gore" } });
    expect((await flagged.waitFor((m) => m.content !== "")).content).toBe("Your prompt was flagged by moderation (violence, graphic violence). Please rephrase it.");
    expect(h.openai.editRequests).toHaveLength(0);

    h.openai.scriptEdits({ status: 400, code: "moderation_blocked" });
    const opener = await clickRemix(ben, parent);
    await opener.response();
    const refused = h.discord.submitModal({ opener, values: { prompt: "a castle on a hill, at war" } });
    const reply = await refused.waitFor((m) => m.content.includes("safety system"), 10_000);
    expect(reply.content).toContain("refunded");
    expect(h.openai.editRequests).toHaveLength(1);
  });
});
