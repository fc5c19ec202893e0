/**
 * HTTP mode behind a load balancer: two Salon processes on one database, and Slack's retry of an event (the same
 * `event_id`, `X-Slack-Retry-Num: 1`) reaching the other process than the first delivery. The retry is recognised as
 * handled and changes nothing, here after the reaction it repeats was removed (acting on it would count a like that
 * is gone).
 */
import { afterEach, describe, expect, it } from "vitest";
import { freePort, until, type SalonProcess } from "../support/salon-process.js";
import { slackProcesses } from "../support/slack-processes.js";
import { databaseRows } from "../support/test-database.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe("two Salon processes in HTTP mode on one database", () => {
  it("handle an event once when its retry lands on the other process", async () => {
    const world = await slackProcesses();
    cleanup.push(() => world.close());
    const { slack } = world;
    const endpoints: string[] = [];
    const processes: SalonProcess[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      processes.push(await world.boot({ PORT: String(port) }));
      endpoints.push(`http://127.0.0.1:${port}/slack/events`);
    }
    const [first, second] = processes as [SalonProcess, SalonProcess];

    slack.setBotEndpoint(endpoints[0]!);
    const admin = slack.addUser({ name: "admin", isAdmin: true });
    const ben = slack.addUser({ name: "ben" });
    const gallery = slack.addChannel({ name: "gallery" });
    const setup = await slack.slashCommand({ command: "/salon", text: `setup ${slack.channelRef(gallery.id)}`, userId: admin.id, channelId: gallery.id });
    await setup.waitForResponse((r) => (r.text ?? "").startsWith("Salon is set up"));
    const imagine = await slack.slashCommand({ command: "/imagine", text: "a lighthouse at dawn", userId: admin.id, channelId: gallery.id });
    await imagine.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 20_000);
    const post = await slack.waitForMessage(gallery.id, (m) => m.files.length > 0);
    const likes = async () => (await databaseRows<{ likeCount: number }>(world.databaseUrl, 'SELECT "likeCount" FROM "Creation"'))[0]?.likeCount;

    const added = await slack.react(gallery.id, post.ts, ben.id, "+1");
    await until(async () => (await likes()) === 1, "the like");
    await slack.unreact(gallery.id, post.ts, ben.id, "+1");
    await until(async () => (await likes()) === 0, "the like removed");

    // Slack did not see the first answer in time, and its retry goes to the other process.
    slack.setBotEndpoint(endpoints[1]!);
    const retry = await slack.redeliver(added!);
    expect(retry.retryNum).toBe(1);
    const seen = await second.waitForLog((l) => l.msg === "already handled: a redelivery");
    expect(seen).toMatchObject({ retry: 1 });
    expect(await likes()).toBe(0);
    expect(first.logs().some((l) => l.msg === "already handled: a redelivery")).toBe(false);
  }, 90_000);
});
