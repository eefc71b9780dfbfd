// Lock records in Redis: SET NX PX with the owner's token, deleted by a compare-and-delete script.
import type { LockRecords } from '../../session/refresh-lock.ts';
import type { RedisClient } from './redis-client.ts';

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The refresh lock's records as Redis keys `oer:lock:<key>`. */
export function redisLockRecords(client: RedisClient): LockRecords {
  return {
    async tryAcquire(key, owner, ttlMs) {
      const reply = await client.set(`oer:lock:${key}`, owner, {
        condition: 'NX',
        expiration: { type: 'PX', value: ttlMs },
      });
      return reply === 'OK';
    },
    async release(key, owner) {
      await client.eval(releaseScript, { keys: [`oer:lock:${key}`], arguments: [owner] });
    },
  };
}
