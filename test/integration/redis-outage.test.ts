import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRedisServer } from '../support/redis-server.ts';
import { startTestApp } from '../support/test-app.ts';

// The Redis client's per-command deadline is 3 s. Without it these requests would wait until
// Redis resumed, which happens only after they answer: they would hang. The bound leaves room for
// a slow CI machine and still tells one deadline from several stacked ones.
const boundMs = 6000;

// Each test waits out the Redis deadline against a redis-server of its own: they run side by side.
describe('SESSION_STORE=redis when Redis fails', { concurrency: true }, () => {
  it('answers 503 while Redis is down, keeps serving, and recovers when it is back', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, { env: { SESSION_STORE: 'redis', REDIS_URL: redis.url } });
    const jar = await app.signIn();

    await redis.stop();
    const during = await jar.fetch(`${app.baseUrl}/resource`);
    const duringPage = await during.text();
    const health = await fetch(`${app.baseUrl}/healthz`);
    const readiness = await fetch(`${app.baseUrl}/readyz`);
    await redis.start();
    const after = await waitFor(
      () => jar.fetch(`${app.baseUrl}/resource`),
      (r) => r.status === 200,
    );

    assert.equal(during.status, 503);
    assert.match(duringPage, /try again/i);
    assert.equal(health.status, 200);
    assert.equal(readiness.status, 503);
    assert.equal(after.status, 200);
  });

  it('answers 503 instead of hanging when Redis stops answering, and recovers', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, { env: { SESSION_STORE: 'redis', REDIS_URL: redis.url } });
    const jar = await app.signIn();

    redis.pause();
    // Steady traffic keeps a silent socket busy, so only a per-command deadline can answer these.
    const during = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        await new Promise((resolve) => setTimeout(resolve, index * 500));
        const started = performance.now();
        const response = await jar.fetch(`${app.baseUrl}/resource`);
        return { status: response.status, ms: performance.now() - started };
      }),
    );
    redis.resume();
    const after = await waitFor(
      () => jar.fetch(`${app.baseUrl}/resource`),
      (r) => r.status === 200,
    );

    assert.deepEqual(
      during.map((answer) => answer.status),
      Array(12).fill(503),
    );
    const slowest = Math.max(...during.map((answer) => answer.ms));
    assert.ok(slowest < boundMs, `a request waited ${Math.round(slowest)} ms`);
    assert.equal(after.status, 200);
  });

  it('bounds a sign-in write (a Redis transaction) by the deadline too', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, { env: { SESSION_STORE: 'redis', REDIS_URL: redis.url } });
    const tokens = { accessToken: 'a', tokenType: 'bearer' };

    redis.pause();
    const started = performance.now();
    const write = app.backend.tokens.put(
      'some-session',
      { tokens, sub: 'alice', signedInAt: Date.now() },
      60_000,
    );
    await assert.rejects(write, { name: 'StoreError' });
    const waitedMs = performance.now() - started;
    redis.resume();

    assert.ok(waitedMs < boundMs, `the write waited ${Math.round(waitedMs)} ms`);
  });
});

async function waitFor(
  request: () => Promise<Response>,
  isDone: (response: Response) => boolean,
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await request();
    if (isDone(response) || attempt >= 50) return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
