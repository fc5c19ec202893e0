import { createDatabaseImages } from "../../../src/store/prisma/images.js";
import { createTestDatabase, openSecondStore, type SecondStore } from "../../support/db.js";
import { imageStoreContract } from "./image-store.contract.js";

imageStoreContract("the database (SQLite)", async () => {
  const database = await createTestDatabase();
  const others: SecondStore[] = [];
  return {
    images: createDatabaseImages(database.db.prisma),
    async another() {
      const other = await openSecondStore(database.url);
      others.push(other);
      return createDatabaseImages(other.db.prisma);
    },
    async cleanup() {
      for (const other of others) await other.close();
      await database.cleanup();
    },
  };
});
