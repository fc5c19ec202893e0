/**
 * Counts turns of the event loop: one step per check phase, the phase where `setImmediate` callbacks run. Between two
 * turns the loop runs its due timers and reads the network; work done within one turn kept it from doing either.
 */
export function eventLoopTurns(): { now(): number; stop(): void } {
  let turn = 0;
  let stopped = false;
  const step = () => {
    if (stopped) return;
    turn++;
    setImmediate(step);
  };
  setImmediate(step);
  return {
    now: () => turn,
    stop: () => {
      stopped = true;
    },
  };
}
