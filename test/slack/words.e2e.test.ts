/**
 * The core speaks no platform syntax: a Slack member is told Slack's commands, never Discord's (`/imagine prompt:`),
 * and a Discord member Discord's.
 */
import { afterEach, describe, expect, it } from "vitest";
import { addCommunity, command, startHarness, type Harness } from "../support/harness.js";
import { addSlackCommunity, salonText, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

let slack: SlackHarness | undefined;
let discord: Harness | undefined;
afterEach(async () => {
  await slack?.close();
  await discord?.close();
  slack = discord = undefined;
});

describe("command hints in the platform's own words", () => {
  it("tells a Slack member Slack's commands", async () => {
    slack = await startSlackHarness();
    const unset = await addSlackCommunity(slack, undefined, false);
    const [ana] = unset.members;
    const notSetUp = await slack.slack.slashCommand({ command: "/imagine", text: "a fox", userId: ana!.id, channelId: unset.gallery.id });
    expect((await notSetUp.waitForResponse()).text).toContain("An admin can run `/salon setup`");

    await salonText(slack, unset, unset.admin, `setup ${slack.slack.channelRef(unset.gallery.id)}`);
    // A prompt of invisible characters only is empty: the example is written as Slack takes it.
    const empty = await slack.slack.slashCommand({ command: "/imagine", text: "\u200B\u2060", userId: ana!.id, channelId: unset.gallery.id });
    const answer = (await empty.waitForResponse()).text;
    expect(answer).toContain("`/imagine a lighthouse at dawn`");
    expect(answer).not.toContain("prompt:");
  });

  it("tells a Discord member Discord's commands", async () => {
    discord = await startHarness();
    const c = await addCommunity(discord);
    const answer = await command(discord, c, c.members[0]!, "imagine", [{ type: 3, name: "prompt", value: "\u200B" }]);
    expect(answer).toContain("`/imagine prompt: a lighthouse at dawn`");
  });
});
