/**
 * How a fault test makes a running bot's database fail, one "staging" per database (SQLite, PostgreSQL), so that the
 * same assertions (test/faults/database.test.ts) hold on each: every failure kind the database has is staged on the
 * real bot, through its real driver, and healed again without a restart.
 */
import type { Harness } from "../../support/harness.js";

/** One way the database fails. */
export interface Failure {
  /** Makes the database fail from now on (or, with {@link strike}, arms the failure). */
  break(): Promise<void>;
  /**
   * Called once a request was sent, for a failure that strikes in the middle of one (a connection lost under a
   * query): resolves once it struck.
   */
  strike?(): Promise<void>;
  /** Makes the database healthy again, as an operator would, without touching the bot. */
  heal(): Promise<void>;
  /** The prompt the failing `/imagine` sends (default: a short one). */
  prompt?: string;
  /** False where a reaction's small write may still succeed while the failure holds (a file with room left in its pages). */
  reactionsFail?: boolean;
  /** What the staging checks of its own once healed (e.g. that a conflict was retried before it was given up). */
  check?(): Promise<void>;
}

export interface DatabaseStaging {
  /** Starts the bot on its database, with the settings the failures need. */
  start(): Promise<Harness>;
  /** Rows of a query on the bot's database, read beside the bot (write identifiers in double quotes, values as `?`). */
  rows<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** The failures this database has, by name. */
  failures: Record<string, Failure>;
  /** Removes what `start` made beside the harness. */
  stop(): Promise<void>;
}
