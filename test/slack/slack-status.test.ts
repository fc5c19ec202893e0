/** What the Slack status writer remembers about response URLs stays bounded: it forgets a URL at the outcome and at expiry. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LogLevel } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { createSlackClients } from "../../src/slack/slack-clients.js";
import { SlackStatusMessages, statusRefFor } from "../../src/slack/slack-status.js";
import { SilentLogger } from "../support/core-fakes.js";
import { MovableClock } from "../support/movable-clock.js";
import { FakeSlack } from "../support/slack/index.js";

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const quietSlackLogger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };

describe("SlackStatusMessages", () => {
  it("forgets a response URL once its outcome is written, and every URL once it has expired", async () => {
    fake = await FakeSlack.start();
    const channel = fake.addChannel({ name: "studio" });
    const member = fake.addUser({ name: "ana" });
    const clock = new MovableClock(new Date());
    const clients = createSlackClients(fake.botToken, fake.apiUrl, quietSlackLogger);
    const status = new SlackStatusMessages(clients, clock, new SilentLogger());
    // URLs Slack does not know answer 404, as spent ones do: the writer stops using them and keeps counting.
    const ref = (n: number) => statusRefFor({ response_url: `${fake!.baseUrl}commands/${fake!.teamId}/${n}/0000`, channel_id: channel.id, user_id: member.id, team_id: fake!.teamId }, clock);

    for (let n = 1; n <= 3; n++) await status.update(ref(n), { state: "queued", position: n, creationId: n });
    expect(status.counted).toBe(3);

    await status.update(ref(1), { state: "posted", creationId: 1, url: "https://fake.slack.com/archives/C1/p1" });
    expect(status.counted).toBe(2);
    expect(fake.ephemerals(member.id).map((e) => e.text)).toEqual(["✅ Posted to the gallery: https://fake.slack.com/archives/C1/p1"]);

    clock.advance(31 * 60_000);
    await status.update(ref(4), { state: "generating", creationId: 4 });
    expect(status.counted).toBe(1);
  });

  it("counts the gateway's 'queued' use in a worker of another process, so the outcome still reaches the response URL", async () => {
    fake = await FakeSlack.start();
    const channel = fake.addChannel({ name: "studio" });
    const member = fake.addUser({ name: "ana" });
    // The bot's endpoint only acknowledges the command: what matters is the response_url Slack hands out with it.
    const bot = createServer((_req, res) => res.writeHead(200).end());
    await new Promise<void>((resolve) => bot.listen(0, "127.0.0.1", resolve));
    try {
      fake.setBotEndpoint(`http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`);
      const command = await fake.slashCommand({ command: "/imagine", text: "a fox", userId: member.id, channelId: channel.id });
      const clock = new MovableClock(new Date());
      const ref = statusRefFor({ response_url: command.responseUrl, channel_id: channel.id, user_id: member.id, team_id: fake.teamId }, clock);
      const [gateway, worker] = [0, 1].map(() => new SlackStatusMessages(createSlackClients(fake!.botToken, fake!.apiUrl, quietSlackLogger), clock, new SilentLogger()));

      await gateway!.update(ref, { state: "queued", position: 1, creationId: 1 });
      // Rate-limit waits and retries: each attempt says "generating" again.
      for (let attempt = 0; attempt < 5; attempt++) await worker!.update(ref, { state: "generating", creationId: 1 });
      await worker!.update(ref, { state: "posted", creationId: 1, url: "https://fake.slack.com/archives/C1/p1" });

      expect(command.refusedResponses()).toEqual([]);
      expect(command.responses()).toHaveLength(5);
      expect(JSON.stringify(command.responses().at(-1))).toContain("Posted to the gallery: https://fake.slack.com/archives/C1/p1");
    } finally {
      await new Promise((resolve) => bot.close(resolve));
    }
  });
});
