/**
 * Many workspaces, one deployment: Salon installed in two workspaces through Bolt's OAuth flow (the loopback Slack's
 * authorize page and `oauth.v2.access`), each served with its own token and seeing only its own data; uninstalling
 * stops one without touching the other.
 */
import { afterEach, describe, expect, it } from "vitest";
import { UNINSTALLED_REASON } from "../../src/slack/slack-installations.js";
import { until } from "../support/salon-process.js";
import { MovableClock } from "../support/movable-clock.js";
import { command, startOAuthWorld, type OAuthWorld, type Workspace } from "../support/slack-oauth-world.js";
import { databaseRows } from "../support/test-database.js";

let world: OAuthWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setUp(w: Workspace): Promise<void> {
  expect(await command(w, w.admin, "/salon", `setup ${w.slack.channelRef(w.gallery.id)}`)).toMatch(/^Salon is set up/);
}

function imagine(w: Workspace, prompt: string, user = w.member) {
  return w.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: w.gallery.id });
}

async function post(w: Workspace, prompt: string) {
  const handle = await imagine(w, prompt);
  await handle.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 15_000);
  return w.slack.waitForMessage(w.gallery.id, (m) => m.files.length > 0 && m.text.includes(prompt));
}

describe("Slack for many workspaces (OAuth)", () => {
  it("installs two workspaces through /slack/install and /slack/oauth_redirect; each sees only its own gallery, /salon top and digest", async () => {
    const start = new Date(Date.now() - 86_400_000);
    start.setUTCHours(10, 0, 0, 0);
    const clock = new MovableClock(start);
    world = await startOAuthWorld({ clock });
    const { a, b } = world;

    // Back from Slack without the state cookie of the browser that started: refused before the code is exchanged.
    const forged = await world.install(a, { cookie: false });
    expect(forged.status).not.toBe(200);
    expect(world.oauth.exchanges).toEqual([]);
    for (const w of [a, b]) {
      const done = await world.install(w);
      expect(done.status, done.body).toBe(200);
    }
    expect(world.oauth.exchanges).toEqual([{ ok: true }, { ok: true }]);
    const rows = await databaseRows<{ teamId: string; botTokenSealed: string; botUserId: string; botScopes: string }>(world.database.url, 'SELECT "teamId", "botTokenSealed", "botUserId", "botScopes" FROM "SlackInstallation" ORDER BY "teamId"');
    expect(rows.map((r) => r.teamId)).toEqual([a.slack.teamId, b.slack.teamId]);
    for (const [row, w] of [[rows[0]!, a], [rows[1]!, b]] as const) {
      // Sealed, never the token itself (nor its tail, nor its base64).
      expect(row.botTokenSealed).toMatch(/^v1\./);
      expect(row.botTokenSealed).not.toContain(w.slack.botToken.slice(5));
      expect(row.botTokenSealed).not.toContain(Buffer.from(w.slack.botToken).toString("base64").slice(0, 16));
      expect(row.botUserId).toBe(w.slack.botUserId);
      expect(row.botScopes).toContain("chat:write");
    }

    await setUp(a);
    await setUp(b);
    const fox = await post(a, "a fox in workspace A");
    const owl = await post(b, "an owl in workspace B");
    // Each workspace's calls carried its own token: the fakes saw only their own bot token.
    for (const w of [a, b]) expect(w.slack.calls.filter((c) => c.tokenType !== "bot").map((c) => `${c.method}:${c.tokenType}`)).toEqual([]);
    expect(b.slack.messages(b.gallery.id).some((m) => m.text.includes("fox"))).toBe(false);

    await a.slack.react(a.gallery.id, fox.ts, a.admin.id, "+1");
    await b.slack.react(b.gallery.id, owl.ts, b.admin.id, "tada");
    await until(async () => (await command(a, a.member, "/salon", "top today")).includes("1 like"), "A's like to count");
    const topA = await command(a, a.member, "/salon", "top today");
    const topB = await command(b, b.member, "/salon", "top today");
    expect(topA).toContain("fox");
    expect(topA).not.toContain("owl");
    expect(topB).toContain("owl");
    expect(topB).not.toContain("fox");

    const morning = new Date(start.getTime() + 86_400_000);
    morning.setUTCHours(9, 0, 30, 0);
    clock.set(morning);
    expect(await world.running.salon.publishDueDigests()).toBe(2);
    const digestBlocksOf = (w: Workspace) => w.slack.messages(w.gallery.id).find((m) => m.text.startsWith("🏆 Salon digest"))?.blocks ?? [];
    // The entries are in the digest's blocks.
    const digestOf = (w: Workspace) => JSON.stringify(digestBlocksOf(w));
    expect(digestOf(a)).toContain("fox");
    expect(digestOf(a)).not.toContain("owl");
    expect(digestOf(b)).toContain("owl");
    expect(digestOf(b)).not.toContain("fox");
    // The tokens never reach a log line (they are not in the config, so only the SDK's own redaction keeps them out).
    for (const w of [a, b]) expect(JSON.stringify(world.logs)).not.toContain(w.slack.botToken);
  }, 90_000);

  it("uninstalling one workspace removes its token, fails its queued creation before paying for it and unsets its channels (no digest is due); the other keeps working", async () => {
    world = await startOAuthWorld({ env: { GENERATION_CONCURRENCY: "1" } });
    const { a, b } = world;
    for (const w of [a, b]) expect((await world.install(w)).status).toBe(200);
    await setUp(a);
    await setUp(b);

    // A's first image is being made while its second waits in the queue.
    let imageBack!: () => void;
    world.openai.scriptImages({ until: new Promise<void>((resolve) => (imageBack = resolve)) });
    const making = await imagine(a, "a lighthouse being made");
    await until(() => world!.openai.imageRequests.length === 1, "A's first image request");
    const waiting = await imagine(a, "a meadow still queued", a.admin);
    await waiting.waitForResponse((r) => /queue/i.test(r.text ?? ""));

    await a.slack.uninstall();
    await waiting.waitForResponse((r) => (r.text ?? "").includes(UNINSTALLED_REASON));
    const installations = await databaseRows<{ teamId: string }>(world.database.url, 'SELECT "teamId" FROM "SlackInstallation"');
    expect(installations.map((r) => r.teamId)).toEqual([b.slack.teamId]);

    imageBack(); // the image already being made is paid for, but cannot be posted any more
    await making.waitForResponse((r) => /couldn't be posted/.test(r.text ?? ""), 15_000);
    expect(world.openai.imageRequests).toHaveLength(1); // the queued one never reached OpenAI
    expect(a.slack.messages(a.gallery.id).filter((m) => m.files.length > 0)).toEqual([]);

    // B: untouched.
    await post(b, "an owl after A left");
    expect(world.openai.imageRequests).toHaveLength(2);
    const communities = await world.running.salon.deps.communities.listCommunities();
    expect(communities.find((c) => c.externalId === a.slack.teamId)?.galleryChannelId).toBeNull();
    expect(communities.find((c) => c.externalId === b.slack.teamId)?.galleryChannelId).toBe(b.gallery.id);
  }, 90_000);

  it("a restart with another SLACK_TOKEN_KEY cannot open the stored tokens and says which key they need", async () => {
    world = await startOAuthWorld();
    expect((await world.install(world.a)).status).toBe(200);
    await setUp(world.a);
    const other = await world.restart({ SLACK_TOKEN_KEY: Buffer.alloc(32, 7).toString("base64") });
    expect(other.port).not.toBe(world.running.port);
    const handle = await world.a.slack.slashCommand({ command: "/salon", text: "top", userId: world.a.member.id, channelId: world.a.gallery.id });
    // Bolt could not authorize the request, so no listener ran: the operator's log says what to do.
    await until(() => world!.logs.some((l) => JSON.stringify(l).includes("neither SLACK_TOKEN_KEY")), "the key error in the log");
    expect(handle.responses()).toEqual([]);
  }, 60_000);
});
