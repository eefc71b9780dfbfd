import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionData } from 'express-session';
import { openRedisBackend } from '../support/redis-server.ts';

const storeError = { name: 'StoreError', status: 503 };

/** What each call came to: the name of its error, or `fulfilled`. */
function outcomes(results: PromiseSettledResult<unknown>[]): string[] {
  return results.map((result) =>
    result.status === 'rejected' ? (result.reason as Error).name : result.status,
  );
}

/** Calls an express-session store method and waits for its callback. */
function call(run: (callback: (err: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    run((err) => (err ? reject(err) : resolve()));
  });
}

function sessionData(): SessionData {
  return {
    cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) },
  } as SessionData;
}

// Each test waits out the Redis deadline against a redis-server of its own: they run side by side.
describe('SESSION_STORE=redis store failures', { concurrency: true }, () => {
  it('hands express-session a StoreError (a 503 page) when Redis stops answering', async (t) => {
    const [backend, redis] = await openRedisBackend(t);
    const { sessions } = backend;

    redis.pause();
    const results = await Promise.allSettled([
      call((cb) => sessions.get('s1', cb)),
      call((cb) => sessions.set('s1', sessionData(), cb)),
      call((cb) => sessions.destroy('s1', cb)),
    ]);
    redis.resume();

    assert.deepEqual(outcomes(results), Array(3).fill('StoreError'));
  });

  it('hands express-session a StoreError when Redis is down', async (t) => {
    const [backend, redis] = await openRedisBackend(t);
    const { sessions } = backend;

    await redis.stop();
    const destroyed = call((cb) => sessions.destroy('s1', cb));

    await assert.rejects(destroyed, storeError);
  });

  it('rejects token store (a transaction too), refresh lock and used-token calls with a StoreError when Redis stops answering', async (t) => {
    const [backend, redis] = await openRedisBackend(t);
    const { tokens, lock } = backend;
    const stored = { accessToken: 'a', tokenType: 'bearer' };

    redis.pause();
    const results = await Promise.allSettled([
      tokens.get('s1'),
      // A put is a MULTI transaction: bounded by the same deadline as a single command.
      tokens.put(
        's1',
        { tokens: stored, sub: 'alice', sid: 'sid-1', signedInAt: Date.now() },
        60_000,
      ),
      tokens.replace('s1', 1, stored),
      tokens.findSessions({ sub: 'alice' }),
      lock.run(
        'refresh:s1',
        async () => 'ran',
        () => true,
      ),
      backend.rememberOnce('jti-1', 60_000),
    ]);
    redis.resume();

    assert.deepEqual(outcomes(results), Array(6).fill('StoreError'));
  });
});
