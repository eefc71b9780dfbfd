import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createRefreshLock, type RefreshLock } from '../../src/session/refresh-lock.ts';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';

const options = { ttlMs: 60_000, waitMs: 5_000, pollMs: 5 };

/** Two locks over one SQLite file's lock records: two processes sharing the store. */
function twoProcesses(t: TestContext): [RefreshLock, RefreshLock] {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  return [
    createRefreshLock(store.lockRecords, options),
    createRefreshLock(store.lockRecords, options),
  ];
}

/** Work that counts its runs, takes a little while, and answers the run's number. */
function countedWork() {
  let runs = 0;
  let running = 0;
  let mostAtOnce = 0;
  return {
    runs: () => runs,
    mostAtOnce: () => mostAtOnce,
    async work(): Promise<number> {
      runs += 1;
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      const run = runs;
      await delay(20);
      running -= 1;
      return run;
    },
  };
}

describe('createRefreshLock', () => {
  it('runs once for concurrent callers in one process, and gives each the same result', async (t) => {
    const [lock] = twoProcesses(t);
    const counted = countedWork();

    const results = await Promise.all(
      Array.from({ length: 10 }, () => lock.run('refresh:s1', counted.work, () => true)),
    );

    assert.equal(counted.runs(), 1);
    assert.deepEqual(results, Array(10).fill(1));
  });

  it('joins the run in progress once, then runs its own when that result is no good for it', async (t) => {
    const [lock] = twoProcesses(t);
    const counted = countedWork();

    const [first, second] = await Promise.all([
      lock.run('refresh:s1', counted.work, () => true),
      lock.run('refresh:s1', counted.work, (run) => run > 1),
    ]);

    assert.equal(first, 1);
    assert.equal(second, 2, 'its own run, not the one it joined');
    assert.equal(counted.runs(), 2);
    assert.equal(counted.mostAtOnce(), 1, 'never two runs at once');
  });

  it('accepts its own run as final, whatever it answers', async (t) => {
    const [lock] = twoProcesses(t);
    const counted = countedWork();

    const [, second] = await Promise.all([
      lock.run('refresh:s1', counted.work, () => true),
      lock.run('refresh:s1', counted.work, () => false),
    ]);

    assert.equal(second, 2);
    assert.equal(counted.runs(), 2, 'no third run: the loop is bounded');
  });

  it('makes two processes sharing the store take turns', async (t) => {
    const [one, other] = twoProcesses(t);
    const counted = countedWork();

    await Promise.all([
      one.run('refresh:s1', counted.work, () => true),
      other.run('refresh:s1', counted.work, () => true),
    ]);

    assert.equal(counted.runs(), 2);
    assert.equal(counted.mostAtOnce(), 1);
  });

  it('runs different keys side by side', async (t) => {
    const [lock] = twoProcesses(t);
    const counted = countedWork();

    await Promise.all([
      lock.run('refresh:s1', counted.work, () => true),
      lock.run('refresh:s2', counted.work, () => true),
    ]);

    assert.equal(counted.mostAtOnce(), 2);
  });

  it('hands a failed run to everyone who joined it, and releases the record', async (t) => {
    const [lock, other] = twoProcesses(t);
    const failing = async (): Promise<number> => {
      await delay(10);
      throw new Error('provider down');
    };

    const results = await Promise.allSettled([
      lock.run('refresh:s1', failing, () => true),
      lock.run('refresh:s1', failing, () => true),
    ]);
    const after = await other.run(
      'refresh:s1',
      async () => 7,
      () => true,
    );

    assert.deepEqual(
      results.map((result) => result.status),
      ['rejected', 'rejected'],
    );
    assert.equal(after, 7, 'the lock record was released');
  });

  it('gives up with a StoreError when another process holds the record too long', async (t) => {
    const store = openSqliteStore({ path: ':memory:' });
    t.after(() => store.close());
    await store.lockRecords.tryAcquire('refresh:s1', 'a crashed process', 60_000);
    const lock = createRefreshLock(store.lockRecords, { ttlMs: 60_000, waitMs: 50, pollMs: 5 });

    const waited = lock.run(
      'refresh:s1',
      async () => 1,
      () => true,
    );

    await assert.rejects(waited, { name: 'StoreError', status: 503 });
  });
});
