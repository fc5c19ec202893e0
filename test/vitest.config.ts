import { defineConfig } from "vitest/config";

/**
 * The suite, in two runs (`npm test` runs both): everything but the load tests, several files at once; then the load
 * tests (test/load), one file at a time and alone on the machine, because they check the platforms' 3-second deadline
 * under a burst, and a burst that shares two cores with other test files measures the neighbours instead.
 *
 * With TEST_DATABASE_URL=postgresql://… set, the first run has a second project, `postgresql`: the store contract
 * suites again on PostgreSQL (test/store/postgresql), each file in a database of its own copied from a template the
 * project's setup migrates once. Without it, the suite is exactly the SQLite one.
 */
const load = process.env.SALON_TEST_RUN === "load";
const postgres = !load && /^postgres(ql)?:\/\//i.test(process.env.TEST_DATABASE_URL ?? "");
/**
 * With TEST_DATABASE_URL there is also a project `bot-postgresql`: the Discord and Slack end-to-end files (with the
 * isolation and privacy ones) and the fault tests that run the whole bot, on PostgreSQL (test/support/test-database.ts),
 * each test in a database copied from the same template.
 */
const botOnPostgres = postgres;

const shared = {
  // Loopback servers and real SQLite files: generous per-test limits, since the CI machine is shared and noisy.
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: "forks" as const,
};

const main = {
  include: load ? ["test/load/**/*.test.ts"] : ["test/**/*.test.ts"],
  exclude: load ? [] : ["test/load/**", "test/store/postgresql/**", "**/node_modules/**"],
  ...shared,
  ...(load ? { fileParallelism: false } : {}),
};

/**
 * Two files at once in the first run, on any machine. Vitest's default is one fewer than the cores: one, on CI's two,
 * where most files spend their time waiting on loopback servers and child processes, not on a core.
 */
const workers = load ? {} : { maxWorkers: 2 };

export default defineConfig({
  test: postgres
    ? {
        ...workers,
        projects: [
          ...(botOnPostgres
            ? [
                {
                  test: {
                    name: "bot-postgresql",
                    include: [
                      "test/discord/**/*.e2e.test.ts",
                      "test/slack/**/*.e2e.test.ts",
                      "test/isolation/**/*.e2e.test.ts",
                      "test/privacy/**/*.e2e.test.ts",
                      // The fault tests that run the whole bot: SIGKILL, a second process, the database failing.
                      "test/faults/crash-*.test.ts",
                      "test/faults/second-process.test.ts",
                      "test/faults/roles.test.ts",
                      "test/faults/schedulers.test.ts",
                      "test/faults/shards.test.ts",
                      "test/faults/workers.test.ts",
                      "test/faults/shutdown.test.ts",
                      "test/faults/impostor-posts.test.ts",
                      "test/faults/database.test.ts",
                      "test/faults/two-hosts.test.ts",
                    ],
                    globalSetup: ["test/store/postgresql/global-setup.ts"],
                    // Read by test/support/test-database.ts in this project's files only: the sqlite project's stay on SQLite.
                    env: { SALON_BOT_DATABASE: "postgresql" },
                    ...shared,
                  },
                },
              ]
            : []),
          { test: { name: "sqlite", ...main } },
          {
            test: { name: "postgresql", include: ["test/store/postgresql/**/*.test.ts"], globalSetup: ["test/store/postgresql/global-setup.ts"], ...shared },
          },
        ],
      }
    : { ...main, ...workers },
});
