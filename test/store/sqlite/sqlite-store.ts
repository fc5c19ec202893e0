/** The contract suites' factory for SQLite: a fresh migrated file per test, and second connections to it. */
import { PrismaInstallationStore } from "../../../src/store/prisma/installations.js";
import type { StoreFactory } from "../contracts/store-under-test.js";
import { createTestDatabase, openSecondStore, type SecondStore } from "../../support/db.js";

export const sqliteStore: StoreFactory = async () => {
  const database = await createTestDatabase();
  const others: SecondStore[] = [];
  return {
    stores: database.stores,
    installations: new PrismaInstallationStore(database.db.prisma),
    async another() {
      const other = await openSecondStore(database.url);
      others.push(other);
      return other.stores;
    },
    async cleanup() {
      for (const other of others) await other.close();
      await database.cleanup();
    },
  };
};
