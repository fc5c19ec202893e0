// Generates the Prisma clients offline: SQLite's from prisma/schema.prisma, and PostgreSQL's from the schema derived
// from it (prisma/schema-for.mjs). Prisma's CLI wants a native schema engine for every command and would try to
// download one; `generate` never runs it, so any existing file satisfies the check (see README, "Offline installs").
import { spawnSync } from "node:child_process";
import path from "node:path";
import { writeSchemaFor } from "./schema-for.mjs";

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath };
for (const schema of ["prisma/schema.prisma", path.relative(process.cwd(), writeSchemaFor("postgresql"))]) {
  const result = spawnSync("npx", ["--no-install", "prisma", "generate", "--schema", schema], { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
