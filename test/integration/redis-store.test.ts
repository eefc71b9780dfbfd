import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { assertNoTokensIn } from '../support/assert-no-tokens.ts';
import { confirmLogoutAtProvider } from '../support/dev-login.ts';
import { startRedisServer } from '../support/redis-server.ts';
import { startTestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;
const encryptionKey = Buffer.alloc(32, 7).toString('base64');

describe('SESSION_STORE=redis', () => {
  it('makes exactly one refresh grant for concurrent requests across two instances sharing Redis', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, { env: { SESSION_STORE: 'redis', REDIS_URL: redis.url } });
    const second = await app.addInstance();
    const jar = await app.signIn();

    app.advanceClock(tenMinutes);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        jar.fetch(`${index % 2 ? second : app.baseUrl}/resource`),
      ),
    );

    assert.deepEqual(
      responses.map((r) => r.status),
      Array(10).fill(200),
    );
    assert.equal(app.grants.refresh_token, 1);
    assert.deepEqual(app.grantErrors, [], 'no refresh token was spent twice');
  });

  it('keeps the user signed in across an app restart', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, { env: { SESSION_STORE: 'redis', REDIS_URL: redis.url } });
    const jar = await app.signIn('dora');

    await app.restart();
    const response = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 200);
    assert.match(await response.text(), /dora/);
  });

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
    assert.ok(slowest < 4000, `a request waited ${Math.round(slowest)} ms`);
    assert.equal(after.status, 200);
  });

  it('ends the Redis sessions of a user who signs out at the provider (back-channel logout)', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, { env: { SESSION_STORE: 'redis', REDIS_URL: redis.url } });
    const jar = await app.signIn();
    const other = await app.signIn('someone-else');
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const endSession = new URL(`${app.issuer}/session/end`);
    endSession.searchParams.set('id_token_hint', record?.tokens.idToken ?? '');

    await confirmLogoutAtProvider(endSession, jar);
    const afterwards = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(afterwards.status, 302);
    assert.equal(await app.backend.tokens.get(app.sessionIdOf(jar)), undefined);
    assert.equal((await other.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it('stores no token in Redis in clear when TOKEN_ENCRYPTION_KEY is set', async (t) => {
    const redis = await startRedisServer(t);
    const app = await startTestApp(t, {
      env: { SESSION_STORE: 'redis', REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: encryptionKey },
    });
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const client = createClient({ url: redis.url });
    await client.connect();

    const dump: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      if (type === 'string') dump.push(String(await client.get(key)));
      if (type === 'hash') dump.push(JSON.stringify(await client.hGetAll(key)));
      if (type === 'set') dump.push(JSON.stringify(await client.sMembers(key)));
    }
    await client.close();
    const raw = dump.join('\n');

    assertNoTokensIn(raw, record);
    assert.match(raw, /v1\./);
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
