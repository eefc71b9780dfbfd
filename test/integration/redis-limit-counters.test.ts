// The sign-in limits' counters on a real Redis (src/stores/redis/redis-limit-counters.ts): they
// keep counting after Redis was away when the app started, as after Redis forgot its scripts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../../src/errors.ts';
import { connectRedis, type RedisClient } from '../../src/stores/redis/redis-client.ts';
import { redisLimitCounters } from '../../src/stores/redis/redis-limit-counters.ts';
import { startRedisServer } from '../support/redis-server.ts';

describe('sign-in limit counters on Redis', () => {
  it('count again once Redis answers, when it did not answer as the limits started', async (t) => {
    const redis = await startRedisServer(t);
    const { client, close } = await connectRedis(redis.url, () => {});
    t.after(close);
    const counters = redisLimitCounters(client, 'test');

    // rate-limit-redis loads its scripts when express-rate-limit starts the store: here Redis is
    // frozen then, and the load fails after the client's deadline.
    redis.pause();
    const started = Promise.resolve(counters.init?.({ windowMs: 60_000 } as never));
    await assert.rejects(started, StoreError);
    redis.resume();
    await answersAgain(client);

    const first = await counters.increment('198.51.100.7');
    const second = await counters.increment('198.51.100.7');
    assert.deepEqual([first.totalHits, second.totalHits], [1, 2]);
  });
});

/** Waits (5 s at most) until the client, which dropped its connection at the deadline, is back. */
async function answersAgain(client: RedisClient): Promise<void> {
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    if (
      await client.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('Redis did not answer again within 5 s');
}
