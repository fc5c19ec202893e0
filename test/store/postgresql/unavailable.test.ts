/**
 * The "database unavailable" path on PostgreSQL: a server that cannot be reached, and a database that only reads,
 * give every port the same clean StoreUnavailableError as on SQLite, and nothing is written.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { onServer } from "../../../prisma/postgres-scratch.js";
import { StoreUnavailableError } from "../../../src/core/errors.js";
import { postgresqlDialect } from "../../../src/store/dialects/postgresql.js";
import { postgresClient } from "../../../src/store/postgres.js";
import { createPrismaStores } from "../../../src/store/prisma/stores.js";
import { storesWithErrors } from "../../../src/store/store-errors.js";
import { community, posted, react, T0 } from "../contracts/seed.js";
import { freshStore } from "../contracts/store-under-test.js";
import { onePerPort } from "../one-per-port.js";
import { postgresStore, thisFilesDatabase } from "./postgres-store.js";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the store's ports on PostgreSQL when the database cannot take the request", () => {
  const store = freshStore(postgresStore);

  it("answers StoreUnavailableError from every port, reads included, when the server cannot be reached", async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.port = String(await closedPort());
    const prisma = postgresClient(url.toString(), { poolSize: 2 });
    try {
      const stores = storesWithErrors(createPrismaStores(prisma, postgresqlDialect));
      for (const [port, call] of Object.entries(onePerPort(stores, { communityId: 1, creationId: 1 }))) {
        await expect(call(), port).rejects.toBeInstanceOf(StoreUnavailableError);
      }
    } finally {
      await prisma.$disconnect();
    }
  });

  it("answers StoreUnavailableError from every port that writes when the database is read-only, and writes nothing", async () => {
    const { stores } = store();
    const c = await community(stores);
    const post = await posted(stores, c, "ana");
    await react(stores, post, ["ben"]);
    const before = await stores.privacy.exportMember(c.id, "ben");
    const { url, name } = await thisFilesDatabase();
    // Sessions opened from now on only read, as on a server switched to read-only (a standby, a full disk's fallback).
    // Altered from the server's maintenance database: a session on this one could not turn it back.
    const setReadOnly = (on: boolean) =>
      onServer(url, `ALTER DATABASE "${name}" ${on ? "SET default_transaction_read_only = on" : "RESET default_transaction_read_only"}`);
    await setReadOnly(true);
    const prisma = postgresClient(url, { poolSize: 2 });
    try {
      const calls = onePerPort(storesWithErrors(createPrismaStores(prisma, postgresqlDialect)), { communityId: c.id, creationId: post.id });
      for (const [port, call] of Object.entries(calls)) {
        if (port === "rankings") await expect(call(), port).resolves.toHaveLength(1);
        else await expect(call(), port).rejects.toBeInstanceOf(StoreUnavailableError);
      }
    } finally {
      await prisma.$disconnect();
      await setReadOnly(false);
    }
    expect(await stores.privacy.exportMember(c.id, "ben")).toEqual(before);
    expect((await stores.creations.getCreation(post.id))?.likeCount).toBe(1);
    expect((await stores.creations.usage(c.id, "cat", T0.toISOString().slice(0, 10))).memberToday).toBe(0);
    expect(await stores.digests.digestStatus(c.id, "2026-05-31")).toBeNull();
    expect(await stores.deliveries.firstDelivery(["event-1"], T0)).toBe(true);
  });
});
