/**
 * Races between two connections (two processes' clients, each with its own pool), round after round: two requests for
 * a community's last quota or budget slot, or through the cooldown, never both pass; a job is never claimed by two
 * workers. On SQLite always; on PostgreSQL (row lock on the community, FOR UPDATE SKIP LOCKED claims) when
 * TEST_DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDatabase, type ScratchDatabase } from "../../prisma/postgres-scratch.js";
import type { CreationLimits } from "../../src/core/store/creations.js";
import type { Stores } from "../../src/core/store/stores.js";
import { postgresqlDialect } from "../../src/store/dialects/postgresql.js";
import { migratePostgres, postgresClient } from "../../src/store/postgres.js";
import { createPrismaStores } from "../../src/store/prisma/stores.js";
import { createTestDatabase, openSecondStore, type SecondStore, type TestDatabase } from "../support/db.js";
import { community, newCreation, NO_LIMITS, T0 } from "./contracts/seed.js";

const ROUNDS = 12;
const LEASE_MS = 60_000;

interface Two {
  a: Stores;
  b: Stores;
  close(): Promise<void>;
}

const providers: Array<[string, () => Promise<Two>]> = [
  [
    "SQLite",
    async () => {
      const first: TestDatabase = await createTestDatabase();
      const second: SecondStore = await openSecondStore(first.url);
      return { a: first.stores, b: second.stores, close: async () => (await second.close(), await first.cleanup()) };
    },
  ],
];
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
let postgres: ScratchDatabase | undefined;
if (TEST_DATABASE_URL) {
  beforeAll(async () => {
    postgres = await scratchDatabase(TEST_DATABASE_URL, "salon_races");
    await migratePostgres(postgres.url);
  });
  afterAll(async () => {
    await postgres?.drop();
  });
  providers.push([
    "PostgreSQL",
    async () => {
      const clients = [postgresClient(postgres!.url, { poolSize: 4 }), postgresClient(postgres!.url, { poolSize: 4 })];
      const [a, b] = clients.map((client) => createPrismaStores(client, postgresqlDialect));
      return { a: a!, b: b!, close: async () => void (await Promise.all(clients.map((c) => c.$disconnect()))) };
    },
  ]);
}

describe.each(providers)("races from two connections on %s", (_name, open) => {
  let two: Two;
  beforeAll(async () => {
    two = await open();
  });
  afterAll(async () => {
    await two?.close();
  });

  /** Each round: a fresh community, and one request from each connection at once. */
  async function race(label: string, limits: Partial<CreationLimits>, users: [string, string]): Promise<string[][]> {
    const outcomes: string[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c = await community(two.a, `${label}-${round}-${Math.random().toString(36).slice(2)}`);
      const results = await Promise.all(
        [two.a, two.b].map((stores, i) => stores.creations.insertCreationWithinLimits(newCreation(c, users[i]!, { costMicroUsd: 40_000 }), { ...NO_LIMITS, ...limits })),
      );
      outcomes.push(results.map((r) => (typeof r === "string" ? r : "created")).sort());
    }
    return outcomes;
  }

  it("gives a member's last quota slot to one of two requests racing for it, every round", async () => {
    expect(await race("quota", { perMemberDaily: 1 }, ["u1", "u1"])).toEqual(Array(ROUNDS).fill(["created", "quota"]));
  });

  it("gives a community's last budget slot to one of two members' requests racing for it, every round", async () => {
    expect(await race("budget", { budgetMicroUsd: 40_000 }, ["u1", "u2"])).toEqual(Array(ROUNDS).fill(["budget", "created"]));
  });

  it("lets one of a member's two requests sent at once through the cooldown, every round", async () => {
    expect(await race("cooldown", { cooldownMs: 30_000 }, ["u1", "u1"])).toEqual(Array(ROUNDS).fill(["cooldown", "created"]));
  });

  it("never hands one job to two workers, four workers on two connections claiming at once", async () => {
    const c = await community(two.a, `claims-${Math.random().toString(36).slice(2)}`);
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const created = await two.a.creations.insertCreationWithinLimits(newCreation(c, `m${i % 7}`, { now: new Date(T0.getTime() + i) }), NO_LIMITS);
      if (typeof created === "string") throw new Error(`refused: ${created}`);
      ids.push(created.id);
    }
    const claimAll = async (stores: Stores, owner: string) => {
      const mine: number[] = [];
      for (let job = await stores.creations.claimNextJob(T0, owner, LEASE_MS, ["discord"]); job; job = await stores.creations.claimNextJob(T0, owner, LEASE_MS, ["discord"])) {
        mine.push(job.id);
      }
      return mine;
    };
    const claimed = (await Promise.all([two.a, two.b, two.a, two.b].map((stores, i) => claimAll(stores, `w${i}`)))).flat();
    // The earlier tests' queued creations are claimed too: each once, and every job of this community among them.
    expect(claimed.length).toBeGreaterThanOrEqual(ids.length);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(ids.filter((id) => !claimed.includes(id))).toEqual([]);
  });
});
