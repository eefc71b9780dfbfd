// A store's periodic sweep: one pass at a time (a pass may wait on slow revocations), on a timer
// that does not hold the process open. Shared by the SQLite and Redis backends.

/** A running sweeper: `sweep` runs one pass now (after any running one), `stop` ends the timer. */
export interface SerialSweeps<T> {
  sweep(): Promise<T>;
  stop(): void;
}

/** Runs `pass` every `intervalMs`, skipping a tick while a pass is still running. */
export function startSerialSweeps<T>(
  pass: () => Promise<T>,
  options: { intervalMs: number; onError: (error: unknown) => void },
): SerialSweeps<T> {
  let queue: Promise<unknown> = Promise.resolve();
  let passes = 0;
  const sweep = (): Promise<T> => {
    passes += 1;
    const next = queue.then(pass).finally(() => {
      passes -= 1;
    });
    queue = next.catch(() => {});
    return next;
  };
  const timer = setInterval(() => {
    // A pass still handing over its records (slow revocations) is left to finish.
    if (passes === 0) sweep().catch(options.onError);
  }, options.intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
