import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, slackLikeCountOf, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

let h: SlackHarness;
let c: SlackCommunity;

beforeEach(async () => {
  h = await startSlackHarness({ mode: "socket" });
  c = await addSlackCommunity(h);
});
afterEach(async () => {
  await h.close();
});

describe("Slack over Socket Mode", () => {
  it("connects with the app-level token over one WebSocket and serves no HTTP events endpoint", async () => {
    expect(h.config.slack?.mode).toBe("socket");
    const opens = h.slack.callsTo("apps.connections.open");
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens.every((call) => call.tokenType === "app" && call.ok)).toBe(true);
    expect(h.slack.socketConnections).toBe(1);
    const http = await fetch(`http://127.0.0.1:${h.running.port}/slack/events`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(http.status).toBe(404);
  });

  it("acks /imagine over the socket and ends in a gallery post", async () => {
    const [ana] = c.members as [FakeSlackUser];

    const handle = await h.slack.slashCommand({ command: "/imagine", text: "a lighthouse over the wire", userId: ana.id, channelId: c.gallery.id });

    expect(handle.transport).toBe("socket");
    expect(handle.status).toBe(200);
    expect(handle.ackMs).toBeLessThan(3000);
    await handle.waitForResponse((r) => r.text.includes("Queued"));
    const done = await handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 10_000);
    const post = await h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0);
    expect(post.text).toContain("a lighthouse over the wire");
    expect(post.text).toContain("by ana");
    expect(done.text).toContain(`https://fake.slack.com/archives/${c.gallery.id}/p${post.ts.replace(".", "")}`);
    expect(h.openai.imageRequests.map((r) => r.body.prompt)).toEqual(["a lighthouse over the wire"]);
  });

  it("counts a reaction delivered over the socket as a like, and its removal", async () => {
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const handle = await h.slack.slashCommand({ command: "/imagine", text: "a fox over the wire", userId: ana.id, channelId: c.gallery.id });
    await handle.waitForResponse((r) => r.text.includes("Posted to the gallery"), 10_000);
    const post = await h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0);

    const added = await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");

    expect(added!.transport).toBe("socket");
    expect(added!.status).toBe(200);
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(1);
    const removed = await h.slack.unreact(c.gallery.id, post.ts, ben.id, "+1");
    expect(removed!.transport).toBe("socket");
    await expect.poll(() => slackLikeCountOf(h, c, post.ts)).toBe(0);
  });
});
