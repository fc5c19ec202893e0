/**
 * `src/main.ts` with a clock the test moves, for whole-bot tests across days: the time comes from the file named by
 * SALON_TEST_CLOCK_FILE (an ISO instant, read every 50 ms; write it with a rename so no half-written value is read),
 * and passes normally from each value set. Each move is logged ("test clock moved", `to`), and the digest and
 * maintenance ticks run every second, so that a test steps through a week without waiting for minutes to pass.
 */
import { readFileSync } from "node:fs";
import { startSalon } from "../../src/app.js";
import { loadConfig, secretValues } from "../../src/config/config.js";
import { createLogger } from "../../src/runtime/logger.js";
import { MovableClock } from "./movable-clock.js";

const file = process.env.SALON_TEST_CLOCK_FILE;
if (!file) throw new Error("SALON_TEST_CLOCK_FILE must name the file that holds the test's time");
const read = () => readFileSync(file, "utf8").trim();

let shown = read();
const clock = new MovableClock(new Date(shown));
const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
setInterval(() => {
  const next = read();
  if (next === shown) return;
  shown = next;
  clock.set(new Date(next));
  logger.info({ to: next }, "test clock moved");
}, 50).unref();

const running = await startSalon(config, { logger, clock, digestSchedule: "* * * * * *", maintenanceSchedule: "* * * * * *" });
process.once("SIGTERM", () => void running.stop().then(() => process.exit(0)));
