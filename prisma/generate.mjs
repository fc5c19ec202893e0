// Generates the Prisma client offline. Prisma's CLI wants a native schema engine for every command and would try to
// download one; `generate` never runs it, so any existing file satisfies the check (see README, "Offline installs").
import { spawnSync } from "node:child_process";

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath };
const result = spawnSync("npx", ["--no-install", "prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
