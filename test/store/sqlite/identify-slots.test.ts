import { PrismaIdentifySlots } from "../../../src/store/prisma/identify-slots.js";
import { createTestDatabase, openSecondStore } from "../../support/db.js";
import { identifySlotsContract } from "../contracts/identify-slots.contract.js";

identifySlotsContract(async () => {
  const database = await createTestDatabase();
  const second = await openSecondStore(database.url);
  return {
    slots: [new PrismaIdentifySlots(database.db.prisma), new PrismaIdentifySlots(second.db.prisma)],
    async close() {
      await second.close();
      await database.cleanup();
    },
  };
});
