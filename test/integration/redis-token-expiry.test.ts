import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { StoredTokens } from '../../src/protocol.ts';
import { createEncryptingCodec } from '../../src/session/encrypting-codec.ts';
import type { ExpiredTokens } from '../../src/session/session-backend.ts';
import { plainTokenCodec, type TokenCodec } from '../../src/session/token-codec.ts';
import { connectRedis, type RedisClient } from '../../src/stores/redis/redis-client.ts';
import {
  createRedisTokenStore,
  type RedisTokenStore,
} from '../../src/stores/redis/redis-token-store.ts';
import { startRedisTokenSweeper } from '../../src/stores/redis/redis-token-sweeper.ts';
import { startRedisServer } from '../support/redis-server.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Instance {
  store: RedisTokenStore;
  client: RedisClient;
}

/** A redis-server, and `connect` to open a token store on it with a shared, movable clock. */
async function startRedis(t: TestContext) {
  const redis = await startRedisServer(t);
  let time = Date.now();
  const clock = { now: () => time, advance: (ms: number) => (time += ms) };
  const connect = async (codec: TokenCodec = plainTokenCodec): Promise<Instance> => {
    const { client, close } = await connectRedis(redis.url, () => {});
    t.after(close);
    return { client, store: createRedisTokenStore(client, codec, clock.now) };
  };
  return { connect, redis, ...clock };
}

function tokens(name: string): StoredTokens {
  return { accessToken: `at-${name}`, tokenType: 'Bearer', refreshToken: `rt-${name}` };
}

describe('Redis token records at expiry', () => {
  it('reads a record past its expiry as absent, and keeps it for the sweep an hour longer', async (t) => {
    const { connect, advance } = await startRedis(t);
    const { store, client } = await connect();
    await store.put(
      's1',
      { tokens: tokens('1'), sub: 'alice', sid: 'op-1', signedInAt: 0 },
      MINUTE,
    );

    advance(MINUTE);

    assert.equal(await store.get('s1'), undefined);
    assert.deepEqual(await store.findSessions({ sub: 'alice' }), []);
    assert.deepEqual(await store.findSessions({ sid: 'op-1' }), []);
    assert.equal(await store.replace('s1', 1, tokens('2')), undefined);
    assert.ok((await client.pTTL('oer:tokens:s1')) > HOUR, 'the hash outlives its expiry');
  });

  it('when two instances sweep at once then each expired record is taken once', async (t) => {
    const { connect, advance } = await startRedis(t);
    const [first, second] = [await connect(), await connect()];
    for (let index = 0; index < 30; index++) {
      await first.store.put(
        `s${index}`,
        { tokens: tokens(`${index}`), sub: 'alice', signedInAt: 0 },
        MINUTE,
      );
    }
    await first.store.put('live', { tokens: tokens('live'), sub: 'alice', signedInAt: 0 }, HOUR);
    advance(MINUTE);

    const [a, b] = await Promise.all([
      first.store.takeExpired(1000),
      second.store.takeExpired(1000),
    ]);

    const taken = [...a.records, ...b.records].map((record) => record.tokens.refreshToken);
    assert.equal(taken.length, 30);
    assert.equal(new Set(taken).size, 30);
    assert.ok(!taken.includes('rt-live'));
    assert.equal((await second.store.get('live'))?.sub, 'alice');
  });

  it('takes at most `limit` records a pass, the earliest first, with their sub and sid', async (t) => {
    const { connect, advance } = await startRedis(t);
    const { store } = await connect();
    await store.put('late', { tokens: tokens('late'), sub: 'carol', signedInAt: 0 }, MINUTE + 2);
    await store.put(
      'early',
      { tokens: tokens('early'), sub: 'alice', sid: 'op-1', signedInAt: 0 },
      MINUTE,
    );
    await store.put('middle', { tokens: tokens('middle'), sub: 'bob', signedInAt: 0 }, MINUTE + 1);
    advance(HOUR);

    const once = await store.takeExpired(2);
    const twice = await store.takeExpired(2);
    const thrice = await store.takeExpired(2);

    assert.deepEqual(once, {
      records: [
        { tokens: tokens('early'), sub: 'alice', sid: 'op-1' },
        { tokens: tokens('middle'), sub: 'bob' },
      ],
      unreadable: 0,
    });
    assert.deepEqual(twice, { records: [{ tokens: tokens('late'), sub: 'carol' }], unreadable: 0 });
    assert.deepEqual(thrice, { records: [], unreadable: 0 });
    assert.deepEqual(await store.findSessions({ sub: 'alice' }), []);
  });

  it('counts a record no key opens (a retired key) as unreadable, and removes it', async (t) => {
    const { connect, advance } = await startRedis(t);
    const before = await connect(createEncryptingCodec([Buffer.alloc(32, 1)]));
    const after = await connect(createEncryptingCodec([Buffer.alloc(32, 2)]));
    await before.store.put('s1', { tokens: tokens('1'), sub: 'alice', signedInAt: 0 }, MINUTE);
    advance(MINUTE);

    const expired = await after.store.takeExpired(10);

    assert.deepEqual(expired, { records: [], unreadable: 1 });
    assert.equal(await after.client.exists('oer:tokens:s1'), 0);
  });

  it('leaves nothing to sweep for a record deleted before its expiry (a sign-out)', async (t) => {
    const { connect, advance } = await startRedis(t);
    const { store, client } = await connect();
    await store.put('s1', { tokens: tokens('1'), sub: 'alice', signedInAt: 0 }, MINUTE);
    await store.delete('s1');
    advance(MINUTE);

    const expired = await store.takeExpired(10);

    assert.deepEqual(expired, { records: [], unreadable: 0 });
    assert.equal(await client.zCard('oer:tokens:by-expiry'), 0);
  });

  it('keeps a record that was written again with a later expiry', async (t) => {
    const { connect, advance } = await startRedis(t);
    const { store } = await connect();
    await store.put('s1', { tokens: tokens('1'), sub: 'alice', signedInAt: 0 }, MINUTE);
    await store.put('s1', { tokens: tokens('2'), sub: 'alice', signedInAt: 0 }, HOUR);
    advance(MINUTE);

    const expired = await store.takeExpired(10);

    assert.deepEqual(expired, { records: [], unreadable: 0 });
    assert.deepEqual((await store.get('s1'))?.tokens, tokens('2'));
  });

  it('when the sweeper runs then each pass hands over at most maxExpiredTokens records with its store, and an empty pass nothing', async (t) => {
    const { connect, advance } = await startRedis(t);
    const { store } = await connect();
    for (const name of ['1', '2', '3']) {
      await store.put(`s${name}`, { tokens: tokens(name), sub: 'alice', signedInAt: 0 }, MINUTE);
    }
    advance(MINUTE);
    const handed: Array<[ExpiredTokens, unknown]> = [];
    const sweeper = startRedisTokenSweeper(store, {
      intervalMs: HOUR,
      maxExpiredTokens: 2,
      onExpiredTokens: async (expired, from) => {
        handed.push([expired, from]);
      },
      onError: (error) => assert.fail(String(error)),
    });
    t.after(() => sweeper.stop());

    for (let pass = 0; pass < 3; pass++) await sweeper.sweep();

    assert.deepEqual(
      handed.map(([expired]) => expired.records.length),
      [2, 1],
    );
    assert.deepEqual(
      handed.flatMap(([expired]) => expired.records.map((r) => r.tokens.refreshToken)).sort(),
      ['rt-1', 'rt-2', 'rt-3'],
    );
    assert.ok(
      handed.every(([, from]) => from === store),
      'handed over with the store it came from',
    );
  });

  it('when a timed sweep fails (Redis is down) then onError gets its StoreError, and the next pass runs too', async (t) => {
    const { connect, redis } = await startRedis(t);
    const { store } = await connect();
    const errors: unknown[] = [];
    await redis.stop();

    const sweeper = startRedisTokenSweeper(store, {
      intervalMs: 20,
      maxExpiredTokens: 10,
      onExpiredTokens: async () => assert.fail('nothing to hand over'),
      onError: (error) => errors.push(error),
    });
    t.after(() => sweeper.stop());
    while (errors.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));

    assert.deepEqual(
      errors.slice(0, 2).map((error) => (error as Error).name),
      ['StoreError', 'StoreError'],
    );
  });
});
