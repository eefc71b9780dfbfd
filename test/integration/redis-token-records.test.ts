import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from 'redis';
import { openRedisBackend } from '../support/redis-server.ts';

describe('SESSION_STORE=redis token records', () => {
  it('reads a record written before sign-in times were kept as signed in before any logout token', async (t) => {
    const [backend, redis] = await openRedisBackend(t);
    const raw = createClient({ url: redis.url });
    await raw.connect();
    const tokens = JSON.stringify({ accessToken: 'from-before', tokenType: 'Bearer' });
    await raw.hSet('oer:tokens:old', { data: tokens, version: '1', sub: 'alice' });
    await raw.sAdd('oer:tokens:by-sub:alice', 'old');
    await raw.close();
    await backend.tokens.put(
      'new',
      { tokens: { accessToken: 'a1', tokenType: 'Bearer' }, sub: 'alice', signedInAt: 2000 },
      60_000,
    );

    const legacy = await backend.tokens.get('old');
    const endedByALogoutIssuedBetween = await backend.tokens.findSessions({
      sub: 'alice',
      signedInBy: 1000,
    });
    const endedByALaterLogout = await backend.tokens.findSessions({
      sub: 'alice',
      signedInBy: 2000,
    });

    assert.equal(legacy?.tokens.accessToken, 'from-before');
    assert.equal(legacy?.signedInAt, 0);
    assert.deepEqual(endedByALogoutIssuedBetween, ['old']);
    assert.deepEqual(endedByALaterLogout.sort(), ['new', 'old']);
  });

  it('remembers a key once until it expires', async (t) => {
    const [backend] = await openRedisBackend(t);

    const first = await backend.rememberOnce('jti-1', 200);
    const again = await backend.rememberOnce('jti-1', 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const afterExpiry = await backend.rememberOnce('jti-1', 200);

    assert.deepEqual([first, again, afterExpiry], [true, false, true]);
  });
});
