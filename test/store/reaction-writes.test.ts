/**
 * The batched reaction writes against a real SQLite database, with a failure injected between their statements: a
 * write that landed while its batch (or its recount) failed still ends with the creation's count recounted.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sqliteDialect } from "../../src/store/dialects/sqlite.js";
import type { PrismaClient } from "../../src/store/generated/client.js";
import { createPrismaStores } from "../../src/store/prisma/stores.js";
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

async function twoPosts(prisma: PrismaClient) {
  const community = await prisma.community.create({ data: { platform: "discord", externalId: "g1", galleryChannelId: "c1" } });
  const author = await prisma.member.create({ data: { communityId: community.id, userId: "author" } });
  const post = (messageId: string) =>
    prisma.creation.create({
      data: { communityId: community.id, memberId: author.id, prompt: "p", aspect: "square", quality: "medium", size: "1024x1024", model: "m", status: "posted", costMicroUsd: 1, day: "2026-11-25", postedAt: new Date(), galleryChannelId: "c1", galleryMessageId: messageId },
    });
  return { community, a: await post("m1"), b: await post("m2") };
}

describe("reaction writes", () => {
  it("still recounts a creation whose write landed in a batch that failed part-way and was retried", async () => {
    const { prisma } = database.db;
    const { community, a, b } = await twoPosts(prisma);
    const seen = { at: new Date() };
    const { likes } = createPrismaStores(failingOnce(prisma, 'DELETE FROM "Reaction"'), sqliteDialect);
    expect(await likes.setReaction(b.id, community.id, "u-gone", "👍", true, seen)).toBe(1);

    // One batch: the insert of u-new's reaction on a lands, then the delete of u-gone's on b fails; the batch is
    // retried one write at a time, and the retried insert finds its row already there.
    const [added, removed] = await Promise.all([
      likes.setReaction(a.id, community.id, "u-new", "👍", true, seen),
      likes.setReaction(b.id, community.id, "u-gone", "👍", false, seen),
    ]);

    expect(await prisma.reaction.count({ where: { creationId: a.id } })).toBe(1);
    expect(added).toBe(1);
    expect(removed).toBe(0);
    expect((await prisma.creation.findUniqueOrThrow({ where: { id: a.id } })).likeCount).toBe(1);
  });

  it("recounts at the next write a creation whose recount failed after its write landed", async () => {
    const { prisma } = database.db;
    const { community, a } = await twoPosts(prisma);
    const { likes } = createPrismaStores(failingOnce(prisma, 'UPDATE "Creation" SET "likeCount"'), sqliteDialect);

    await expect(likes.setReaction(a.id, community.id, "u-fan", "👍", true, { at: new Date() })).rejects.toThrow("injected");
    expect(await prisma.reaction.count({ where: { creationId: a.id } })).toBe(1);
    expect((await prisma.creation.findUniqueOrThrow({ where: { id: a.id } })).likeCount).toBe(0);

    // The platform's redelivery of the same event changes no row, and still brings the count right.
    expect(await likes.setReaction(a.id, community.id, "u-fan", "👍", true, { at: new Date() })).toBe(1);
    expect((await prisma.creation.findUniqueOrThrow({ where: { id: a.id } })).likeCount).toBe(1);
  });
});
