/**
 * What a contract suite runs against: a fresh implementation of every port over a fresh, migrated database, and a way
 * to reach the same database as a second process would (another connection, another implementation instance). Each
 * provider gives a factory of these (`test/store/sqlite/sqlite-store.ts` for SQLite); the suites never look behind the
 * ports, so the same suite holds any implementation to the same behaviour.
 */
import { afterEach, beforeEach } from "vitest";
import type { InstallationStore } from "../../../src/core/store/installations.js";
import type { Stores } from "../../../src/core/store/stores.js";

export interface StoreUnderTest {
  stores: Stores;
  /** Slack's installations (multi-workspace mode), on the same database. */
  installations: InstallationStore;
  /** The same database through another connection and another set of implementations: a second process. */
  another(): Promise<Stores>;
  /** Closes every connection and removes the database. */
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

/** A fresh store for each test of the suite calling it; returns the current one. */
export function freshStore(factory: StoreFactory): () => StoreUnderTest {
  let current: StoreUnderTest | undefined;
  beforeEach(async () => {
    current = await factory();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("no store: call this inside a test");
    return current;
  };
}

/** Makes `count` calls at once, every other one through a second connection (another process's view of the database). */
export async function raceFromTwoConnections<T>(under: StoreUnderTest, count: number, call: (stores: Stores, i: number) => Promise<T>): Promise<T[]> {
  const second = await under.another();
  return Promise.all(Array.from({ length: count }, (_, i) => call(i % 2 ? second : under.stores, i)));
}
