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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("the PostgreSQL project needs TEST_DATABASE_URL=postgresql://…");
  const template = await scratchDatabase(url, "salon_test_template");
  try {
    await migratePostgres(template.url);
  } catch (error) {
    await template.drop();
    throw error;
  }
  project.provide("postgresTemplate", template.name);
  return () => template.drop();
}
