import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it, type TestContext } from 'node:test';
import type { SessionData } from 'express-session';
import type { LogoutSubject, StoredTokens } from '../../src/protocol.ts';
import { createEncryptingCodec } from '../../src/session/encrypting-codec.ts';
import type { ExpiredTokens } from '../../src/session/session-backend.ts';
import type { TokenCodec } from '../../src/session/token-codec.ts';
import type { TokenRecord, TokenStore } from '../../src/session/token-store.ts';
import { openSqlite, startSweeper } from '../../src/stores/sqlite/open-sqlite.ts';
import {
  openSqliteStore,
  type SqliteStore,
  type SqliteStoreOptions,
} from '../../src/stores/sqlite/sqlite-store.ts';
import { readTokenRow } from '../support/sqlite-rows.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Harness {
  store: SqliteStore;
  path: string;
  /** A second connection to the same file, to look at or damage rows directly. */
  raw: DatabaseSync;
  advance(ms: number): void;
  now(): number;
}

/** A temp folder removed after the test; the database goes in a sub-folder that does not exist yet. */
async function tempDbPath(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'data', 'sessions.db');
}

async function build(t: TestContext, options: Partial<SqliteStoreOptions> = {}): Promise<Harness> {
  let time = Date.UTC(2025, 0, 1);
  const now = (): number => time;
  const path = options.path ?? (await tempDbPath(t));
  const store = openSqliteStore({ path, now, ...options });
  const raw = openSqlite(path);
  t.after(() => {
    raw.close();
    store.close();
  });
  return { store, path, raw, now, advance: (ms) => (time += ms) };
}

function sessionData(expiresAt: number | null, notice = 'hello'): SessionData {
  const cookie =
    expiresAt === null
      ? { originalMaxAge: null, expires: null }
      : { originalMaxAge: HOUR, expires: new Date(expiresAt) };
  return { cookie, notice } as SessionData;
}

function tokens(accessToken: string, now: number): StoredTokens {
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt: now + HOUR,
    refreshToken: `r-${accessToken}`,
  };
}

/** A token record to put: tokens named `name`, the owner, signed in at `at`. */
function recordOf(
  name: string,
  owner: { sub: string; sid?: string },
  at: number,
): Omit<TokenRecord, 'version'> {
  return { tokens: tokens(name, at), signedInAt: at, ...owner };
}

/** Calls an express-session store method and waits for its callback. */
function call<T>(
  run: (callback: (err: unknown, value?: T) => void) => void,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    run((err, value) => (err ? reject(err) : resolve(value)));
  });
}

function countRows(raw: DatabaseSync, table: 'sessions' | 'tokens' | 'locks'): number {
  return Number(raw.prepare(`SELECT count(*) AS count FROM ${table}`).get()?.count);
}

describe('SqliteSessionStore', () => {
  it('returns a session it stored', async (t) => {
    const { store, now } = await build(t);
    const { sessionStore } = store;

    await call((cb) => sessionStore.set('s1', sessionData(now() + HOUR), cb));
    const session = await call<SessionData | null>((cb) => sessionStore.get('s1', cb));

    assert.equal(session?.notice, 'hello');
    assert.equal(session?.cookie.expires, new Date(now() + HOUR).toISOString());
  });

  it('returns null for an unknown session', async (t) => {
    const { store } = await build(t);

    const session = await call<SessionData | null>((cb) => store.sessionStore.get('nope', cb));

    assert.equal(session, null);
  });

  it('returns null for an expired session', async (t) => {
    const { store, now, advance } = await build(t);
    await call((cb) => store.sessionStore.set('s1', sessionData(now() + MINUTE), cb));

    advance(MINUTE);
    const session = await call<SessionData | null>((cb) => store.sessionStore.get('s1', cb));

    assert.equal(session, null);
  });

  it('keeps a session without cookie expiry for the default lifetime', async (t) => {
    const { store, advance } = await build(t, { defaultSessionTtlMs: HOUR });
    const { sessionStore } = store;
    await call((cb) => sessionStore.set('s1', sessionData(null), cb));

    advance(HOUR - 1);
    const before = await call<SessionData | null>((cb) => sessionStore.get('s1', cb));
    advance(1);
    const after = await call<SessionData | null>((cb) => sessionStore.get('s1', cb));

    assert.equal(before?.notice, 'hello');
    assert.equal(after, null);
  });

  it('forgets a destroyed session', async (t) => {
    const { store, now } = await build(t);
    const { sessionStore } = store;
    await call((cb) => sessionStore.set('s1', sessionData(now() + HOUR), cb));

    await call((cb) => sessionStore.destroy('s1', cb));

    assert.equal(await call((cb) => sessionStore.get('s1', cb)), null);
  });

  it('counts and lists only live sessions', async (t) => {
    const { store, now, advance } = await build(t);
    const { sessionStore } = store;
    await call((cb) => sessionStore.set('short', sessionData(now() + MINUTE), cb));
    await call((cb) => sessionStore.set('long', sessionData(now() + HOUR, 'still here'), cb));
    advance(MINUTE);

    const length = await call<number>((cb) => sessionStore.length(cb));
    const all = await call<Record<string, SessionData>>((cb) => sessionStore.all(cb));

    assert.equal(length, 1);
    assert.deepEqual(Object.keys(all ?? {}), ['long']);
    assert.equal(all?.long?.notice, 'still here');
  });

  it('clears every session', async (t) => {
    const { store, now } = await build(t);
    const { sessionStore } = store;
    await call((cb) => sessionStore.set('s1', sessionData(now() + HOUR), cb));
    await call((cb) => sessionStore.set('s2', sessionData(now() + HOUR), cb));

    await call((cb) => sessionStore.clear(cb));

    assert.equal(await call((cb) => sessionStore.length(cb)), 0);
  });

  it('keeps sessions when the file is reopened (a restart)', async (t) => {
    const first = await build(t);
    await call((cb) => first.store.sessionStore.set('s1', sessionData(first.now() + HOUR), cb));
    first.store.close();

    const second = await build(t, { path: first.path });
    const session = await call<SessionData | null>((cb) => second.store.sessionStore.get('s1', cb));

    assert.equal(session?.notice, 'hello');
  });

  it('returns null for a row that is not a session', async (t) => {
    const { store, raw, now } = await build(t);
    const insert = raw.prepare('INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)');
    insert.run('broken', '{"cookie":', now() + HOUR);
    insert.run('no-cookie', '{"notice":"hi"}', now() + HOUR);

    const broken = await call((cb) => store.sessionStore.get('broken', cb));
    const noCookie = await call((cb) => store.sessionStore.get('no-cookie', cb));
    const all = await call<Record<string, SessionData>>((cb) => store.sessionStore.all(cb));

    assert.equal(broken, null);
    assert.equal(noCookie, null);
    assert.deepEqual(all, {});
  });

  it('passes a SQLite error to the callback instead of throwing', async (t) => {
    const { store } = await build(t);
    store.close();

    const result = call((cb) => store.sessionStore.get('s1', cb));

    await assert.rejects(result, Error);
  });

  it('passes a StoreError (a 503 page) to every callback when the database is closed', async (t) => {
    const { store, now } = await build(t);
    const { sessionStore } = store;
    store.close();

    const results = [
      call((cb) => sessionStore.get('s1', cb)),
      call((cb) => sessionStore.set('s1', sessionData(now() + HOUR), cb)),
      call((cb) => sessionStore.destroy('s1', cb)),
    ];

    for (const result of results) {
      await assert.rejects(result, { name: 'StoreError', status: 503 });
    }
  });
});

describe('SqliteTokenStore', () => {
  it('returns the record it put, at version 1', async (t) => {
    const { store, now } = await build(t);
    const record = recordOf('a1', { sub: 'alice', sid: 'op-1' }, now());

    const written = await store.tokenStore.put('s1', record, HOUR);
    const read = await store.tokenStore.get('s1');

    assert.deepEqual(written, { ...record, version: 1 });
    assert.deepEqual(read, written);
  });

  it('returns undefined for an expired record', async (t) => {
    const { store, now, advance } = await build(t);
    await store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), HOUR);

    advance(HOUR);

    assert.equal(await store.tokenStore.get('s1'), undefined);
  });

  it('replaces the tokens and bumps the version when the version matches', async (t) => {
    const { store, now } = await build(t);
    await store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), HOUR);

    const replaced = await store.tokenStore.replace('s1', 1, tokens('a2', now()));

    assert.deepEqual(replaced, {
      tokens: tokens('a2', now()),
      sub: 'alice',
      version: 2,
      signedInAt: now(),
    });
    assert.deepEqual(await store.tokenStore.get('s1'), replaced);
  });

  it('keeps the record expiry when replacing', async (t) => {
    const { store, now, advance } = await build(t);
    await store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), HOUR);
    advance(HOUR - MINUTE);

    await store.tokenStore.replace('s1', 1, tokens('a2', now()));
    advance(MINUTE);

    assert.equal(await store.tokenStore.get('s1'), undefined);
  });

  it('refuses a stale version and keeps the newer tokens', async (t) => {
    const { store, now } = await build(t);
    await store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), HOUR);
    await store.tokenStore.replace('s1', 1, tokens('a2', now()));

    const stale = await store.tokenStore.replace('s1', 1, tokens('old', now()));

    assert.equal(stale, undefined);
    const current = await store.tokenStore.get('s1');
    assert.equal(current?.tokens.accessToken, 'a2');
    assert.equal(current?.version, 2);
  });

  it('lets one of two concurrent refreshes win, across two instances on one file', async (t) => {
    const first = await build(t);
    const second = await build(t, { path: first.path });
    const put = { tokens: tokens('a1', first.now()), sub: 'alice', signedInAt: first.now() };
    await first.store.tokenStore.put('s1', put, HOUR);
    const readByFirst = await first.store.tokenStore.get('s1');
    const readBySecond = await second.store.tokenStore.get('s1');

    const firstWrite = await first.store.tokenStore.replace(
      's1',
      readByFirst?.version ?? 0,
      tokens('from-first', first.now()),
    );
    const secondWrite = await second.store.tokenStore.replace(
      's1',
      readBySecond?.version ?? 0,
      tokens('from-second', second.now()),
    );

    assert.equal(firstWrite?.version, 2);
    assert.equal(secondWrite, undefined);
    const current = await second.store.tokenStore.get('s1');
    assert.equal(current?.tokens.accessToken, 'from-first');
  });

  it('returns undefined when replacing a record that is gone', async (t) => {
    const { store, now } = await build(t);

    const replaced = await store.tokenStore.replace('missing', 1, tokens('a1', now()));

    assert.equal(replaced, undefined);
  });

  it('finds live sessions by sub, by sid, and by both', async (t) => {
    const { store, now, advance } = await build(t);
    const { tokenStore } = store;
    await tokenStore.put('s1', recordOf('a', { sub: 'alice', sid: 'op-1' }, now()), HOUR);
    await tokenStore.put('s2', recordOf('b', { sub: 'alice', sid: 'op-2' }, now()), HOUR);
    await tokenStore.put('s3', recordOf('c', { sub: 'bob', sid: 'op-1' }, now()), HOUR);
    await tokenStore.put('gone', recordOf('d', { sub: 'alice', sid: 'op-1' }, now()), 1);
    advance(1);

    const bySub = await tokenStore.findSessions({ sub: 'alice' });
    const bySid = await tokenStore.findSessions({ sid: 'op-1' });
    const byBoth = await tokenStore.findSessions({ sub: 'alice', sid: 'op-1' });

    assert.deepEqual(bySub.sort(), ['s1', 's2']);
    assert.deepEqual(bySid.sort(), ['s1', 's3']);
    assert.deepEqual(byBoth, ['s1']);
  });

  it('rejects a search with neither sub nor sid', async (t) => {
    const { store } = await build(t);
    // The type forbids it; a JavaScript caller, or empty claims, could still send it.
    const matchesEveryone = {} as LogoutSubject;

    await assert.rejects(store.tokenStore.findSessions(matchesEveryone), TypeError);
    await assert.rejects(store.tokenStore.findSessions({ sub: '', sid: '' }), TypeError);
  });

  it('treats an empty sub or sid as absent, as a logout token does', async (t) => {
    const { store, now } = await build(t);
    const { tokenStore } = store;
    await tokenStore.put('s1', recordOf('a', { sub: 'alice', sid: 'op-1' }, now()), HOUR);
    await tokenStore.put('s2', recordOf('b', { sub: 'alice', sid: 'op-2' }, now()), HOUR);

    const bySid = await tokenStore.findSessions({ sub: '', sid: 'op-1' });
    const bySub = await tokenStore.findSessions({ sub: 'alice', sid: '' });

    assert.deepEqual(bySid, ['s1']);
    assert.deepEqual(bySub.sort(), ['s1', 's2']);
  });

  it('treats a row it cannot decode as absent', async (t) => {
    const wrongKey = createEncryptingCodec([Buffer.alloc(32, 9)]);
    const { store, raw, now, path } = await build(t);
    await store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), HOUR);
    await store.tokenStore.put('s2', recordOf('a2', { sub: 'alice' }, now()), HOUR);
    raw.prepare('UPDATE tokens SET data = ? WHERE session_id = ?').run('not json', 's1');
    const withFailingCodec = await build(t, { path, codec: wrongKey });

    assert.equal(await store.tokenStore.get('s1'), undefined);
    assert.equal(await withFailingCodec.store.tokenStore.get('s2'), undefined);
  });

  it('writes the tokens through its codec', async (t) => {
    const base64: TokenCodec = {
      encode: (value) => Buffer.from(JSON.stringify(value)).toString('base64'),
      decode: (text) => ({
        tokens: JSON.parse(Buffer.from(text, 'base64').toString()),
        isStale: false,
      }),
    };
    const { store, path, now } = await build(t, { codec: base64 });

    await store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), HOUR);

    const stored = readTokenRow(path, 's1')?.data;
    assert.equal(typeof stored === 'string' && stored.includes('a1'), false);
    assert.equal((await store.tokenStore.get('s1'))?.tokens.accessToken, 'a1');
  });

  it('rejects a time to live that is not positive', async (t) => {
    const { store, now } = await build(t);

    const put = store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), 0);

    await assert.rejects(put, RangeError);
  });
});

describe('sweeping expired rows', () => {
  it('deletes expired sessions and token records, and keeps live ones', async (t) => {
    const { store, raw, now, advance } = await build(t);
    await call((cb) => store.sessionStore.set('old', sessionData(now() + MINUTE), cb));
    await call((cb) => store.sessionStore.set('new', sessionData(now() + HOUR), cb));
    await store.tokenStore.put('old', recordOf('a1', { sub: 'alice' }, now()), MINUTE);
    await store.tokenStore.put('new', recordOf('a2', { sub: 'alice' }, now()), HOUR);
    advance(MINUTE);

    const deleted = await store.sweep();

    assert.equal(deleted, 2);
    assert.equal(countRows(raw, 'sessions'), 1);
    assert.equal(countRows(raw, 'tokens'), 1);
  });

  it('hands the expired token records over, read with the codec, and no live one', async (t) => {
    const handed: Array<{ expired: ExpiredTokens; tokens: TokenStore }> = [];
    const codec = createEncryptingCodec([Buffer.alloc(32, 1)]);
    const { store, now, advance } = await build(t, {
      codec,
      onExpiredTokens: async (expired, tokenStore) => {
        handed.push({ expired, tokens: tokenStore });
      },
    });
    const old = tokens('a1', now());
    await store.tokenStore.put(
      'old',
      { tokens: old, sub: 'alice', sid: 'op-1', signedInAt: 0 },
      MINUTE,
    );
    await store.tokenStore.put(
      'new',
      { tokens: tokens('a2', now()), sub: 'bob', signedInAt: 0 },
      HOUR,
    );
    advance(MINUTE);

    await store.sweep();

    assert.equal(handed.length, 1);
    assert.deepEqual(handed[0]?.expired, {
      records: [{ tokens: old, sub: 'alice', sid: 'op-1' }],
      unreadable: 0,
    });
    assert.equal(handed[0]?.tokens, store.tokenStore);
  });

  it('when a record cannot be read (a retired key) then it is deleted and counted, with nothing to revoke', async (t) => {
    const handed: ExpiredTokens[] = [];
    const onExpiredTokens = async (expired: ExpiredTokens) => {
      handed.push(expired);
    };
    const path = await tempDbPath(t);
    const before = await build(t, { path, codec: createEncryptingCodec([Buffer.alloc(32, 1)]) });
    await before.store.tokenStore.put(
      's1',
      { tokens: tokens('a1', before.now()), sub: 'a', signedInAt: 0 },
      1,
    );
    before.store.close();
    const { store, raw, advance } = await build(t, {
      path,
      codec: createEncryptingCodec([Buffer.alloc(32, 2)]),
      onExpiredTokens,
    });
    advance(1);

    await store.sweep();

    assert.deepEqual(handed, [{ records: [], unreadable: 1 }]);
    assert.equal(countRows(raw, 'tokens'), 0);
  });

  it('takes at most maxExpiredTokensPerSweep token records a sweep, the oldest first', async (t) => {
    const handed: string[][] = [];
    const { store, raw, now, advance } = await build(t, {
      maxExpiredTokensPerSweep: 2,
      onExpiredTokens: async ({ records }) => {
        handed.push(records.map((record) => record.sub));
      },
    });
    for (const [index, sub] of ['c', 'a', 'b'].entries()) {
      await store.tokenStore.put(
        sub,
        { tokens: tokens(sub, now()), sub, signedInAt: 0 },
        MINUTE + index,
      );
    }
    advance(HOUR);

    await store.sweep();
    const leftAfterOne = countRows(raw, 'tokens');
    await store.sweep();

    assert.deepEqual(handed, [['c', 'a'], ['b']]);
    assert.equal(leftAfterOne, 1);
    assert.equal(countRows(raw, 'tokens'), 0);
  });

  it('runs one pass at a time: a sweep during a slow hand-over waits for it', async (t) => {
    const order: string[] = [];
    let finishFirst = () => {};
    const { store, now, advance } = await build(t, {
      onExpiredTokens: async ({ records }) => {
        order.push(`start ${records.length}`);
        if (order.length === 1) await new Promise<void>((resolve) => (finishFirst = resolve));
        order.push('end');
      },
    });
    await store.tokenStore.put(
      's1',
      { tokens: tokens('a1', now()), sub: 'alice', signedInAt: 0 },
      MINUTE,
    );
    advance(MINUTE);
    const first = store.sweep();
    await store.tokenStore.put(
      's2',
      { tokens: tokens('a2', now()), sub: 'alice', signedInAt: 0 },
      1,
    );
    advance(1);

    const second = store.sweep();
    await new Promise((resolve) => setImmediate(resolve));
    finishFirst();
    await Promise.all([first, second]);

    assert.deepEqual(order, ['start 1', 'end', 'start 1', 'end']);
  });

  it('sweeps on its interval', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { store, raw, now, advance } = await build(t, { sweepIntervalMs: MINUTE });
    await store.tokenStore.put('s1', recordOf('a1', { sub: 'alice' }, now()), MINUTE);
    advance(MINUTE);

    t.mock.timers.tick(MINUTE);
    await new Promise((resolve) => setImmediate(resolve));

    assert.equal(countRows(raw, 'tokens'), 0);
  });

  it('reports a failed pass to onError instead of throwing from the timer', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const db = openSqlite(await tempDbPath(t));
    const errors: unknown[] = [];
    const sweeper = startSweeper(db, { intervalMs: MINUTE, onError: (e) => errors.push(e) });
    t.after(() => sweeper.stop());
    db.close();

    t.mock.timers.tick(MINUTE);
    await new Promise((resolve) => setImmediate(resolve));

    assert.equal(errors.length, 1);
  });

  it('reports a handler that rejects to onError, and the next pass still runs', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const errors: unknown[] = [];
    const { store, raw, now, advance } = await build(t, {
      sweepIntervalMs: MINUTE,
      onSweepError: (error) => errors.push(error),
      onExpiredTokens: async () => {
        throw new Error('revoker broke');
      },
    });
    await store.tokenStore.put(
      's1',
      { tokens: tokens('a1', now()), sub: 'alice', signedInAt: 0 },
      MINUTE,
    );
    await store.tokenStore.put(
      's2',
      { tokens: tokens('a2', now()), sub: 'alice', signedInAt: 0 },
      HOUR,
    );
    advance(MINUTE);
    t.mock.timers.tick(MINUTE);
    await new Promise((resolve) => setImmediate(resolve));
    advance(HOUR);

    t.mock.timers.tick(MINUTE);
    await new Promise((resolve) => setImmediate(resolve));

    assert.equal(errors.length, 2);
    assert.equal(countRows(raw, 'tokens'), 0);
  });
});

describe('SqliteTokenStore failures', () => {
  it('rejects with a StoreError (a 503 page) when the database is closed', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.close();

    await assert.rejects(store.tokenStore.get('any'), { name: 'StoreError', status: 503 });
  });
});

describe('remembering a key once (the jti of a used logout token)', () => {
  it('answers true the first time, false while the key is remembered, and true again once it expired', async (t) => {
    const { store, advance } = await build(t);

    const first = await store.rememberOnce('jti-1', MINUTE);
    const again = await store.rememberOnce('jti-1', HOUR);
    const another = await store.rememberOnce('jti-2', MINUTE);
    advance(MINUTE - 1);
    const justBeforeExpiry = await store.rememberOnce('jti-1', MINUTE);
    advance(1);
    const afterExpiry = await store.rememberOnce('jti-1', MINUTE);
    const rightAfterTakeOver = await store.rememberOnce('jti-1', MINUTE);

    assert.deepEqual(
      { first, again, another, justBeforeExpiry, afterExpiry, rightAfterTakeOver },
      {
        first: true,
        again: false,
        another: true,
        justBeforeExpiry: false,
        afterExpiry: true,
        rightAfterTakeOver: false,
      },
    );
  });

  it('remembers a key for another process sharing the file, and after a reopen', async (t) => {
    const first = await build(t);
    const second = await build(t, { path: first.path });
    await first.store.rememberOnce('jti-1', HOUR);

    const inOtherProcess = await second.store.rememberOnce('jti-1', HOUR);
    first.store.close();
    const reopened = await build(t, { path: first.path });
    const afterReopen = await reopened.store.rememberOnce('jti-1', HOUR);

    assert.equal(inOtherProcess, false);
    assert.equal(afterReopen, false);
  });

  it('sweeps expired keys with the other expired rows', async (t) => {
    const { store, raw, advance } = await build(t);
    await store.rememberOnce('old', MINUTE);
    await store.rememberOnce('new', HOUR);
    advance(MINUTE);

    await store.sweep();

    assert.equal(countRows(raw, 'locks'), 1);
  });

  it('rejects with a StoreError (503) when the database is closed', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.close();

    await assert.rejects(store.rememberOnce('jti-1', MINUTE), { name: 'StoreError', status: 503 });
  });
});

describe('a database from an older version', () => {
  // The tokens table as it was before token records kept their sign-in time.
  const olderSchema = `
    CREATE TABLE sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
    CREATE TABLE tokens (
      session_id TEXT PRIMARY KEY, sub TEXT NOT NULL, sid TEXT,
      version INTEGER NOT NULL, data TEXT NOT NULL, expires_at INTEGER NOT NULL
    );
    CREATE TABLE locks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);`;

  it('keeps its token records, counted as signed in before any logout token, and stores sign-in times', async (t) => {
    const path = await tempDbPath(t);
    await mkdir(dirname(path), { recursive: true });
    const older = new DatabaseSync(path);
    older.exec(olderSchema);
    const signedInEarlier = tokens('from-before', Date.UTC(2025, 0, 1));
    older
      .prepare('INSERT INTO tokens VALUES (?, ?, ?, 1, ?, ?)')
      .run('old', 'alice', null, JSON.stringify(signedInEarlier), Date.UTC(2025, 0, 2));
    older.close();

    const { store, now } = await build(t, { path });
    const legacy = await store.tokenStore.get('old');
    await store.tokenStore.put('new', recordOf('a1', { sub: 'alice' }, now()), HOUR);
    const fresh = await store.tokenStore.get('new');
    const endedByAnEarlierLogout = await store.tokenStore.findSessions({
      sub: 'alice',
      signedInBy: now() - 1,
    });

    assert.equal(legacy?.tokens.accessToken, 'from-before');
    assert.equal(legacy?.signedInAt, 0);
    assert.equal(fresh?.signedInAt, now());
    assert.deepEqual(endedByAnEarlierLogout, ['old']);
  });

  it('is upgraded once: a second process opening it finds the column there', async (t) => {
    const path = await tempDbPath(t);
    await mkdir(dirname(path), { recursive: true });
    const older = new DatabaseSync(path);
    older.exec(olderSchema);
    older.close();

    const first = await build(t, { path });
    const second = await build(t, { path });

    assert.equal(first.store.ping() && second.store.ping(), true);
  });
});

describe('openSqlite', () => {
  it('opens the file in WAL mode with every commit synced (decision 011)', async (t) => {
    const db = openSqlite(await tempDbPath(t));
    t.after(() => db.close());

    const journal = db.prepare('PRAGMA journal_mode').get();
    const synchronous = db.prepare('PRAGMA synchronous').get();

    assert.equal(journal?.journal_mode, 'wal');
    assert.equal(synchronous?.synchronous, 2, 'FULL');
  });
});
