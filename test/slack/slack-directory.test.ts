/** The Slack directory's cache of who members are stays bounded, in number and in age, against the real WebClient. */
import { LogLevel, WebClient } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { SlackDirectory } from "../../src/slack/slack-directory.js";
import { MovableClock } from "../support/movable-clock.js";
import { FakeSlack } from "../support/slack/index.js";

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe("SlackDirectory", () => {
  it("keeps at most its limit of members, lets the oldest go first, and forgets members past the age limit", async () => {
    fake = await FakeSlack.start();
    const users = Array.from({ length: 10 }, (_, i) => fake!.addUser({ name: `member${i}` }));
    const client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    const clock = new MovableClock(new Date());
    const directory = new SlackDirectory(client, [], clock, { maxEntries: 4, ttlMs: 60_000 });
    const asked = (id: string) => fake!.callsTo("users.info").filter((call) => call.args.user === id).length;

    for (const user of users) expect(await directory.nameOf(user.id)).toBe(user.name);

    // The first ones were let go and are asked of Slack again; the newest are still known.
    await directory.nameOf(users[0]!.id);
    expect(asked(users[0]!.id)).toBe(2);
    await directory.nameOf(users[9]!.id);
    expect(asked(users[9]!.id)).toBe(1);
    expect(directory.size).toBe(4);

    // Past the age limit nothing is kept: the next look-up asks again and leaves only itself.
    clock.advance(61_000);
    await directory.nameOf(users[9]!.id);
    expect(asked(users[9]!.id)).toBe(2);
    expect(directory.size).toBe(1);
  });
});
