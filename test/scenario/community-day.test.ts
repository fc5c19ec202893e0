import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { COMMUNITY_DAY, expectedLikes, playOnDiscord, playOnSlack, type PlayedDay } from "./community-day.js";

let discord: PlayedDay;
let slack: PlayedDay;

beforeAll(async () => {
  // One after the other: each starts a whole bot, and the machine running CI is shared.
  discord = await playOnDiscord(COMMUNITY_DAY);
  slack = await playOnSlack(COMMUNITY_DAY);
}, 60_000);

/** What the digest of COMMUNITY_DAY must say, worked out by hand from the scenario. */
const EXPECTED_ENTRIES = [
  { rank: 1, prompt: "a lighthouse at dawn, oil on canvas", creator: "ana", likes: 4, linksTo: 0 },
  // three creations with 3 likes: ties go to the earlier post
  { rank: 2, prompt: "a fox made of autumn leaves", creator: "ben", likes: 3, linksTo: 1 },
  { rank: 3, prompt: "a tiny robot watering a bonsai", creator: "chloe", likes: 3, linksTo: 2 },
  { rank: 4, prompt: "a whale swimming through clouds", creator: "ana", likes: 3, linksTo: 4 },
  { rank: 5, prompt: "a city skyline reflected in a raindrop", creator: "dev", likes: 1, linksTo: 3 },
];

describe("one community day played on Discord and on Slack", () => {
  it("stores the same likes on both platforms once the reactions are handled", () => {
    expect(discord.storedLikes).toEqual(expectedLikes(COMMUNITY_DAY));
    expect(slack.storedLikes).toEqual(discord.storedLikes);
  });

  it("publishes the same digest on both: same day, same order of prompts, creators and like counts, links to the right posts", () => {
    expect(slack.digest.title).toBe(discord.digest.title);
    expect(discord.digest.title).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);
    expect(slack.digest.entries).toEqual(discord.digest.entries);
    expect(discord.digest.entries).toEqual(EXPECTED_ENTRIES);
  });

  it("gives the same summary on both: creations, distinct likers and the top creator by member name", () => {
    expect(slack.digest.summary).toEqual(discord.digest.summary);
    expect(discord.digest.summary).toEqual({ creations: 5, likers: 5, topCreator: { name: "ana", likes: 7 } });
  });

  it("posts exactly one digest on each platform, and a second tick posts nothing on either", () => {
    for (const day of [discord, slack]) {
      expect({ platform: day.platform, firstTick: day.firstTick, secondTick: day.secondTick, ...day.digestMessages }).toEqual({
        platform: day.platform,
        firstTick: 1,
        secondTick: 0,
        afterFirst: 1,
        afterSecond: 1,
      });
    }
  });

  it("shows one collage image of the top entries on each platform", async () => {
    for (const day of [discord, slack]) {
      expect(day.collage, day.platform).not.toBeNull();
      expect(["image/png", "image/jpeg"]).toContain(day.collage!.mimeType);
      const meta = await sharp(day.collage!.bytes).metadata();
      expect(meta.width, day.platform).toBeGreaterThan(0);
    }
    // The same collage renderer over the same images: the same picture.
    const [a, b] = await Promise.all([discord, slack].map((day) => sharp(day.collage!.bytes).metadata()));
    expect([b!.width, b!.height]).toEqual([a!.width, a!.height]);
  });
});
