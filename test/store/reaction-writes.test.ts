/**
 * The batched reaction writes against a real SQLite database, with a failure injected between their statements.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../src/store/generated/client.js";
import { PrismaStore } from "../../src/store/prisma-store.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.cleanup();
});

/** The client, except that the next raw statement containing `marker` fails, after the statements before it ran. */
function failingOnce(prisma: PrismaClient, marker: string): PrismaClient {
  let armed = true;
  return new Proxy(prisma, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (name !== "$queryRaw" && name !== "$executeRaw") return value.bind(target);
      return (strings: TemplateStringsArray, ...values: unknown[]) => {
        if (armed && strings.join("?").includes(marker)) {
          armed = false;
          return Promise.reject(new Error("injected: the connection dropped"));
        }
        return (value as (s: TemplateStringsArray, ...v: unknown[]) => unknown).call(target, strings, ...values);
      };
    },
  });
}

describe("reaction writes", () => {
  it("still says 'changed' for a write whose batch failed part-way and was retried, so the caller recounts", async () => {
    const { prisma } = database.db;
    const community = await prisma.community.create({ data: { platform: "discord", externalId: "g1", galleryChannelId: "c1" } });
    const author = await prisma.member.create({ data: { communityId: community.id, userId: "author" } });
    const creation = await prisma.creation.create({
      data: { communityId: community.id, memberId: author.id, prompt: "p", aspect: "square", quality: "medium", size: "1024x1024", model: "m", status: "posted", costMicroUsd: 1, day: "2026-11-25", postedAt: new Date(), galleryChannelId: "c1", galleryMessageId: "m1" },
    });
    const seen = { at: new Date() };
    const store = new PrismaStore(failingOnce(prisma, 'DELETE FROM "Reaction"'));
    await store.setReaction(creation.id, community.id, "u-gone", "👍", true, seen);

    // One batch: u-new's insert lands, then the removal's delete fails; the batch is retried one write at a time.
    const [added, removed] = await Promise.all([
      store.setReaction(creation.id, community.id, "u-new", "👍", true, seen),
      store.setReaction(creation.id, community.id, "u-gone", "👍", false, seen),
    ]);

    expect(await prisma.reaction.count({ where: { creationId: creation.id } })).toBe(1);
    expect(added || removed).toBe(true);
    expect(added).toBe(true);
    expect(await store.recountLikes(creation.id)).toBe(1);
  });
});
