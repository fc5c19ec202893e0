import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeUser } from "../support/discord/types.js";
import { addCommunity, adminCommand, creationOfPost, imagine, startHarness, type Community, type Harness } from "../support/harness.js";

let h: Harness;
let open: Harness | undefined;
let c: Community;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const posted = (m: { content: string }) => m.content.includes("Posted to the gallery");

describe("creating on Discord", () => {
  it("asks OpenAI for the chosen aspect and quality with a hashed member id, keeps the bytes and charges the listed price", async () => {
    h = open = await startHarness();
    c = await addCommunity(h);
    const [ana] = c.members as [FakeUser];
    const handle = imagine(h, c, ana, "a tall ship under full sail", [
      { type: 3, name: "aspect", value: "portrait" },
      { type: 3, name: "quality", value: "high" },
    ]);
    await handle.waitFor(posted, 10_000);

    const [request] = h.openai.imageRequests;
    expect(request!.body).toMatchObject({ model: "gpt-image-2", prompt: "a tall ship under full sail", size: "1024x1536", quality: "high" });
    expect(request!.body.user).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(request!.body)).not.toContain(ana.id);

    const post = await h.discord.waitForMessage(c.gallery.id, (m) => m.attachments.length > 0);
    expect(JSON.stringify(post.embeds[0].fields)).toContain("high · 1024x1536");
    expect((await sharp(post.attachments[0]!.bytes).metadata()).height).toBe(1536);
    const creation = (await creationOfPost(h.running, c, post.id))!;
    // Kept by the bot (files under DATA_DIR on SQLite, the database on PostgreSQL), byte for byte what was posted.
    const stored = await h.running.salon.deps.files.get(creation.imageHash!);
    expect(stored?.bytes.equals(post.attachments[0]!.bytes)).toBe(true);
    expect(await adminCommand(h, c, "settings")).toContain("Budget today: $0.25 spent of $5.00, $4.75 left.");
  });


  it("serves members round-robin, so one member's burst does not starve another", async () => {
    h = open = await startHarness({ env: { GENERATION_CONCURRENCY: "1" } });
    c = await addCommunity(h);
    const [ana, ben] = c.members as [FakeUser, FakeUser];
    await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
    h.openai.scriptImages({ delayMs: 800 });

    const burst = [imagine(h, c, ana, "ana 1")];
    await burst[0]!.waitFor((m) => m.content.includes("Generating"));
    for (const n of [2, 3]) {
      const handle = imagine(h, c, ana, `ana ${n}`);
      await handle.waitFor((m) => m.content.includes("Queued"));
      burst.push(handle);
    }
    const bens = imagine(h, c, ben, "ben 1");

    // Ben has not been served yet, so he goes before Ana's second and third.
    expect((await bens.waitFor((m) => m.content.includes("Queued"))).content).toContain("position 1");
    await Promise.all([...burst, bens].map((handle) => handle.waitFor(posted, 15_000)));
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["ana 1", "ben 1", "ana 2", "ana 3"]);
  });

  it("keeps queued jobs across a restart and makes them afterwards", async () => {
    h = open = await startHarness({ env: { GENERATION_CONCURRENCY: "1" } });
    c = await addCommunity(h);
    const [ana, ben, chloe] = c.members as [FakeUser, FakeUser, FakeUser];
    h.openai.scriptImages({ delayMs: 800 });
    const first = imagine(h, c, ana, "made before the restart");
    await first.waitFor((m) => m.content.includes("Generating"));
    const waiting = [imagine(h, c, ben, "waits through the restart"), imagine(h, c, chloe, "also waits")];
    for (const handle of waiting) await handle.waitFor((m) => m.content.includes("Queued"));

    await h.running.stop(); // lets the running job finish, takes no new one
    expect(first.original()!.content).toContain("Posted to the gallery");
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["made before the restart"]);
    for (const handle of waiting) expect(handle.original()!.content).toContain("Queued");
    await h.restart();

    await Promise.all(waiting.map((handle) => handle.waitFor(posted, 15_000)));
    expect(h.openai.imageRequests.map((r) => r.body.prompt).sort()).toEqual(["also waits", "made before the restart", "waits through the restart"]);
  });
});
