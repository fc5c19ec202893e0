import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeSlackEphemeral, FakeSlackUser, SlackCommandHandle } from "../support/slack/types.js";
import { addSlackCommunity, salonText, startSlackHarness, storedSlackCommunity, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
let c: SlackCommunity;

beforeEach(async () => {
  h = await startSlackHarness();
  c = await addSlackCommunity(h);
});
afterEach(async () => {
  await h.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const POLISH = { polished: "salon_polish_use", mine: "salon_polish_mine", cancel: "salon_polish_cancel" } as const;

type Button = { action_id?: string; text?: { text: string } };
const buttonsOf = (blocks: unknown[] | undefined) => ((blocks ?? []) as Array<{ elements?: Button[] }>).flatMap((b) => b.elements ?? []);
const labels = (e: FakeSlackEphemeral) => buttonsOf(e.blocks).map((b) => b.text?.text);
const polishedOf = (e: FakeSlackEphemeral) => {
  const section = (e.blocks as Array<{ text?: { text: string } }>).map((b) => b.text?.text ?? "").find((t) => t.startsWith("*Polished:* "));
  return section!.slice("*Polished:* ".length).replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
};

function imagine(user: FakeSlackUser, text: string): Promise<SlackCommandHandle> {
  return h.slack.slashCommand({ command: "/imagine", text, userId: user.id, channelId: c.gallery.id });
}

/** The choice, answered through the command's response URL, once it shows its buttons. */
async function choiceOf(user: FakeSlackUser, handle: SlackCommandHandle): Promise<FakeSlackEphemeral> {
  expect(handle.status).toBe(200);
  await handle.waitForResponse((r) => buttonsOf(r.blocks).length > 0, 10_000);
  return h.slack.waitForEphemeral(user.id, (e) => buttonsOf(e.blocks).length > 0 && !e.replaced);
}

function click(user: FakeSlackUser, choice: FakeSlackEphemeral, which: keyof typeof POLISH): Promise<SlackCommandHandle> {
  return h.slack.clickButton({ userId: user.id, channelId: c.gallery.id, messageTs: choice.ts, actionId: POLISH[which] });
}

const posted = (handle: SlackCommandHandle) => handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 10_000);

async function spendToday(): Promise<number> {
  const community = await storedSlackCommunity(h);
  return (await h.running.salon.deps.creations.usage(community.id, "nobody", today())).spendTodayMicroUsd;
}

async function createdPrompts(user: FakeSlackUser): Promise<string[]> {
  const community = await storedSlackCommunity(h);
  return (await h.running.salon.deps.privacy.exportMember(community.id, user.id)).creations.map((x) => x.prompt);
}

describe("/imagine --polish on Slack", () => {
  it("shows both prompts and queues nothing until the pick; Use polished queues the polished prompt over the choice", async () => {
    const [ana] = c.members as [FakeSlackUser];
    const choice = await choiceOf(ana, await imagine(ana, "a fox in the snow --aspect portrait --polish"));

    expect(JSON.stringify(choice.blocks)).toContain("*Yours:* a fox in the snow");
    const polished = polishedOf(choice);
    expect(polished).toMatch(/^a fox in the snow, .+/);
    expect(labels(choice)).toEqual(["Use polished", "Use mine", "Cancel"]);
    expect(h.openai.textRequests).toHaveLength(1);
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await spendToday()).toBeGreaterThan(0);

    const pick = await click(ana, choice, "polished");
    expect(pick.status).toBe(200);
    await posted(pick);
    expect(choice.replaced).toBe(true);
    expect(pick.responses().some((r) => r.text.includes("Queued") && r.replaceOriginal)).toBe(true);
    expect(h.openai.imageRequests.map((r) => [r.body.prompt, r.body.size])).toEqual([[polished, "1024x1536"]]);
    expect(await createdPrompts(ana)).toEqual([polished]);
  });

  it("queues the member's own prompt on Use mine", async () => {
    const [ana] = c.members as [FakeSlackUser];
    const choice = await choiceOf(ana, await imagine(ana, "a red kite over the hills --polish"));
    await posted(await click(ana, choice, "mine"));
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a red kite over the hills"]);
  });

  it("queues nothing on Cancel, and the choice says so", async () => {
    const [ana] = c.members as [FakeSlackUser];
    const choice = await choiceOf(ana, await imagine(ana, "a quiet library --polish"));
    const answer = await (await click(ana, choice, "cancel")).waitForResponse();
    expect(answer.text).toBe("Cancelled. Nothing was queued, and no image was paid for.");
    expect(answer.replaceOriginal).toBe(true);
    expect(choice.replaced).toBe(true);
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await createdPrompts(ana)).toEqual([]);
  });

  it("queues once when the member clicks twice", async () => {
    const [ana] = c.members as [FakeSlackUser];
    const choice = await choiceOf(ana, await imagine(ana, "twin lighthouses --polish"));
    const clicks = await Promise.all([click(ana, choice, "polished"), click(ana, choice, "polished")]);
    await Promise.race(clicks.map(posted));
    await expect.poll(() => h.logText().includes("a polish draft already chosen")).toBe(true);
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await createdPrompts(ana)).toHaveLength(1);
  });

  it("refuses a polished prompt over the length limit as a typed one, and keeps the choice open for Use mine", async () => {
    const [ana] = c.members as [FakeSlackUser];
    const prompt = `a harbour at night ${"with boats ".repeat(85)}`.trim();
    const choice = await choiceOf(ana, await imagine(ana, `${prompt} --polish`));

    const refused = await (await click(ana, choice, "polished")).waitForResponse();
    expect(refused.text).toContain("limit here is 1000");
    expect(refused.replaceOriginal).toBe(true);
    expect(buttonsOf(refused.blocks).map((b) => b.text?.text)).toEqual(["Use polished", "Use mine", "Cancel"]);
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);

    await posted(await click(ana, choice, "mine"));
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual([prompt]);
  });

  it("refuses a polished prompt that moderation flags, as a typed one", async () => {
    const [ana] = c.members as [FakeSlackUser];
    const choice = await choiceOf(ana, await imagine(ana, "a battle at sea --polish"));
    const polished = polishedOf(choice);
    const added = polished.slice("a battle at sea".length).match(/[a-z]{5,}/)![0];
    h.openai.flagWords({ [added]: ["violence"] });

    const refused = await (await click(ana, choice, "polished")).waitForResponse();
    expect(refused.text).toContain("flagged by moderation (violence)");
    expect(h.openai.moderationRequests.map((r) => r.body.input)).toEqual([polished]);
    expect(h.openai.imageRequests).toHaveLength(0);
  });

  it("offers only Use mine and Cancel when the text model is down, and spends nothing", async () => {
    const [ana] = c.members as [FakeSlackUser];
    h.openai.scriptText({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const choice = await choiceOf(ana, await imagine(ana, "a windmill in the rain --polish"));
    expect(choice.text).toContain("Polish is unavailable right now");
    expect(labels(choice)).toEqual(["Use mine", "Cancel"]);
    expect(await spendToday()).toBe(0);

    await posted(await click(ana, choice, "mine"));
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a windmill in the rain"]);
  });

  it("keeps the choice across a restart", async () => {
    const [ana] = c.members as [FakeSlackUser];
    const choice = await choiceOf(ana, await imagine(ana, "a lantern festival --polish"));
    await h.running.stop();
    await h.restart();

    await posted(await click(ana, choice, "mine"));
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a lantern festival"]);
  });

  it("refuses polish before the text call when the day's budget is spent", async () => {
    const [ana] = c.members as [FakeSlackUser];
    await salonText(h, c, c.admin, "limits budget_usd_daily=0");
    const handle = await imagine(ana, "a lighthouse --polish");
    const answer = await handle.waitForResponse();
    expect(answer.text).toContain("today's image budget");
    expect(answer.blocks).toBeUndefined();
    expect(h.openai.textRequests).toHaveLength(0);
  });
});
