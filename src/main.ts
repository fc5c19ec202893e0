/** The composition root: reads the configuration once, starts Salon, and stops it cleanly on SIGTERM/SIGINT. */
import { startSalon } from "./app.js";
import { ConfigError, loadConfig, readEnvironment, secretValues, type Config } from "./config/config.js";
import { createLogger } from "./runtime/logger.js";

let config: Config;
try {
  config = loadConfig(readEnvironment());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
const starting = startSalon(config, { logger });

// Registered before start-up finishes, so a signal during start-up still shuts down cleanly.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "shutting down");
    // Exit within 10 s whatever happens: PRODUCT.md §Operations.
    setTimeout(() => process.exit(1), 10_000).unref();
    starting
      .then((running) => running.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  });
}

starting.catch((error: unknown) => {
  logger.fatal({ err: error }, "start-up failed");
  process.exit(1);
});
