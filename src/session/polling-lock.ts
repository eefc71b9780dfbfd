// A refresh lock shared by app instances through their common store: a lock record with a random
// owner token and an expiry (so a crashed owner cannot block forever), released only by its owner.
// Waiters poll until it is free; the work they then run re-reads the tokens the owner stored.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.ts';
import type { RefreshLock } from './refresh-lock.ts';

/** How a store takes and gives back a lock record. */
export interface LockRecords {
  /** Creates the record unless a live one exists; true when this owner got it. */
  tryAcquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes the record if `owner` still holds it. */
  release(key: string, owner: string): Promise<void>;
}

export interface PollingLockOptions {
  /** How long a lock lives if its owner never releases it; longer than one refresh can take. */
  ttlMs: number;
  /** How long to wait for another instance's refresh before giving up with a 503. */
  waitMs: number;
  pollMs?: number;
}

/** A RefreshLock over lock records; in-process callers should share one run via a single-flight first. */
export function createPollingLock(records: LockRecords, options: PollingLockOptions): RefreshLock {
  return {
    async run(key, work) {
      const owner = randomUUID();
      const deadline = Date.now() + options.waitMs;
      while (!(await records.tryAcquire(key, owner, options.ttlMs))) {
        if (Date.now() > deadline)
          throw new StoreError(new Error(`lock ${key} still held after ${options.waitMs} ms`));
        await sleep(options.pollMs ?? 50);
      }
      try {
        return await work();
      } finally {
        await records.release(key, owner).catch(() => undefined);
      }
    },
  };
}
