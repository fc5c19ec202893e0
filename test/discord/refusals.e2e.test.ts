import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser, InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, imagine, startHarness, storedCommunity, type Community, type Harness } from "../support/harness.js";

let h: Harness;
let c: Community;

beforeEach(async () => {
  h = await startHarness();
  c = await addCommunity(h);
});
afterEach(async () => {
  await h.close();
});

const EPHEMERAL = 64;

/** Waits for the edit of a deferred ephemeral reply and checks that it is one. */
async function ephemeralReply(handle: InteractionHandle, timeoutMs = 5_000): Promise<FakeMessage> {
  const callback = await handle.response();
  expect(callback.type).toBe(5);
  expect(callback.data?.flags).toBe(EPHEMERAL);
  const reply = await handle.waitFor((m) => m.content !== "", timeoutMs);
  expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
  expect(reply.components).toEqual([]);
  return reply;
}

async function memberUsedToday(community: Community, user: FakeUser): Promise<number> {
  const stored = await storedCommunity(h.running, community);
  const day = new Date().toISOString().slice(0, 10);
  return (await h.running.salon.deps.creations.usage(stored.id, user.id, day)).memberToday;
}

async function posted(handle: InteractionHandle): Promise<void> {
  await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
}

describe("/imagine refusals on Discord", () => {
  it("refuses in a server where Salon is not set up, naming /salon setup", async () => {
    const fresh = await addCommunity(h, "Fresh Server", ["eve"], false);

    const reply = await ephemeralReply(imagine(h, fresh, fresh.members[0]!, "a quiet harbour"));

    expect(reply.content).toContain("isn't set up");
    expect(reply.content).toContain("/salon setup");
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
  });

  it("refuses an empty or whitespace-only prompt", async () => {
    const [ana] = c.members;

    const reply = await ephemeralReply(imagine(h, c, ana!, "   \n\t  "));

    expect(reply.content).toContain("Your prompt is empty");
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await memberUsedToday(c, ana!)).toBe(0);
  });

  it("refuses a prompt longer than 1000 characters and says the limit", async () => {
    const [ana] = c.members;

    const reply = await ephemeralReply(imagine(h, c, ana!, "a".repeat(1001)));

    expect(reply.content).toContain("1001 characters");
    expect(reply.content).toContain("limit here is 1000");
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
  });

  it("accepts a prompt of exactly 1000 characters", async () => {
    const [ana] = c.members;
    await posted(imagine(h, c, ana!, "b".repeat(1000)));
    expect(h.openai.imageRequests[0]!.body.prompt).toHaveLength(1000);
  });

  it("refuses a second /imagine during the cooldown, without asking OpenAI", async () => {
    const [ana] = c.members;
    const first = imagine(h, c, ana!, "first of two");
    // The cooldown runs from the first creation's insert, which its status message follows: a second sent before it
    // is one sent together with it, refused inside the insert after its moderation (the next test).
    await first.waitFor((m) => m.content !== "");
    const second = imagine(h, c, ana!, "second of two");

    const reply = await ephemeralReply(second);
    await posted(first);

    expect(reply.content).toMatch(/Please wait \d+ seconds? before your next creation/);
    expect(h.openai.promptModerations.map((r) => r.body.input)).toEqual(["first of two"]);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["first of two"]);
    expect(await memberUsedToday(c, ana!)).toBe(1);
  });

  it("refuses the second of two /imagine a member sends at the same moment", async () => {
    const [ana] = c.members;
    const handles = [imagine(h, c, ana!, "double click one"), imagine(h, c, ana!, "double click two")];

    const replies = await Promise.all(handles.map((handle) => handle.waitFor((m) => m.content !== "")));
    await Promise.all(handles.map((handle) => handle.waitFor((m) => !m.content.startsWith("⏳") && !m.content.startsWith("🎨"), 10_000)));

    const texts = replies.map((m) => m.content);
    expect(texts.filter((t) => /Please wait \d+ seconds? before your next creation/.test(t))).toHaveLength(1);
    expect(h.openai.imageRequests).toHaveLength(1);
    // Both may reach moderation (it runs before the insert); the cooldown is re-checked inside the insert.
    expect(await memberUsedToday(c, ana!)).toBe(1);
  });

  it("refuses a creation past the member's daily quota", async () => {
    const [ana] = c.members;
    expect(await adminCommand(h, c, "limits", [
      { type: 4, name: "per_member_daily", value: 1 },
      { type: 4, name: "cooldown_seconds", value: 0 },
    ])).toContain("1 creations per member per day");
    await posted(imagine(h, c, ana!, "my only one today"));

    const reply = await ephemeralReply(imagine(h, c, ana!, "one too many"));

    expect(reply.content).toContain("You've used all 1 of today's creations");
    expect(h.openai.promptModerations).toHaveLength(1);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await memberUsedToday(c, ana!)).toBe(1);
  });

  it("refuses a creation past the community's daily budget", async () => {
    const [ana] = c.members;
    expect(await adminCommand(h, c, "limits", [{ type: 10, name: "budget_usd_daily", value: 0 }])).toContain("$0.00 per day");

    const reply = await ephemeralReply(imagine(h, c, ana!, "an expensive taste"));

    expect(reply.content).toContain("reached today's image budget");
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
  });

  it("refuses a prompt flagged by moderation, naming the categories in words", async () => {
    const [ana] = c.members;
    h.openai.flagWords({ gore: ["violence", "violence/graphic"] });

    const reply = await ephemeralReply(imagine(h, c, ana!, "a battlefield full of gore"));

    expect(reply.content).toContain("flagged by moderation");
    expect(reply.content).toContain("violence");
    expect(reply.content).toContain("graphic violence");
    expect(reply.content).not.toContain("violence/graphic");
    expect(h.openai.promptModerations.map((r) => r.body.input)).toEqual(["a battlefield full of gore"]);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await memberUsedToday(c, ana!)).toBe(0);
  });

  it("refuses a member an admin blocked, and lets them create again once unblocked", async () => {
    const [ana] = c.members;
    expect(await adminCommand(h, c, "block", [{ type: 6, name: "member", value: ana!.id }])).toContain("is blocked");

    const reply = await ephemeralReply(imagine(h, c, ana!, "let me in"));

    expect(reply.content).toContain("blocked");
    expect(h.openai.promptModerations).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);

    expect(await adminCommand(h, c, "unblock", [{ type: 6, name: "member", value: ana!.id }])).toContain("is unblocked");
    await posted(imagine(h, c, ana!, "let me in"));
    expect(h.openai.imageRequests).toHaveLength(1);
  });
});
