import { InProcessJobEngine } from "../../../src/core/in-process-jobs.js";
import { createTestDatabase, openSecondStore, type SecondStore } from "../../support/db.js";
import { jobEngineContract } from "../contracts/job-engine.contract.js";
import { SilentLogger } from "../../support/core-fakes.js";

jobEngineContract(async () => {
  const database = await createTestDatabase();
  const others: SecondStore[] = [];
  return {
    stores: database.stores,
    async process({ owner, clock, concurrency }) {
      const other = await openSecondStore(database.url);
      others.push(other);
      const { creations } = other.stores;
      // Any publisher will do: the engine only asks which platforms this process posts to.
      const publishers = { discord: {} as never };
      const engine = new InProcessJobEngine({ creations, clock, logger: new SilentLogger(), publishers, options: { instanceId: owner } as never }, concurrency);
      return { engine, creations };
    },
    async cleanup() {
      for (const other of others) await other.close();
      await database.cleanup();
    },
  };
});
