/**
 * SIGKILL on Slack, on the real process: a gallery upload or a digest Slack accepted but the process never recorded
 * is found with conversations.history after the restart, and not posted again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { freePort, until } from "../support/salon-process.js";
import { slackProcesses } from "../support/slack-processes.js";
import { databaseRows } from "../support/test-database.js";
import { seedDueDigest } from "./support/seed-digest.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function slackWorld() {
  const world = await slackProcesses();
  cleanup.push(() => world.close());
  const port = await freePort();
  world.slack.setBotEndpoint(`http://127.0.0.1:${port}/slack/events`);
  return { slack: world.slack, openai: world.openai, databaseUrl: world.databaseUrl, boot: () => world.boot({ PORT: String(port) }) };
}

describe("a process SIGKILLed mid-post on Slack", () => {
  it("records after a restart the gallery upload Slack had shared, without uploading it again", async () => {
    const w = await slackWorld();
    const admin = w.slack.addUser({ name: "admin", isAdmin: true });
    const ana = w.slack.addUser({ name: "ana" });
    const gallery = w.slack.addChannel({ name: "gallery" });
    const first = await w.boot();
    const setup = await w.slack.slashCommand({ command: "/salon", text: `setup ${w.slack.channelRef(gallery.id)}`, userId: admin.id, channelId: gallery.id });
    await setup.waitForResponse((r) => (r.text ?? "").startsWith("Salon is set up"), 10_000);
    // The permalink is asked for once the upload is shared: the post exists, the database does not know it yet.
    const held = w.slack.hold({ method: "chat.getPermalink", phase: "before" });
    const handle = await w.slack.slashCommand({ command: "/imagine", text: "shared, never recorded", userId: ana.id, channelId: gallery.id });
    await held.arrived;
    const uploads = () => w.slack.messages(gallery.id).filter((m) => !m.deleted && m.files.some((f) => /^salon-\d+\./.test(f.name)));
    expect(uploads()).toHaveLength(1);

    await first.crash();
    await w.boot();

    const [row] = await until(async () => {
      const rows = await databaseRows<{ status: string; galleryMessageId: string | null }>(w.databaseUrl, `SELECT status, "galleryMessageId" FROM "Creation"`);
      return rows[0]?.status === "posted" ? rows : null;
    }, "the creation recorded as posted");
    expect(uploads()).toHaveLength(1);
    expect(row!.galleryMessageId).toBe(uploads()[0]!.ts);
    expect(w.slack.callsTo("files.completeUploadExternal")).toHaveLength(1);
    expect(w.slack.callsTo("conversations.history").length).toBeGreaterThan(0);
    await handle.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);
  }, 90_000);

  it("posts the digest once after a restart when Slack had posted it but the process died before recording it", async () => {
    const w = await slackWorld();
    const gallery = w.slack.addChannel({ name: "gallery" });
    const authors = ["ana", "ben"].map((name) => w.slack.addUser({ name }).id);
    const { day } = await seedDueDigest(w.databaseUrl, { platform: "slack", externalId: w.slack.teamId, channelId: gallery.id, authors });
    const held = w.slack.hold({ method: "chat.postMessage", phase: "after" });
    const digests = () => w.slack.messages(gallery.id).filter((m) => !m.deleted && m.text.startsWith("🏆 Salon digest"));

    const first = await w.boot(); // its start-up tick posts the missed digest
    await held.arrived;
    expect(digests()).toHaveLength(1);

    await first.crash();
    await w.boot();

    const [row] = await until(async () => {
      const rows = await databaseRows<{ day: string; status: string; messageId: string | null }>(w.databaseUrl, `SELECT day, status, "messageId" FROM "Digest"`);
      return rows[0]?.status === "posted" ? rows : null;
    }, "the digest recorded as posted");
    expect(row).toMatchObject({ day, messageId: digests()[0]!.ts });
    expect(digests()).toHaveLength(1);
    expect(w.slack.callsTo("chat.postMessage")).toHaveLength(1);
  }, 90_000);
});
