import { classifyOpenAIError } from "./classify-openai-error.js";
import { startDeadline } from "./deadline.js";
import type { OpenAILogger } from "./openai-logger.js";

/**
 * Runs one SDK call under a deadline and turns whatever it throws into a ProviderError: the one translation point
 * from SDK errors to the ports' ProviderError, for every OpenAI adapter. An `unavailable` failure is logged as a
 * warning (the operator must act), any other at debug level.
 */
export async function openAIAttempt<T>(
  context: { operation: string; ms: number; signal: AbortSignal | undefined; secrets: readonly string[]; logger: OpenAILogger | undefined },
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { operation, logger } = context;
  const deadline = startDeadline(context.ms, context.signal);
  const started = Date.now();
  try {
    return await call(deadline.signal);
  } catch (error) {
    const failure = classifyOpenAIError(deadline.timedOut() ? deadline.signal.reason : error, { secrets: context.secrets });
    const requestId = (error as { requestID?: unknown }).requestID ?? undefined;
    const fields = { operation, kind: failure.kind, ...failure.details, requestId, durationMs: Date.now() - started };
    if (failure.kind === "unavailable") logger?.warn(fields, `OpenAI ${operation} unavailable, the operator must act: ${failure.message}`);
    else logger?.debug(fields, `OpenAI ${operation} failed: ${failure.message}`);
    throw failure;
  } finally {
    deadline.dispose();
  }
}
