import { postgresClient } from "../../../src/store/postgres.js";
import { createDatabaseImages } from "../../../src/store/prisma/images.js";
import { imageStoreContract } from "../../images/contract/image-store.contract.js";
import { postgresStore, thisFilesDatabase } from "./postgres-store.js";

imageStoreContract("the database (PostgreSQL)", async () => {
  const emptied = await postgresStore(); // empties every table of this file's database
  const { url } = await thisFilesDatabase();
  const clients = [postgresClient(url, { poolSize: 4 })];
  return {
    images: createDatabaseImages(clients[0]!),
    async another() {
      const other = postgresClient(url, { poolSize: 4 });
      clients.push(other);
      return createDatabaseImages(other);
    },
    async cleanup() {
      await Promise.all(clients.map((client) => client.$disconnect()));
      await emptied.cleanup();
    },
  };
});
