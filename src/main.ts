/** The composition root: reads the configuration once, starts Salon, and stops it cleanly on SIGTERM/SIGINT. */
import { startSalon } from "./app.js";
import { ConfigError, loadConfig, secretValues } from "./config/config.js";
import { createLogger } from "./runtime/logger.js";

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
const running = await startSalon(config, { logger }).catch((error: unknown) => {
  logger.fatal({ err: error }, "start-up failed");
  process.exit(1);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "shutting down");
    // Exit within 10 s whatever happens: PRODUCT.md §Operations.
    setTimeout(() => process.exit(1), 10_000).unref();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
