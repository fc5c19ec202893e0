import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POLISH_DRAFT_LIFETIME_MS } from "../../src/core/polish.js";
import type { ProviderError } from "../../src/core/errors.js";
import type { TextModel } from "../../src/core/ports.js";
import { buildSalon, providerError, said, type SalonHarness } from "../support/core-fakes.js";

/** A text model that polishes by adding detail to the member's words, with scripted failures. */
class PolishingText implements TextModel {
  readonly model = "gpt-5-mini";
  readonly polishRequests: Array<{ prompt: string; user: string }> = [];
  costMicroUsd = 150;
  polishWith: (prompt: string) => string = (prompt) => `${prompt}, in soft morning light, richly detailed`;
  private readonly failures: ProviderError[] = [];

  failNext(...errors: ProviderError[]): this {
    this.failures.push(...errors);
    return this;
  }
  async polish(request: { prompt: string; user: string }) {
    this.polishRequests.push({ prompt: request.prompt, user: request.user });
    const failure = this.failures.shift();
    if (failure) throw failure;
    return { text: this.polishWith(request.prompt), costMicroUsd: this.costMicroUsd };
  }
  async caption(request: { prompt: string }) {
    return { title: request.prompt.slice(0, 60), altText: request.prompt.slice(0, 300), costMicroUsd: 0 };
  }
}

let h: SalonHarness;
let text: PolishingText;
beforeEach(async () => {
  text = new PolishingText();
  h = await buildSalon({ deps: { text } });
});
afterEach(async () => {
  await h.cleanup();
});

const member = "u-member";
const today = "2026-11-25";

async function usage(userId = member) {
  return h.stores.creations.usage((await h.community()).id, userId, today);
}
const creations = async () => (await h.stores.privacy.exportMember((await h.community()).id, member)).creations;

describe("/imagine polish in the core", () => {
  it("shows both prompts and queues nothing; the text call is the day's spend; Use polished queues the polished prompt", async () => {
    await h.setUp();
    const view = await h.salon.polish(h.actor(member), { prompt: "a fox in the snow", aspect: "portrait" });

    expect(view).toMatchObject({ original: "a fox in the snow", polished: "a fox in the snow, in soft morning light, richly detailed", unavailable: null, notice: null });
    expect(text.polishRequests).toHaveLength(1);
    expect(text.polishRequests[0]!.user).not.toContain(member);
    expect(await creations()).toEqual([]);
    expect(h.provider.moderateCalls).toBe(0);
    expect((await usage()).spendTodayMicroUsd).toBe(150);

    const outcome = await h.salon.choosePolish(h.actor(member), view.draftId, "polished", "status-1");
    expect(outcome.state).toBe("queued");
    await h.drain();
    const [made] = await creations();
    expect(made).toMatchObject({ prompt: "a fox in the snow, in soft morning light, richly detailed", aspect: "portrait", status: "posted" });
    expect(h.provider.moderated).toEqual(["a fox in the snow, in soft morning light, richly detailed"]);
    // The image's price and the text call's.
    expect((await usage()).spendTodayMicroUsd).toBe(60_000 + 150);
  });

  it("queues the member's own prompt on Use mine, and nothing on Cancel", async () => {
    await h.setUp();
    const mine = await h.salon.polish(h.actor(member), { prompt: "a red kite" });
    expect((await h.salon.choosePolish(h.actor(member), mine.draftId, "mine", "status-1")).state).toBe("queued");
    await h.drain();
    h.clock.advance(60_000);
    const cancelled = await h.salon.polish(h.actor(member), { prompt: "a blue kite" });
    expect(await h.salon.choosePolish(h.actor(member), cancelled.draftId, "cancel", "status-2")).toEqual({ state: "cancelled" });
    expect(await h.salon.choosePolish(h.actor(member), cancelled.draftId, "mine", "status-2")).toEqual({ state: "already" });

    expect((await creations()).map((c) => c.prompt)).toEqual(["a red kite"]);
    expect(h.provider.generateRequests.map((r) => r.prompt)).toEqual(["a red kite"]);
  });

  it("queues once when the same choice is sent twice at once, and again after (a restart reads the stored draft)", async () => {
    await h.setUp();
    const view = await h.salon.polish(h.actor(member), { prompt: "twin lighthouses" });
    const second = await buildSalon({ database: { db: h.db, stores: h.stores, url: h.url }, clock: h.clock, deps: { text } });
    try {
      const outcomes = await Promise.all([
        h.salon.choosePolish(h.actor(member), view.draftId, "polished", "status-1"),
        second.salon.choosePolish(h.actor(member), view.draftId, "polished", "status-1"),
      ]);
      expect(outcomes.map((o) => o.state).sort()).toEqual(["already", "queued"]);
      expect(await h.salon.choosePolish(h.actor(member), view.draftId, "mine", "status-1")).toEqual({ state: "already" });
      expect(await creations()).toHaveLength(1);
    } finally {
      await second.cleanup();
    }
  });

  it("refuses a polished prompt over the length limit like a typed one, and keeps the choice open", async () => {
    await h.setUp();
    text.polishWith = (prompt) => `${prompt} ${"very ".repeat(250)}detailed`;
    const view = await h.salon.polish(h.actor(member), { prompt: "a small boat" });

    const refused = await h.salon.choosePolish(h.actor(member), view.draftId, "polished", "status-1");
    expect(refused.state).toBe("refused");
    if (refused.state !== "refused") return;
    expect(said(refused.view.notice!)).toContain("limit here is 1000");
    expect(h.provider.moderateCalls).toBe(0);
    expect(await creations()).toEqual([]);
    expect((await h.salon.choosePolish(h.actor(member), view.draftId, "mine", "status-1")).state).toBe("queued");
    expect((await creations()).map((c) => c.prompt)).toEqual(["a small boat"]);
  });

  it("refuses a polished prompt that moderation flags, as a typed one", async () => {
    await h.setUp();
    h.provider.flag("gore", ["violence"]);
    text.polishWith = (prompt) => `${prompt}, with gore`;
    const view = await h.salon.polish(h.actor(member), { prompt: "a battle scene" });

    const refused = await h.salon.choosePolish(h.actor(member), view.draftId, "polished", "status-1");
    expect(refused.state === "refused" && said(refused.view.notice!)).toContain("flagged by moderation (violence)");
    expect(await creations()).toEqual([]);
    expect(h.provider.generateCalls).toBe(0);
  });

  it("offers only the member's prompt when the text model fails, and spends nothing", async () => {
    await h.setUp();
    text.failNext(providerError("transient"));
    const view = await h.salon.polish(h.actor(member), { prompt: "a quiet street" });
    expect(view).toMatchObject({ polished: null, unavailable: "Polish is unavailable right now: the text model didn't answer." });
    expect((await usage()).spendTodayMicroUsd).toBe(0);
    await expect(h.salon.choosePolish(h.actor(member), view.draftId, "polished", "status-1")).rejects.toMatchObject({ code: "polish_unavailable" });
    expect((await h.salon.choosePolish(h.actor(member), view.draftId, "mine", "status-1")).state).toBe("queued");
  });

  it("says polish is unavailable when no text model is configured", async () => {
    const off = await buildSalon();
    try {
      await off.setUp();
      const view = await off.salon.polish(off.actor(member), { prompt: "a quiet street" });
      expect(view).toMatchObject({ polished: null, unavailable: "Polish is unavailable here: no text model is configured." });
    } finally {
      await off.cleanup();
    }
  });

  it("refuses before the text call when the day's budget can't pay for the image, or the member's quota is used", async () => {
    await h.setUp({ limits: { budgetUsdDaily: "0.05" } });
    await h.createPosted(member, "the first image");
    await expect(h.salon.polish(h.actor("u-other"), { prompt: "a second image" })).rejects.toMatchObject({ code: "budget" });
    await h.salon.limits(h.actor("u-admin", { admin: true }), { budgetUsdDaily: "5", perMemberDaily: 1 });
    await expect(h.salon.polish(h.actor(member), { prompt: "a second image" })).rejects.toMatchObject({ code: "quota" });
    expect(text.polishRequests).toHaveLength(0);
  });

  it("says a stale choice expired and queues nothing", async () => {
    await h.setUp();
    const view = await h.salon.polish(h.actor(member), { prompt: "an old harbour" });
    h.clock.advance(POLISH_DRAFT_LIFETIME_MS.discord);
    await expect(h.salon.choosePolish(h.actor(member), view.draftId, "polished", "status-1")).rejects.toMatchObject({ code: "polish_expired" });
    expect(await creations()).toEqual([]);
  });

  it("exports the member's drafts with /privacy export, and forgets them with /privacy forget", async () => {
    await h.setUp();
    const view = await h.salon.polish(h.actor(member), { prompt: "a secret garden" });
    const exported = JSON.parse(await h.salon.exportData(h.actor(member))) as { member: { polishDrafts: Array<{ original: string }> } };
    expect(exported.member.polishDrafts.map((d) => d.original)).toEqual(["a secret garden"]);
    await h.salon.forget(h.actor(member));
    expect(await h.stores.polishDrafts.getDraft((await h.community()).id, view.draftId)).toBeNull();
  });
});
