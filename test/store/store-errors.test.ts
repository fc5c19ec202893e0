/**
 * `storesWithErrors` puts every port behind `withStoreErrors`: whichever aggregate a request touches, a database that
 * cannot take it gives the same clean StoreUnavailableError ("nothing was saved, try again"), and nothing is written.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../src/core/errors.js";
import { sqliteDialect } from "../../src/store/dialects/sqlite.js";
import { Prisma, type PrismaClient } from "../../src/store/generated/client.js";
import { createPrismaStores } from "../../src/store/prisma/stores.js";
import { storesWithErrors } from "../../src/store/store-errors.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { community, posted, react, T0 } from "./contracts/seed.js";
import { onePerPort } from "./one-per-port.js";

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.cleanup();
});

/**
 * A client whose every call fails as a database that cannot be reached does (Prisma's P1001), when awaited: like
 * Prisma's own, a query handed to `$transaction` unawaited does not run (and fails nothing) on its own.
 */
function unreachable(): PrismaClient {
  const refusal = () => Promise.reject(new Prisma.PrismaClientKnownRequestError("Can't reach database server", { code: "P1001", clientVersion: Prisma.prismaVersion.client }));
  const fail = () => ({ then: (...handlers: Parameters<Promise<never>["then"]>) => refusal().then(...handlers) });
  const anything: unknown = new Proxy(fail, { get: (_target, name) => (name === "then" ? undefined : anything) });
  return anything as PrismaClient;
}

describe("the store's ports when the database cannot take the request", () => {
  it("answers StoreUnavailableError from every port, reads included, when the database cannot be reached", async () => {
    const stores = storesWithErrors(createPrismaStores(unreachable(), sqliteDialect));
    for (const [port, call] of Object.entries(onePerPort(stores, { communityId: 1, creationId: 1 }))) {
      await expect(call(), port).rejects.toBeInstanceOf(StoreUnavailableError);
    }
  });

  it("answers StoreUnavailableError from every port that writes when the database is read-only, and writes nothing", async () => {
    const { stores } = database;
    const c = await community(stores);
    const post = await posted(stores, c, "ana");
    await react(stores, post, ["ben"]);
    const before = await stores.privacy.exportMember(c.id, "ben");
    await database.db.prisma.$executeRawUnsafe("PRAGMA query_only = ON");
    const guarded = storesWithErrors(stores);
    const calls = onePerPort(guarded, { communityId: c.id, creationId: post.id });
    for (const [port, call] of Object.entries(calls)) {
      if (port === "rankings") await expect(call(), port).resolves.toHaveLength(1);
      else await expect(call(), port).rejects.toBeInstanceOf(StoreUnavailableError);
    }
    await database.db.prisma.$executeRawUnsafe("PRAGMA query_only = OFF");
    expect(await stores.privacy.exportMember(c.id, "ben")).toEqual(before);
    expect((await stores.creations.getCreation(post.id))?.likeCount).toBe(1);
    expect((await stores.creations.usage(c.id, "cat", T0.toISOString().slice(0, 10))).memberToday).toBe(0);
    expect(await stores.digests.digestStatus(c.id, "2026-05-31")).toBeNull();
    expect(await stores.deliveries.firstDelivery(["event-1"], T0)).toBe(true);
  });
});
