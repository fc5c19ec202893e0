import { postgresClient } from "../../../src/store/postgres.js";
import { PrismaIdentifySlots } from "../../../src/store/prisma/identify-slots.js";
import { identifySlotsContract } from "../contracts/identify-slots.contract.js";
import { thisFilesDatabase } from "./postgres-store.js";

identifySlotsContract(async () => {
  const { url } = await thisFilesDatabase();
  const clients = [postgresClient(url, { poolSize: 4 }), postgresClient(url, { poolSize: 4 })] as const;
  await clients[0].gatewayIdentify.deleteMany();
  return {
    slots: [new PrismaIdentifySlots(clients[0]), new PrismaIdentifySlots(clients[1])],
    close: async () => void (await Promise.all(clients.map((c) => c.$disconnect()))),
  };
});
