import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Loopback servers and real SQLite files: generous per-test limits, since the CI machine is shared and noisy.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
