// One refresh per session at a time. With rotating refresh tokens, two parallel refreshes spend the
// same token, the provider sees a reuse and revokes the whole grant (RFC 9700 §4.14.2). Callers in
// this process join the run in progress; runs, from any process sharing the store, take turns
// through a lock record that expires (a crashed owner cannot block forever).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.ts';

/** How a store keeps lock records (a SQLite row, a Redis key). */
export interface LockRecords {
  /** Creates the record unless a live one exists; true when this owner got it. */
  tryAcquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes the record if `owner` still holds it. */
  release(key: string, owner: string): Promise<void>;
}

export interface RefreshLock {
  /**
   * Runs `work` alone for `key`. A run already in progress here is joined once: when its result
   * is not usable by this caller (`isUsable`), this caller's own run follows, and is final.
   */
  run<T>(key: string, work: () => Promise<T>, isUsable: (result: T) => boolean): Promise<T>;
}

export interface RefreshLockOptions {
  /** How long a record lives if its owner never releases it; longer than one refresh can take. */
  ttlMs: number;
  /** How long to wait for another process's refresh before giving up with a 503. */
  waitMs: number;
  pollMs?: number;
}

/** A RefreshLock over a store's lock records. */
export function createRefreshLock(records: LockRecords, options: RefreshLockOptions): RefreshLock {
  const { ttlMs, waitMs, pollMs = 50 } = options;
  const inProgress = new Map<string, Promise<unknown>>();

  async function runWithRecord<T>(key: string, work: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    const deadline = Date.now() + waitMs;
    while (!(await records.tryAcquire(key, owner, ttlMs))) {
      if (Date.now() > deadline)
        throw new StoreError(new Error(`lock ${key} still held after ${waitMs} ms`));
      await sleep(pollMs);
    }
    try {
      return await work();
    } finally {
      await records.release(key, owner).catch(() => undefined);
    }
  }

  function start<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run: Promise<T> = runWithRecord(key, work).finally(() => {
      if (inProgress.get(key) === run) inProgress.delete(key);
    });
    if (!inProgress.has(key)) inProgress.set(key, run);
    return run;
  }

  return {
    async run<T>(key: string, work: () => Promise<T>, isUsable: (result: T) => boolean) {
      const joined = inProgress.get(key) as Promise<T> | undefined;
      if (joined) {
        const result = await joined;
        if (isUsable(result)) return result;
      }
      return start(key, work);
    },
  };
}

/**
 * Remembers `key` (a used logout token's `jti`) for `ttlMs` on the same lock records, for every
 * process sharing the store: true the first time, false while it is remembered. A record nobody
 * releases is exactly "seen, until it expires".
 */
export function rememberOnceOn(
  records: LockRecords,
): (key: string, ttlMs: number) => Promise<boolean> {
  return (key, ttlMs) => records.tryAcquire(`used:${key}`, 'used', ttlMs);
}
