import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImageProvider } from "../../src/core/ports.js";
import type { Store } from "../../src/core/store.js";
import { buildSalon, FakeImageProvider, said, type SalonHarness } from "../support/core-fakes.js";
import { createTestDatabase, openSecondStore, type TestDatabase } from "../support/db.js";

let h: SalonHarness;
beforeEach(async () => {
  h = await buildSalon();
});
afterEach(async () => {
  await h.cleanup();
});

const member = "u-member";
const today = "2026-11-25";

async function memberUsage(userId = member) {
  const community = await h.community();
  return h.store.usage(community.id, userId, today);
}

function refusal(code: string, message: string | RegExp) {
  const matches = (text: string) => (typeof message === "string" ? said(text).includes(message) : message.test(said(text)));
  return expect.objectContaining({
    name: "UserError",
    code,
    userMessage: expect.toSatisfy((text: string) => matches(text), `a message saying ${String(message)}`),
  });
}

describe("/imagine refusals, in the order of PRODUCT.md", () => {
  it("refuses in a community that is not set up, naming /salon setup, without moderating or generating", async () => {
    await expect(h.salon.imagine(h.actor(member), { prompt: "a lighthouse", statusRef: null })).rejects.toEqual(refusal("not_set_up", "/salon setup"));
    expect(h.provider.moderateCalls).toBe(0);
    expect(h.provider.generateCalls).toBe(0);
    expect(await h.store.findCommunity(h.ref())).toBeNull();
  });

  it("refuses a blocked member before looking at the prompt, without moderating", async () => {
    await h.setUp();
    await h.salon.block(h.actor("u-admin", { admin: true }), member);
    await expect(h.salon.imagine(h.actor(member), { prompt: "", statusRef: null })).rejects.toEqual(refusal("blocked", "blocked"));
    await expect(h.salon.imagine(h.actor(member), { prompt: "a lighthouse", statusRef: null })).rejects.toEqual(refusal("blocked", "blocked"));
    expect(h.provider.moderateCalls).toBe(0);
    expect((await memberUsage()).memberToday).toBe(0);
  });

  it("lets an unblocked member create again", async () => {
    await h.setUp();
    const admin = h.actor("u-admin", { admin: true });
    await h.salon.block(admin, member);
    await h.salon.unblock(admin, member);
    await expect(h.salon.imagine(h.actor(member), { prompt: "a lighthouse", statusRef: null })).resolves.toMatchObject({ position: 1 });
  });

  it("refuses an empty prompt without moderating", async () => {
    await h.setUp();
    await expect(h.salon.imagine(h.actor(member), { prompt: "", statusRef: null })).rejects.toEqual(refusal("prompt_empty", "empty"));
    expect(h.provider.moderateCalls).toBe(0);
  });

  it("refuses a whitespace-only prompt as empty", async () => {
    await h.setUp();
    await expect(h.salon.imagine(h.actor(member), { prompt: "  \n\t  ", statusRef: null })).rejects.toEqual(refusal("prompt_empty", "empty"));
    expect(h.provider.moderateCalls).toBe(0);
  });

  it("accepts a prompt of exactly 1000 characters and refuses 1001, saying the limit", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    await expect(h.salon.imagine(h.actor(member), { prompt: "a".repeat(1001), statusRef: null })).rejects.toEqual(refusal("prompt_too_long", "1000"));
    expect(h.provider.moderateCalls).toBe(0);
    const { creation } = await h.salon.imagine(h.actor(member), { prompt: "a".repeat(1000), statusRef: null });
    expect(creation.prompt).toHaveLength(1000);
  });

  it("stores the trimmed prompt", async () => {
    await h.setUp();
    const { creation } = await h.salon.imagine(h.actor(member), { prompt: "   a lighthouse at dawn  \n", statusRef: null });
    expect((await h.creation(creation.id)).prompt).toBe("a lighthouse at dawn");
  });

  it("refuses a prompt with control characters without moderating", async () => {
    await h.setUp();
    await expect(h.salon.imagine(h.actor(member), { prompt: "a lighthouse\u0007 at dawn", statusRef: null })).rejects.toEqual(
      refusal("prompt_control", "control characters"),
    );
    await expect(h.salon.imagine(h.actor(member), { prompt: "a light\u001bhouse", statusRef: null })).rejects.toEqual(refusal("prompt_control", "control"));
    expect(h.provider.moderateCalls).toBe(0);
  });

  it("refuses a second request within the 30 s cooldown, saying how long to wait, and accepts it after", async () => {
    await h.setUp();
    await h.salon.imagine(h.actor(member), { prompt: "first", statusRef: null });
    h.clock.advance(10_000);
    await expect(h.salon.imagine(h.actor(member), { prompt: "second", statusRef: null })).rejects.toEqual(refusal("cooldown", "20 seconds"));
    expect(h.provider.moderateCalls).toBe(1);
    h.clock.advance(20_000);
    await expect(h.salon.imagine(h.actor(member), { prompt: "second", statusRef: null })).resolves.toBeDefined();
    expect((await memberUsage()).memberToday).toBe(2);
  });

  it("does not let another member's request start this member's cooldown", async () => {
    await h.setUp();
    await h.salon.imagine(h.actor("u-other"), { prompt: "first", statusRef: null });
    await expect(h.salon.imagine(h.actor(member), { prompt: "mine", statusRef: null })).resolves.toBeDefined();
  });

  it("refuses the 11th creation of the day (default quota 10) without moderating, and allows it the next local day", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    for (let i = 0; i < 10; i++) await h.salon.imagine(h.actor(member), { prompt: `picture ${i}`, statusRef: null });
    const moderatedBefore = h.provider.moderateCalls;
    await expect(h.salon.imagine(h.actor(member), { prompt: "one more", statusRef: null })).rejects.toEqual(refusal("quota", "10"));
    expect(h.provider.moderateCalls).toBe(moderatedBefore);
    expect((await memberUsage()).memberToday).toBe(10);
    // Another member still has their own quota.
    await expect(h.salon.imagine(h.actor("u-other"), { prompt: "mine", statusRef: null })).resolves.toBeDefined();
    h.clock.set("2026-11-26T00:00:01Z");
    await expect(h.salon.imagine(h.actor(member), { prompt: "tomorrow", statusRef: null })).resolves.toBeDefined();
  });

  it("counts quota and budget on the community's local day, which resets at local midnight", async () => {
    await h.setUp({ timezone: "Europe/Paris", limits: { cooldownSeconds: 0, perMemberDaily: 1, budgetUsdDaily: 0.04 } });
    h.clock.set("2026-11-25T22:30:00Z"); // 23:30 in Paris, still the 25th
    await h.salon.imagine(h.actor(member), { prompt: "late", statusRef: null });
    h.clock.set("2026-11-25T22:59:00Z");
    await expect(h.salon.imagine(h.actor(member), { prompt: "later", statusRef: null })).rejects.toEqual(refusal("quota", "Europe/Paris"));
    h.clock.set("2026-11-25T23:00:00Z"); // midnight in Paris, though still the 25th in UTC
    const { creation } = await h.salon.imagine(h.actor(member), { prompt: "tomorrow already", statusRef: null });
    expect(creation.day).toBe("2026-11-26");
  });

  it("refuses when the community's daily budget would be exceeded, saying spent and budget, without moderating", async () => {
    // medium square costs $0.04: two fit in $0.10, a third would not.
    await h.setUp({ limits: { cooldownSeconds: 0, budgetUsdDaily: 0.1 } });
    await h.salon.imagine(h.actor("u-a"), { prompt: "one", statusRef: null });
    await h.salon.imagine(h.actor("u-b"), { prompt: "two", statusRef: null });
    const moderatedBefore = h.provider.moderateCalls;
    await expect(h.salon.imagine(h.actor("u-c"), { prompt: "three", statusRef: null })).rejects.toEqual(refusal("budget", "$0.08 of $0.10"));
    expect(h.provider.moderateCalls).toBe(moderatedBefore);
    // A cheaper image still fits.
    await expect(h.salon.imagine(h.actor("u-c"), { prompt: "three", quality: "low", statusRef: null })).resolves.toBeDefined();
    const community = await h.community();
    expect((await h.store.usage(community.id, "u-c", today)).spendTodayMicroUsd).toBe(90_000);
  });

  it("refuses a flagged prompt naming the categories in words, with no image request and no quota used", async () => {
    await h.setUp();
    h.provider.flag("gore", ["violence", "violence/graphic"]);
    await expect(h.salon.imagine(h.actor(member), { prompt: "a scene full of gore", statusRef: "s1" })).rejects.toEqual(
      refusal("prompt_flagged", /violence/),
    );
    expect(h.provider.moderateCalls).toBe(1);
    await h.drain();
    expect(h.provider.generateCalls).toBe(0);
    expect(h.publisher.statusLog).toEqual([]);
    expect(await memberUsage()).toMatchObject({ memberToday: 0, spendTodayMicroUsd: 0, lastRequestAt: null });
  });

  it("checks quota before moderation: an over-quota member with a flagged prompt hears about the quota", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0, perMemberDaily: 1 } });
    h.provider.flag("gore", ["violence"]);
    await h.salon.imagine(h.actor(member), { prompt: "ok", statusRef: null });
    await expect(h.salon.imagine(h.actor(member), { prompt: "gore", statusRef: null })).rejects.toEqual(refusal("quota", "1"));
    expect(h.provider.flaggedPrompts).toEqual([]);
  });

  it("counts a request that passes against quota, budget and cooldown, and a refused one against none", async () => {
    await h.setUp();
    h.provider.flag("gore", ["violence"]);
    await expect(h.salon.imagine(h.actor(member), { prompt: "gore", statusRef: null })).rejects.toThrow();
    await expect(h.salon.imagine(h.actor(member), { prompt: "", statusRef: null })).rejects.toThrow();
    expect(await memberUsage()).toMatchObject({ memberToday: 0, spendTodayMicroUsd: 0, lastRequestAt: null });

    // The refusals started no cooldown: this one is accepted straight away.
    const { creation, position } = await h.salon.imagine(h.actor(member), { prompt: "a lighthouse", statusRef: "s1" });
    expect(position).toBe(1);
    expect(creation).toMatchObject({ status: "queued", model: "gpt-image-2", size: "1024x1024", quality: "medium", costMicroUsd: 40_000, day: today });
    expect(await memberUsage()).toMatchObject({ memberToday: 1, spendTodayMicroUsd: 40_000, lastRequestAt: h.clock.now() });
    // The job is stored before the member is told it is queued.
    expect(h.publisher.statusesOf("s1")).toEqual([{ state: "queued", position: 1, creationId: creation.id }]);
  });
});

describe("/imagine limits under concurrency", () => {
  it("lets exactly one of two concurrent requests take the member's last quota slot", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0, perMemberDaily: 2 } });
    await h.salon.imagine(h.actor(member), { prompt: "first", statusRef: null });
    const results = await Promise.allSettled([
      h.salon.imagine(h.actor(member), { prompt: "race a", statusRef: null }),
      h.salon.imagine(h.actor(member), { prompt: "race b", statusRef: null }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: "quota" });
    expect((await memberUsage()).memberToday).toBe(2);
  });

  it("lets exactly one of two requests from two processes take the community's last budget slot", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0, budgetUsdDaily: 0.04 } });
    const second = await openSecondStore(h.url);
    const other = await buildSalon({ database: { ...second, url: h.url }, clock: h.clock, options: { instanceId: "instance-b" } });
    try {
      const results = await Promise.allSettled([
        h.salon.imagine(h.actor("u-a"), { prompt: "race a", statusRef: null }),
        other.salon.imagine(other.actor("u-b"), { prompt: "race b", statusRef: null }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
      expect(rejected.reason).toMatchObject({ code: "budget" });
      const community = await h.community();
      expect((await h.store.usage(community.id, "u-a", today)).spendTodayMicroUsd).toBe(40_000);
    } finally {
      await other.cleanup();
      await second.close();
    }
  });
});

/** `target` with its first call of `method` held until `release()`: a slow moment for one request. */
function holdFirstCall<T extends object>(target: T, method: keyof T & string): { wrapped: T; reached: Promise<void>; release(): void } {
  let release!: () => void;
  let reach!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => (reach = resolve));
  let held = false;
  const wrapped = new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      const call = (value as (...args: unknown[]) => unknown).bind(object);
      if (name !== method) return call;
      return async (...args: unknown[]) => {
        if (!held) {
          held = true;
          reach();
          await gate;
        }
        return call(...args);
      };
    },
  });
  return { wrapped, reached, release };
}

describe("/imagine cooldown when a member's requests arrive together", () => {
  let database: TestDatabase | undefined;
  let other: SalonHarness | undefined;
  afterEach(async () => {
    await other?.cleanup();
    await database?.cleanup();
    other = database = undefined;
  });

  /**
   * One member sends two requests 5 ms apart; the first is held at `where` (its store's or provider's method), as a
   * busy moment would hold it, so the second is stored first. Both outcomes, once the first is let go.
   */
  async function twoRequestsStoredOutOfOrder(cooldownSeconds: number, where: { store: keyof Store & string } | { provider: keyof ImageProvider & string }) {
    database = await createTestDatabase();
    const provider = new FakeImageProvider();
    const held = "store" in where ? holdFirstCall<Store>(database.store, where.store) : holdFirstCall<ImageProvider>(provider, where.provider);
    const s = (other = await buildSalon({
      database: { db: database.db, store: database.store, url: database.url },
      provider,
      deps: "store" in where ? { store: held.wrapped as Store } : { provider: held.wrapped as ImageProvider },
    }));
    await s.setUp({ limits: { cooldownSeconds } });
    const first = s.salon.imagine(s.actor(member), { prompt: "sent first", statusRef: null });
    await held.reached;
    s.clock.advance(5);
    const second = await s.salon.imagine(s.actor(member), { prompt: "sent 5 ms later, stored first", statusRef: null });
    held.release();
    const [firstOutcome] = await Promise.allSettled([first]);
    const community = await s.community();
    return { first: firstOutcome, second, stored: (await s.store.usage(community.id, member, today)).memberToday };
  }

  it("with a 0 s cooldown accepts a request whose later sibling was stored first (held in moderation)", async () => {
    const { first, stored } = await twoRequestsStoredOutOfOrder(0, { provider: "moderate" });
    expect(first).toMatchObject({ status: "fulfilled" });
    expect(stored).toBe(2);
  });

  it("with a 0 s cooldown accepts a request that reads the member's usage after a later sibling was stored", async () => {
    const { first, stored } = await twoRequestsStoredOutOfOrder(0, { store: "usage" });
    expect(first).toMatchObject({ status: "fulfilled" });
    expect(stored).toBe(2);
  });

  it("with a 30 s cooldown still refuses the second of two requests sent 5 ms apart, whichever is stored first", async () => {
    const { first, stored } = await twoRequestsStoredOutOfOrder(30, { provider: "moderate" });
    expect(first).toMatchObject({ status: "rejected", reason: refusal("cooldown", "wait 31 seconds") });
    expect(stored).toBe(1);
  });

  it("accepts a burst of ten requests from one member at once with a 0 s cooldown", async () => {
    await h.setUp({ limits: { cooldownSeconds: 0 } });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => h.salon.imagine(h.actor(member), { prompt: `burst ${i}`, statusRef: null })));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect((await memberUsage()).memberToday).toBe(10);
  });
});
