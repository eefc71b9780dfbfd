// A refresh lock shared by app instances through Redis: SET NX PX with a random token, released
// only by its owner (a compare-and-delete script), expiring by itself if its owner dies.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.ts';
import { guard, type RedisClient } from './redis-client.ts';
import type { RefreshLock } from './refresh-lock.ts';

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisLockOptions {
  /** How long a lock lives if its owner never releases it; longer than one refresh can take. */
  ttlMs: number;
  /** How long to wait for another instance's refresh before giving up with a 503. */
  waitMs: number;
  pollMs?: number;
}

/** Runs work while holding `oer:lock:<key>`; other instances wait for it, then run theirs. */
export function createRedisLock(client: RedisClient, options: RedisLockOptions): RefreshLock {
  return {
    async run(key, work) {
      const lockKey = `oer:lock:${key}`;
      const token = randomUUID();
      const deadline = Date.now() + options.waitMs;
      while (
        (await guard(
          client.set(lockKey, token, {
            condition: 'NX',
            expiration: { type: 'PX', value: options.ttlMs },
          }),
        )) !== 'OK'
      ) {
        if (Date.now() > deadline)
          throw new StoreError(new Error(`lock ${key} still held after ${options.waitMs} ms`));
        await sleep(options.pollMs ?? 50);
      }
      try {
        return await work();
      } finally {
        await client
          .eval(releaseScript, { keys: [lockKey], arguments: [token] })
          .catch(() => undefined);
      }
    },
  };
}
