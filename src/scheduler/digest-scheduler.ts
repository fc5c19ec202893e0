/**
 * Runs the digest tick every minute, at second 0, with node-cron. The tick itself decides which communities are
 * due and claims each digest exactly once; this module only makes sure it runs on time, one at a time.
 */
import cron, { type Logger as CronLogger } from "node-cron";
import type { Logger } from "../core/ports.js";

export interface DigestSchedulerOptions {
  /** Publishes whatever digests are due; a failure is logged and the next minute tries again. */
  tick: () => Promise<unknown>;
  logger: Logger;
  /** A node-cron expression with seconds; every minute at second 0 by default. */
  schedule?: string;
}

export interface DigestScheduler {
  /** Stops scheduling and resolves once a tick that is running has finished. */
  stop(): Promise<void>;
}

/**
 * Starts the schedule and runs one tick at once, which posts any digest missed while the bot was down. A tick that
 * comes due while the previous one still runs is skipped, never run beside it.
 */
export function startDigestScheduler(options: DigestSchedulerOptions): DigestScheduler {
  const logger = options.logger.child({ component: "digest-scheduler" });
  let running: Promise<void> | null = null;
  let stopped = false;

  const runTick = (reason: "start-up" | "schedule"): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      logger.warn({ reason }, "digest tick skipped: the previous one is still running");
      return running;
    }
    // `then` defers the tick, so `running` is set before it can settle, even if it throws synchronously.
    const current: Promise<void> = Promise.resolve()
      .then(options.tick)
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error, reason }, "digest tick failed"),
      )
      .finally(() => {
        if (running === current) running = null;
      });
    running = current;
    return current;
  };

  const task = cron.schedule(options.schedule ?? "0 * * * * *", () => runTick("schedule"), {
    name: "salon-digest",
    // Our own guard covers the start-up tick too; this one keeps node-cron from stacking its own runs.
    noOverlap: true,
    logger: cronLogger(logger),
  });
  void runTick("start-up");

  return {
    async stop() {
      stopped = true;
      await task.destroy();
      await running;
    },
  };
}

/** node-cron's own warnings (a missed minute after the event loop stalled) go to our structured log. */
function cronLogger(logger: Logger): CronLogger {
  const fields = (err?: Error) => (err ? { source: "node-cron", err } : { source: "node-cron" });
  const text = (message: string | Error) => (typeof message === "string" ? message : message.message);
  return {
    info: (message) => logger.debug(fields(), message),
    warn: (message) => logger.warn(fields(), message),
    error: (message, err) => logger.error(fields(err ?? (message instanceof Error ? message : undefined)), text(message)),
    debug: (message, err) => logger.debug(fields(err), text(message)),
  };
}
