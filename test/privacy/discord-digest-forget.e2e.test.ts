/**
 * `/privacy forget` on Discord reaches the digests already posted: the message is edited in place, the member's entry
 * reads "a former member" with no prompt, mention or link, and the collage is replaced by one without their image.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MovableClock } from "../support/movable-clock.js";
import { addCommunity, adminCommand, command, createPost, eventually, likeCountOf, startHarness, type Harness } from "../support/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("/privacy forget and posted digests on Discord", () => {
  it("edits the posted digest that named the member: 'a former member', no prompt, no mention, a new collage", async () => {
    const clock = new MovableClock(new Date("2026-11-25T12:00:00Z"));
    h = await startHarness({ clock });
    const c = await addCommunity(h, "Forgetful Club");
    const [ana, ben, chloe] = c.members;
    await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
    const mine = await createPost(h, c, ana!, "ana's private lighthouse");
    const theirs = await createPost(h, c, ben!, "ben's harbour");
    h.discord.react(c.gallery.id, mine.id, ben!.id, "👍");
    h.discord.react(c.gallery.id, mine.id, chloe!.id, "👍");
    h.discord.react(c.gallery.id, theirs.id, chloe!.id, "🔥");
    await eventually(async () => expect([await likeCountOf(h!.running, c, mine.id), await likeCountOf(h!.running, c, theirs.id)]).toEqual([2, 1]));
    clock.advance(86_400_000);
    expect(await adminCommand(h, c, "digest")).toContain("Posted the digest for 25 November 2026");
    const digest = h.discord.messages(c.gallery.id).find((m) => m.content.startsWith("🏆"))!;
    expect(digest.content).toContain("private lighthouse");
    expect(digest.content).toContain(`<@${ana!.id}>`);
    const collageBefore = digest.attachments[0]!;

    const answer = await command(h, c, ana!, "privacy", [{ type: 1, name: "forget" }]);

    expect(answer).toContain('The digest that named you now reads "a former member"');
    const edited = h.discord.getMessage(digest.id)!;
    expect(edited.deleted).toBe(false);
    expect(edited.content).toContain("**1.** A creation by a former member — 2 likes");
    expect(edited.content).toContain("top creator a former member (2 likes)");
    expect(edited.content).not.toContain("lighthouse");
    expect(edited.content).not.toContain(ana!.id);
    expect(edited.content).not.toContain(mine.id);
    expect(edited.content).toContain("ben's harbour");
    expect(edited.content).toContain(`<@${ben!.id}>`);
    // One collage, a new one, drawn from ben's image alone.
    expect(edited.attachments).toHaveLength(1);
    expect(edited.attachments[0]!.id).not.toBe(collageBefore.id);
    expect(edited.attachments[0]!.bytes.equals(collageBefore.bytes)).toBe(false);
  });
});
