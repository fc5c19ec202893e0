import { afterEach, describe, expect, it } from "vitest";
import type { FakeSlackMessage, FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import {
  addSlackCommunity,
  createSlackPost,
  salonText,
  slackCreationOfPost,
  slackLikeCountOf,
  slackMemberUsedToday,
  slashText,
  startSlackHarness,
  storedSlackCommunity,
  type SlackCommunity,
  type SlackHarness,
} from "../support/slack-harness.js";

let h: SlackHarness;
let open: SlackHarness | undefined;
let c: SlackCommunity;

async function start(env: Record<string, string> = {}, setup = true): Promise<void> {
  h = open = await startSlackHarness({ env });
  c = await addSlackCommunity(h, undefined, setup);
}
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const permalink = (post: FakeSlackMessage) => `https://fake.slack.com/archives/${post.channel}/p${post.ts.replace(".", "")}`;
const link = (post: FakeSlackMessage, label: string) => `<${permalink(post)}|${label}>`;

function imagine(user: FakeSlackUser, prompt: string): Promise<SlackCommandHandle> {
  return h.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: c.gallery.id });
}

/** The status message's final text once it no longer says queued or generating. */
async function outcome(handle: SlackCommandHandle, timeoutMs = 10_000): Promise<string> {
  return (await handle.waitForResponse((r) => /^(✅|⚠️|Cancelled)/.test(r.text), timeoutMs)).text;
}

/**
 * A day in the gallery: the lighthouse (3 likes), the fox (1 like, posted before the meadow) and the meadow
 * (1 like); the sketch has none.
 */
async function dayOfCreations() {
  const [ana, ben, chloe, dev] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser, FakeSlackUser];
  expect(await salonText(h, c, c.admin, "limits cooldown_seconds=0")).toContain("0 s cooldown");
  const lighthouse = await createSlackPost(h, c, ana, "a lighthouse at dawn, oil on canvas");
  const fox = await createSlackPost(h, c, ben, "a red fox in the snow");
  const meadow = await createSlackPost(h, c, ana, "a meadow full of poppies");
  const sketch = await createSlackPost(h, c, chloe, "an unloved sketch");
  for (const user of [ben, chloe, dev]) await h.slack.react(c.gallery.id, lighthouse.ts, user.id, "+1");
  await h.slack.react(c.gallery.id, fox.ts, ana.id, "+1");
  await h.slack.react(c.gallery.id, meadow.ts, dev.id, "fire");
  await expect.poll(async () => Promise.all([lighthouse, fox, meadow, sketch].map((p) => slackLikeCountOf(h, c, p.ts)))).toEqual([3, 1, 1, 0]);
  return { ana, ben, chloe, dev, lighthouse, fox, meadow, sketch };
}

describe("/salon setup and limits on Slack", () => {
  it("stores the gallery, the digest channel, the digest time and the timezone", async () => {
    await start({}, false);
    const digest = h.slack.addChannel({ name: "digest" });

    const reply = await salonText(h, c, c.admin, `setup ${h.slack.channelRef(c.gallery.id)} ${h.slack.channelRef(digest.id)} 09:00 Europe/Paris`);

    expect(reply).toBe(`Salon is set up. Gallery: <#${c.gallery.id}>. Digest: <#${digest.id}> at 09:00 (Europe/Paris).\nMembers can now use \`/imagine\`.`);
    expect(await storedSlackCommunity(h)).toMatchObject({
      galleryChannelId: c.gallery.id,
      digestChannelId: digest.id,
      digestTime: "09:00",
      timezone: "Europe/Paris",
    });
  });

  it("refuses a bad digest time or an unknown timezone with a clear message and changes nothing", async () => {
    await start({}, false);
    const digest = h.slack.addChannel({ name: "digest" });
    const [gallery, digestRef] = [h.slack.channelRef(c.gallery.id), h.slack.channelRef(digest.id)];
    await salonText(h, c, c.admin, `setup ${gallery} ${digestRef} 09:00 Europe/Paris`);
    const before = await storedSlackCommunity(h);
    const other = h.slack.addChannel({ name: "elsewhere" });
    const otherRef = h.slack.channelRef(other.id);

    expect(await salonText(h, c, c.admin, `setup ${otherRef} ${otherRef} 24:00 Europe/Paris`)).toBe('"24:00" is not a time. Use 24-hour HH:MM, e.g. 09:00 or 18:30.');
    expect(await salonText(h, c, c.admin, `setup ${otherRef} ${otherRef} 9:5 Europe/Paris`)).toBe('"9:5" is not a time. Use 24-hour HH:MM, e.g. 09:00 or 18:30.');
    expect(await salonText(h, c, c.admin, `setup ${otherRef} ${otherRef} 10:00 Mars/Olympus_Mons`)).toBe(
      '"Mars/Olympus_Mons" is not an IANA time zone. Use a name such as Europe/Paris, America/New_York or UTC.',
    );

    expect(await storedSlackCommunity(h)).toEqual(before);
  });

  it("refuses a creation past the member's daily quota set with /salon limits", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];
    expect(await salonText(h, c, c.admin, "limits per_member_daily=1 cooldown_seconds=0")).toBe(
      "Limits: 1 creations per member per day, $5.00 per day for the community, 0 s cooldown.",
    );
    await createSlackPost(h, c, ana, "my only one today");

    const reply = await slashText(h, "/imagine", "one too many", ana.id, c.gallery.id);

    expect(reply).toBe("You've used all 1 of today's creations. Your quota resets at midnight (UTC).");
    expect(h.openai.promptModerations).toHaveLength(1);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await slackMemberUsedToday(h, ana.id)).toBe(1);
  });
});

describe("/salon top and /salon profile on Slack", () => {
  it("ranks creations and creators with like counts, names instead of mentions, and links", async () => {
    await start();
    const { ana, ben, dev, lighthouse, fox, meadow } = await dayOfCreations();

    const byCreations = await salonText(h, c, dev, "top");
    expect(byCreations.split("\n")).toEqual([
      "*Top creations this week*",
      `*1.* “a lighthouse at dawn, oil on canvas” by ana — 3 likes — ${link(lighthouse, "view")}`,
      `*2.* “a red fox in the snow” by ben — 1 like — ${link(fox, "view")}`,
      `*3.* “a meadow full of poppies” by ana — 1 like — ${link(meadow, "view")}`,
    ]);

    const byCreators = await salonText(h, c, dev, "top today creators");
    expect(byCreators.split("\n")).toEqual([
      "*Top creators today*",
      `*1.* ana — 4 likes across 2 creations — ${link(lighthouse, "best")}`,
      `*2.* ben — 1 like across 1 creation — ${link(fox, "best")}`,
    ]);
    for (const text of [byCreations, byCreators]) {
      expect(text).not.toContain(`<@${ana.id}>`);
      expect(text).not.toContain(`<@${ben.id}>`);
    }
  });

  it("shows a member's own profile and another member's, with like counts and the best creation's link", async () => {
    await start();
    const { ana, ben, lighthouse, fox } = await dayOfCreations();

    expect((await salonText(h, c, ana, "profile")).split("\n")).toEqual([
      "*Profile of ana*",
      "Creations: 2",
      "Likes received: 4 likes",
      `Best creation: “a lighthouse at dawn, oil on canvas” — 3 likes — ${link(lighthouse, "view")}`,
      "Rank this week: #1",
      "Daily streak: 1 day",
      "Remixes: 0 made, 0 received from others",
    ]);
    const bens = await salonText(h, c, ana, `profile ${h.slack.userRef(ben.id)}`);
    expect(bens.split("\n")).toEqual([
      "*Profile of ben*",
      "Creations: 1",
      "Likes received: 1 like",
      `Best creation: “a red fox in the snow” — 1 like — ${link(fox, "view")}`,
      "Rank this week: #2",
      "Daily streak: 1 day",
      "Remixes: 0 made, 0 received from others",
    ]);
    expect(bens).not.toContain("<@");
  });
});

describe("cancelling and deleting on Slack", () => {
  it("lets the author cancel a queued job with its Cancel button: no image is made and the quota is refunded", async () => {
    await start({ GENERATION_CONCURRENCY: "1" });
    const [ana, ben, chloe] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
    h.openai.scriptImages({ delayMs: 1500 });
    const first = await imagine(ana, "a slow first job");
    await first.waitForResponse((r) => r.text.includes("Generating"));

    const second = await imagine(ben, "a job that will be cancelled");
    await second.waitForResponse((r) => r.text.includes("Queued — position 1"));
    const status = await h.slack.waitForEphemeral(ben.id, (e) => e.text.includes("Queued — position 1"));
    const button = (status.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; text?: { text: string } }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "salon_cancel");
    expect(button?.text?.text).toBe("Cancel");

    const stranger = await h.slack.clickButton({ userId: chloe.id, channelId: c.gallery.id, messageTs: status.ts, actionId: "salon_cancel" });
    expect((await stranger.waitForResponse()).text).toContain("Only the member who asked");
    expect(status.text).toContain("Queued");

    const click = await h.slack.clickButton({ userId: ben.id, channelId: c.gallery.id, messageTs: status.ts, actionId: "salon_cancel" });
    expect(click.status).toBe(200);
    expect(await outcome(second)).toBe("Cancelled. It won't count toward your daily limit.");
    expect(status.replaced).toBe(true);
    expect(status.text).toMatch(/^Cancelled/);
    expect(status.blocks).toBeUndefined();

    expect(await outcome(first)).toContain("Posted to the gallery");
    await settle(500);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a slow first job"]);
    expect(h.openai.promptModerations).toHaveLength(2);
    expect(await slackMemberUsedToday(h, ben.id)).toBe(0);
    const community = await storedSlackCommunity(h);
    expect((await h.running.salon.deps.privacy.exportMember(community.id, ben.id)).creations.map((x) => x.status)).toEqual(["cancelled"]);
  });

  it("refuses another member's Delete shortcut on a post and lets the creator delete it from every ranking", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "delete me if you can");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);

    const refused = await h.slack.messageShortcut({ userId: ben.id, channelId: c.gallery.id, messageTs: post.ts, callbackId: "salon_delete" });
    expect((await refused.waitForResponse()).text).toBe("Only the creator or an admin can delete this post.");
    expect(h.slack.callsTo("files.delete")).toHaveLength(0);
    expect(h.slack.message(c.gallery.id, post.ts)!.deleted).toBe(false);
    expect((await slackCreationOfPost(h, c, post.ts))!.status).toBe("posted");

    const accepted = await h.slack.messageShortcut({ userId: ana.id, channelId: c.gallery.id, messageTs: post.ts, callbackId: "salon_delete" });
    expect((await accepted.waitForResponse()).text).toContain("Deleted the post");
    expect(h.slack.callsTo("files.delete").map((call) => call.args)).toEqual([{ file: post.files[0]!.id }]);
    expect(h.slack.file(post.files[0]!.id)!.deleted).toBe(true);
    expect(h.slack.message(c.gallery.id, post.ts)!.deleted).toBe(true);
    expect((await slackCreationOfPost(h, c, post.ts))!.status).toBe("deleted");
    const top = await salonText(h, c, ben, "top all");
    expect(top).not.toContain(permalink(post));
    expect(top).toContain("No liked creations");
  });

  it("lets an admin delete any member's post with the Delete shortcut", async () => {
    await start();
    const [ana] = c.members as [FakeSlackUser];
    const post = await createSlackPost(h, c, ana, "moderated away");

    const shortcut = await h.slack.messageShortcut({ userId: c.admin.id, channelId: c.gallery.id, messageTs: post.ts, callbackId: "salon_delete" });

    expect((await shortcut.waitForResponse()).text).toContain("Deleted the post");
    expect(h.slack.callsTo("files.delete").map((call) => call.args)).toEqual([{ file: post.files[0]!.id }]);
    expect(h.slack.file(post.files[0]!.id)!.deleted).toBe(true);
    expect(h.slack.message(c.gallery.id, post.ts)!.deleted).toBe(true);
    expect((await slackCreationOfPost(h, c, post.ts))!.status).toBe("deleted");
  });
});

describe("/salon privacy on Slack", () => {
  it("sends a member their creations and likes as salon-export.json in a direct message", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const mine = await createSlackPost(h, c, ana, "my exported dream");
    const theirs = await createSlackPost(h, c, ben, "a friend's painting");
    await h.slack.react(c.gallery.id, mine.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, theirs.ts, ana.id, "fire");
    await expect.poll(async () => [await slackLikeCountOf(h, c, mine.ts), await slackLikeCountOf(h, c, theirs.ts)]).toEqual([1, 1]);

    const reply = await salonText(h, c, ana, "privacy export");

    expect(reply).toContain("salon-export.json");
    expect(h.slack.callsTo("conversations.open").map((call) => call.args.users)).toEqual([ana.id]);
    const upload = h.slack.callsTo("files.completeUploadExternal").at(-1)!;
    const dm = upload.args.channel_id as string;
    expect(dm).toMatch(/^D/);
    const message = await h.slack.waitForMessage(dm, (m) => m.files.some((f) => f.name === "salon-export.json"));
    expect(h.slack.messages(c.gallery.id).some((m) => m.files.some((f) => f.name === "salon-export.json"))).toBe(false);
    const data = JSON.parse(message.files[0]!.bytes.toString("utf8"));
    expect(data.community).toEqual({ platform: "slack", externalId: h.slack.teamId });
    expect(data.member.userId).toBe(ana.id);
    expect(data.member.creations).toHaveLength(1);
    expect(data.member.creations[0]).toMatchObject({ prompt: "my exported dream", status: "posted", likeCount: 1, galleryUrl: permalink(mine) });
    expect(data.member.reactions).toEqual([{ creationId: (await slackCreationOfPost(h, c, theirs.ts))!.id, emoji: "fire", galleryUrl: permalink(theirs), reactedAt: expect.any(String) }]);
  });

  it("forgets a member: deletes their gallery post on Slack and their likes from others' counts", async () => {
    await start();
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const mine = await createSlackPost(h, c, ana, "please forget me");
    const theirs = await createSlackPost(h, c, ben, "stays, minus a like");
    await h.slack.react(c.gallery.id, mine.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, theirs.ts, ana.id, "+1");
    await expect.poll(async () => [await slackLikeCountOf(h, c, mine.ts), await slackLikeCountOf(h, c, theirs.ts)]).toEqual([1, 1]);

    const reply = await salonText(h, c, ana, "privacy forget");

    expect(reply).toBe("Done. I deleted your prompts and likes, 1 gallery post and 1 image. Your reaction on others' posts no longer counts as a like; only you can take it off the posts.");
    expect(h.slack.callsTo("files.delete").map((call) => call.args)).toEqual([{ file: mine.files[0]!.id }]);
    expect(h.slack.file(mine.files[0]!.id)!.deleted).toBe(true);
    expect(h.slack.message(c.gallery.id, mine.ts)!.deleted).toBe(true);
    expect(h.slack.message(c.gallery.id, theirs.ts)!.deleted).toBe(false);
    expect(await slackLikeCountOf(h, c, theirs.ts)).toBe(0);
    expect(await slackCreationOfPost(h, c, mine.ts)).toMatchObject({ status: "deleted", prompt: "" });
    const top = await salonText(h, c, ben, "top all");
    expect(top).not.toContain("please forget me");
    expect(top).not.toContain(permalink(mine));
  });
});
