/**
 * The PostgreSQL project's setup: one template database, migrated once as `npm start` migrates, which every test file
 * copies into a database of its own (`CREATE DATABASE … TEMPLATE`, see postgres-store.ts); dropped at the end.
 */
import type { TestProject } from "vitest/node";
import { scratchDatabase } from "../../../prisma/postgres-scratch.js";
import { migratePostgres } from "../../../src/store/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The name of the migrated template database on TEST_DATABASE_URL's server. */
    postgresTemplate: string;
  }
}

/**
 * The projects that need the template (`postgresql`, `bot-postgresql`) each run this setup, in the same process, at
 * once: they share one template, made once. (Two made at once crashed Prisma's WebAssembly schema engine: "The encoded
 * data was not valid for encoding utf-8".) The last project to finish drops it.
 */
interface SharedTemplate {
  made: Promise<{ name: string; drop(): Promise<void> }>;
  users: number;
}
const SHARED = Symbol.for("salon.test.postgresTemplate");
const holder = globalThis as unknown as { [SHARED]?: SharedTemplate };

async function makeTemplate(url: string) {
  const template = await scratchDatabase(url, "salon_test_template");
  try {
    await migratePostgres(template.url);
  } catch (error) {
    await template.drop();
    throw error;
  }
  return template;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("the PostgreSQL project needs TEST_DATABASE_URL=postgresql://…");
  const shared = (holder[SHARED] ??= { made: makeTemplate(url), users: 0 });
  shared.users++;
  const template = await shared.made;
  project.provide("postgresTemplate", template.name);
  return async () => {
    if (--shared.users > 0) return;
    delete holder[SHARED];
    await template.drop();
  };
}
