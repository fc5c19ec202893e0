import { defineConfig } from "vitest/config";

/**
 * The suite, in two runs (`npm test` runs both): everything but the load tests, several files at once; then the load
 * tests (test/load), one file at a time and alone on the machine, because they check the platforms' 3-second deadline
 * under a burst, and a burst that shares two cores with other test files measures the neighbours instead.
 */
const load = process.env.SALON_TEST_RUN === "load";

export default defineConfig({
  test: {
    include: load ? ["test/load/**/*.test.ts"] : ["test/**/*.test.ts"],
    exclude: load ? [] : ["test/load/**", "**/node_modules/**"],
    // Loopback servers and real SQLite files: generous per-test limits, since the CI machine is shared and noisy.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    ...(load ? { fileParallelism: false } : {}),
  },
});
