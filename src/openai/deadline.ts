/**
 * One signal for one request that fires on the caller's abort or after `timeoutMs`, whichever comes first, and
 * remembers which. Unlike the SDK's own timeout, which stops at the response headers, it also bounds reading a
 * multi-megabyte image body. `dispose()` detaches from the caller's signal: the SDK adds a listener to the signal
 * it is given and never removes it, so a long-lived caller signal must not be handed to it directly.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  timedOut(): boolean;
  callerAborted(): boolean;
  dispose(): void;
}

export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  let callerAborted = false;
  const onCallerAbort = () => {
    if (controller.signal.aborted) return;
    callerAborted = true;
    controller.abort(callerSignal?.reason);
  };
  const timer = setTimeout(() => {
    if (controller.signal.aborted) return;
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    callerAborted: () => callerAborted,
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}
