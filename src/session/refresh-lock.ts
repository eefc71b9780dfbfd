// One refresh per session at a time. With rotating refresh tokens, two parallel refreshes spend the
// same token, the provider sees a reuse and revokes the whole grant (RFC 9700 §4.14.2).

/** Runs work exclusively per key; callers for a key that is busy share the running work's result. */
export interface RefreshLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** A single-flight within this process: concurrent callers for one key await the same promise. */
export function createSingleFlight(): RefreshLock {
  const running = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const current = running.get(key);
      if (current) return current as Promise<T>;
      const started = work().finally(() => running.delete(key));
      running.set(key, started);
      return started;
    },
  };
}
