import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeMessage, FakeUser, InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, eventually, startHarness, storedCommunity, type Community, type Harness } from "../support/harness.js";
import { MovableClock } from "../support/movable-clock.js";

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
const today = () => new Date().toISOString().slice(0, 10);

/** `/imagine prompt:… polish:True`. */
function polishImagine(user: FakeUser, prompt: string): InteractionHandle {
  return h.discord.slashCommand({
    guildId: c.guild.id,
    channelId: c.gallery.id,
    userId: user.id,
    name: "imagine",
    options: [
      { type: 3, name: "prompt", value: prompt },
      { type: 5, name: "polish", value: true },
    ] as never,
  });
}

/** The choice in the deferred ephemeral reply, once it shows its buttons. */
async function choiceOf(handle: InteractionHandle): Promise<FakeMessage> {
  const callback = await handle.response();
  expect(callback.type).toBe(5);
  const reply = await handle.waitFor((m) => m.components.length > 0, 10_000);
  expect(reply.flags & EPHEMERAL).toBe(EPHEMERAL);
  return reply;
}

const labels = (m: FakeMessage) => (m.components as Array<{ components: Array<{ label: string }> }>).flatMap((r) => r.components.map((b) => b.label));
const customId = (m: FakeMessage, label: string) =>
  (m.components as Array<{ components: Array<{ label: string; custom_id: string }> }>).flatMap((r) => r.components).find((b) => b.label === label)!.custom_id;

function click(user: FakeUser, message: FakeMessage, label: string): InteractionHandle {
  return h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: user.id, messageId: message.id, customId: customId(message, label) });
}

async function spendToday(): Promise<number> {
  const community = await storedCommunity(h.running, c);
  return (await h.running.salon.deps.creations.usage(community.id, "nobody", today())).spendTodayMicroUsd;
}

async function createdPrompts(user: FakeUser): Promise<string[]> {
  const community = await storedCommunity(h.running, c);
  return (await h.running.salon.deps.privacy.exportMember(community.id, user.id)).creations.map((x) => x.prompt);
}

describe("/imagine polish on Discord", () => {
  it("shows both prompts and queues nothing until the pick; Use polished queues the polished prompt, in the same message", async () => {
    const [ana] = c.members;
    const handle = polishImagine(ana!, "a fox in the snow");
    const choice = await choiceOf(handle);

    expect(choice.content).toContain("**Yours:** a fox in the snow");
    expect(choice.content).toMatch(/\*\*Polished:\*\* a fox in the snow, .+/);
    expect(labels(choice)).toEqual(["Use polished", "Use mine", "Cancel"]);
    expect(h.openai.textRequests).toHaveLength(1);
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await createdPrompts(ana!)).toEqual([]);
    // The text call is paid: the day's spend has it, with no creation.
    expect(await spendToday()).toBeGreaterThan(0);
    const polished = /\*\*Polished:\*\* (.+)$/m.exec(choice.content)![1]!.replace(/\\/g, "");

    const pick = click(ana!, choice, "Use polished");
    expect((await pick.response()).type).toBe(6);
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);

    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual([polished]);
    expect(await createdPrompts(ana!)).toEqual([polished]);
    expect(choice.revisions.map((r) => r.content).some((t) => t.includes("Queued"))).toBe(true);
    expect(pick.followups()).toEqual([]);
  });

  it("queues the member's own prompt on Use mine", async () => {
    const [ana] = c.members;
    const handle = polishImagine(ana!, "a red kite over the hills");
    const choice = await choiceOf(handle);
    click(ana!, choice, "Use mine");
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a red kite over the hills"]);
  });

  it("queues nothing on Cancel, and the choice says so", async () => {
    const [ana] = c.members;
    const handle = polishImagine(ana!, "a quiet library");
    const choice = await choiceOf(handle);
    click(ana!, choice, "Cancel");
    const cancelled = await handle.waitFor((m) => m.content.startsWith("Cancelled"));
    expect(cancelled.content).toBe("Cancelled. Nothing was queued, and no image was paid for.");
    expect(cancelled.components).toEqual([]);
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await createdPrompts(ana!)).toEqual([]);
  });

  it("queues once when the member clicks twice", async () => {
    const [ana] = c.members;
    const handle = polishImagine(ana!, "twin lighthouses");
    const choice = await choiceOf(handle);
    const clicks = [click(ana!, choice, "Use polished"), click(ana!, choice, "Use polished")];
    await Promise.all(clicks.map((k) => k.response()));
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    // The click that found the draft taken has said so (in the log: it changes nothing the member sees).
    await eventually(() => expect(h.logText()).toContain("a polish draft already chosen"));
    expect(h.openai.imageRequests).toHaveLength(1);
    expect(await createdPrompts(ana!)).toHaveLength(1);
    expect(clicks.flatMap((k) => k.followups())).toEqual([]);
  });

  it("refuses a polished prompt over the length limit as a typed one, and keeps the choice open for Use mine", async () => {
    const [ana] = c.members;
    const prompt = `a harbour at night ${"with boats ".repeat(85)}`.trim();
    expect(prompt.length).toBeLessThanOrEqual(1000);
    const handle = polishImagine(ana!, prompt);
    const choice = await choiceOf(handle);

    click(ana!, choice, "Use polished");
    const refused = await handle.waitFor((m) => m.content.includes("limit here is 1000"));
    expect(labels(refused)).toEqual(["Use polished", "Use mine", "Cancel"]);
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);

    click(ana!, refused, "Use mine");
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual([prompt]);
  });

  it("refuses a polished prompt that moderation flags, as a typed one", async () => {
    const [ana] = c.members;
    const handle = polishImagine(ana!, "a battle at sea");
    const choice = await choiceOf(handle);
    const polished = /\*\*Polished:\*\* (.+)$/m.exec(choice.content)![1]!.replace(/\\/g, "");
    // A word the text model added, not the member.
    const added = polished.slice("a battle at sea".length).match(/[a-z]{5,}/)![0];
    h.openai.flagWords({ [added]: ["violence"] });

    click(ana!, choice, "Use polished");
    const refused = await handle.waitFor((m) => m.content.includes("flagged by moderation"));
    expect(refused.content).toContain("violence");
    expect(h.openai.moderationRequests.map((r) => r.body.input)).toEqual([polished]);
    expect(h.openai.imageRequests).toHaveLength(0);
    expect(await createdPrompts(ana!)).toEqual([]);
  });

  it("offers only Use mine and Cancel when the text model is down, and spends nothing", async () => {
    const [ana] = c.members;
    h.openai.scriptText({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const handle = polishImagine(ana!, "a windmill in the rain");
    const choice = await choiceOf(handle);

    expect(choice.content).toContain("Polish is unavailable right now");
    expect(choice.content).toContain("Use your prompt?");
    expect(labels(choice)).toEqual(["Use mine", "Cancel"]);
    expect(await spendToday()).toBe(0);
    expect(h.openai.imageRequests).toHaveLength(0);

    click(ana!, choice, "Use mine");
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a windmill in the rain"]);
  });

  it("keeps the choice across a restart", async () => {
    const [ana] = c.members;
    const handle = polishImagine(ana!, "a lantern festival");
    const choice = await choiceOf(handle);
    await h.running.stop();
    await h.restart();

    click(ana!, choice, "Use mine");
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a lantern festival"]);
  });

  it("says a choice older than 15 minutes expired, and queues nothing", async () => {
    await h.close();
    const clock = new MovableClock(new Date());
    h = await startHarness({ clock });
    c = await addCommunity(h);
    const [ana] = c.members;
    const handle = polishImagine(ana!, "an old harbour");
    const choice = await choiceOf(handle);
    clock.advance(15 * 60_000);

    click(ana!, choice, "Use polished");
    const expired = await handle.waitFor((m) => m.content.includes("expired"));
    expect(expired.content).toContain("run `/imagine");
    expect(expired.components).toEqual([]);
    expect(h.openai.moderationRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
  });

  it("refuses polish before the text call when the day's budget is spent", async () => {
    const [ana] = c.members;
    await adminCommand(h, c, "limits", [{ type: 10, name: "budget_usd_daily", value: 0 }]);
    const handle = polishImagine(ana!, "a lighthouse");
    await handle.response();
    const reply = await handle.waitFor((m) => m.content !== "");
    expect(reply.content).toContain("today's image budget");
    expect(reply.components).toEqual([]);
    expect(h.openai.textRequests).toHaveLength(0);
    expect(h.openai.imageRequests).toHaveLength(0);
  });
});
