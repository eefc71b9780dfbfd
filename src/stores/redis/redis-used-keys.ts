// Used one-time keys (the jti of each accepted logout token) in Redis, shared by every instance:
// SET NX PX, so the first writer wins and Redis forgets the key when the token could no longer verify.
import type { SessionBackend } from '../../session/session-backend.ts';
import type { RedisClient } from './redis-client.ts';

/** `rememberOnce` as Redis keys `oer:jti:<key>`; a failure rejects with a StoreError (redis-client.ts). */
export function redisRememberOnce(client: RedisClient): SessionBackend['rememberOnce'] {
  return async (key, ttlMs) => {
    const reply = await client.set(`oer:jti:${key}`, '1', {
      condition: 'NX',
      expiration: { type: 'PX', value: ttlMs },
    });
    return reply === 'OK';
  };
}
