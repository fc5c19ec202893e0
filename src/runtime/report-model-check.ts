import type { Clock, Logger } from "../core/ports.js";
import type { ModelChecker } from "../openai/check-image-model.js";

/**
 * Checks a configured model with OpenAI at start-up and logs what the operator must do: an error when the model
 * cannot be used or was shut down, a warning when its shutdown is announced. Never throws: the bot keeps running
 * without what the model does.
 */
export function reportModelCheck(checker: ModelChecker, variable: string, model: string, logger: Logger, clock: Clock): Promise<void> {
  return checker.checkModel(model).then(
    (check) => {
      if (!check.ok) logger.error({ model, reason: check.reason }, `${variable} problem: ${check.reason}`);
      else if (check.shutdownDate) {
        const past = check.shutdownDate <= clock.now().toISOString().slice(0, 10);
        const message = `${variable} ${model} ${past ? "was shut down on" : "is scheduled to shut down on"} ${check.shutdownDate}: set ${variable} to its replacement (see OpenAI's deprecations page) and update the price table if needed`;
        if (past) logger.error({ model, shutdownDate: check.shutdownDate }, message);
        else logger.warn({ model, shutdownDate: check.shutdownDate }, message);
      }
    },
    (error: unknown) => logger.warn({ err: error }, `could not check ${variable} with OpenAI`),
  );
}
