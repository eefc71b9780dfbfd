import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpiredTokens } from '../../src/session/session-backend.ts';
import type { RedisTokenStore } from '../../src/stores/redis/redis-token-store.ts';
import { startRedisTokenSweeper } from '../../src/stores/redis/redis-token-sweeper.ts';

const MINUTE = 60_000;

const oneRecord: ExpiredTokens = {
  records: [{ tokens: { accessToken: 'a', tokenType: 'Bearer', refreshToken: 'r' }, sub: 'alice' }],
  unreadable: 0,
};

/** A token store whose takeExpired answers `batches` in turn (then nothing), counting its calls. */
function storeTaking(...batches: Array<ExpiredTokens | Error>) {
  const limits: number[] = [];
  const store = {
    async takeExpired(limit: number) {
      limits.push(limit);
      const next = batches.shift() ?? { records: [], unreadable: 0 };
      if (next instanceof Error) throw next;
      return next;
    },
  } as Partial<RedisTokenStore> as RedisTokenStore;
  return { store, limits };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('startRedisTokenSweeper', () => {
  it('takes a bounded batch on its interval and hands a non-empty one over with its store', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { store, limits } = storeTaking(oneRecord);
    const handed: Array<[ExpiredTokens, unknown]> = [];
    const sweeper = startRedisTokenSweeper(store, {
      intervalMs: MINUTE,
      maxExpiredTokens: 50,
      onExpiredTokens: async (expired, tokens) => {
        handed.push([expired, tokens]);
      },
      onError: (error) => assert.fail(String(error)),
    });
    t.after(() => sweeper.stop());

    t.mock.timers.tick(MINUTE);
    await settle();
    t.mock.timers.tick(MINUTE);
    await settle();

    assert.deepEqual(limits, [50, 50]);
    assert.deepEqual(handed, [[oneRecord, store]]);
  });

  it('skips a tick while a pass is still handing over, and reports a failed pass to onError', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { store, limits } = storeTaking(oneRecord, new Error('Redis is down'));
    const errors: unknown[] = [];
    let finish = () => {};
    const sweeper = startRedisTokenSweeper(store, {
      intervalMs: MINUTE,
      maxExpiredTokens: 50,
      onExpiredTokens: () => new Promise<void>((resolve) => (finish = resolve)),
      onError: (error) => errors.push(error),
    });
    t.after(() => sweeper.stop());

    t.mock.timers.tick(MINUTE);
    await settle();
    t.mock.timers.tick(MINUTE);
    await settle();
    const takenDuringHandOver = limits.length;
    finish();
    await settle();
    t.mock.timers.tick(MINUTE);
    await settle();

    assert.equal(takenDuringHandOver, 1);
    assert.equal(limits.length, 2);
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['Redis is down'],
    );
  });
});
