/**
 * Runs a tick every minute, at second 0, with node-cron: the digest tick (which decides which communities are due and
 * claims each digest exactly once) and the maintenance tick (periodic reconciliation, pruning). This module only makes
 * sure each runs on time, one at a time, and stops promptly on shutdown.
 */
import cron, { type Logger as CronLogger } from "node-cron";
import type { Logger } from "../core/ports.js";

export interface DigestSchedulerOptions {
  /**
   * Does the minute's work (e.g. publishes whatever digests are due); a failure is logged and the next minute tries
   * again. The signal is aborted on shutdown: the tick should stop at its next safe point.
   */
  tick: (signal: AbortSignal) => Promise<unknown>;
  logger: Logger;
  /** What the tick does, for logs and node-cron's task name; "digest" by default. */
  name?: string;
  /** A node-cron expression with seconds; every minute at second 0 by default. */
  schedule?: string;
  /** Run one tick at once (the digest scheduler catches up a digest missed while the bot was down); true by default. */
  runAtStart?: boolean;
}

export interface DigestScheduler {
  /** Runs a tick now (unless one is running, or the scheduler stopped), e.g. once what a tick waited for is done. */
  tickNow(): Promise<void>;
  /**
   * Stops scheduling, asks a running tick to stop (its signal), and resolves once it has finished, or after `graceMs`
   * (its work is then left to the next start, which takes over its claims).
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts the schedule and runs one tick at once, which posts any digest missed while the bot was down. A tick that
 * comes due while the previous one still runs is skipped, never run beside it.
 */
export function startDigestScheduler(options: DigestSchedulerOptions): DigestScheduler {
  const name = options.name ?? "digest";
  const logger = options.logger.child({ component: `${name}-scheduler` });
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  let stopped = false;

  const runTick = (reason: "start-up" | "schedule" | "requested"): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      logger.warn({ reason }, `${name} tick skipped: the previous one is still running`);
      return running;
    }
    // `then` defers the tick, so `running` is set before it can settle, even if it throws synchronously.
    const current: Promise<void> = Promise.resolve()
      .then(() => options.tick(stopping.signal))
      .then(
        () => logger.debug({ reason }, `${name} tick done`),
        (error: unknown) => logger.error({ err: error, reason }, `${name} tick failed`),
      )
      .finally(() => {
        if (running === current) running = null;
      });
    running = current;
    return current;
  };

  const task = cron.schedule(options.schedule ?? "0 * * * * *", () => runTick("schedule"), {
    name: `salon-${name}`,
    // Our own guard covers the start-up tick too; this one keeps node-cron from stacking its own runs.
    noOverlap: true,
    logger: cronLogger(logger),
  });
  if (options.runAtStart !== false) void runTick("start-up");

  return {
    tickNow: () => runTick("requested"),
    async stop(graceMs = Infinity) {
      stopped = true;
      stopping.abort(new Error("shutting down"));
      await task.destroy();
      if (!running) return;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), Math.min(graceMs, 2 ** 31 - 1))));
      if ((await Promise.race([running, late])) === "late") logger.warn({ graceMs }, `${name} tick still running at shutdown; the next start takes its work over`);
      clearTimeout(timer);
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
