export interface Periodic {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` (and at once with `immediately`), never two runs at a time: a
 * tick that finds the last run still going is skipped. The timer is unref'd, so it never keeps
 * the process alive. `run` reports its own failures (it must not reject).
 */
export function startPeriodic(run: () => Promise<void>, intervalMs: number, immediately = false): Periodic {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = run().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  if (immediately) tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
