// Which SQLite writes wait for the disk (docs/decisions/015-sqlite-writes-that-may-be-lost.md):
// temporary triggers on the store's own connection log the `synchronous` level each write ran at
// (2 = FULL, synced at commit; 1 = NORMAL, synced with the next synced commit or checkpoint).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import type { SessionData } from 'express-session';
import { StoreError } from '../../src/errors.ts';
import { rememberOnceOn } from '../../src/session/refresh-lock.ts';
import { openSqlite, unsynced } from '../../src/stores/sqlite/open-sqlite.ts';
import { sqliteLockRecords } from '../../src/stores/sqlite/sqlite-lock-records.ts';
import { SqliteSessionStore } from '../../src/stores/sqlite/sqlite-session-store.ts';
import { createSqliteTokenStore } from '../../src/stores/sqlite/sqlite-token-store.ts';
import { tempDir } from '../support/temp-dir.ts';

const FULL = 2;
const NORMAL = 1;

async function openDatabase(t: TestContext): Promise<DatabaseSync> {
  const db = openSqlite(join(await tempDir(t, 'sqlite-durability-'), 'sessions.db'));
  t.after(() => {
    if (db.isOpen) db.close();
  });
  return db;
}

/** Logs `<table> <operation>` with the level each row change of the store's tables ran at. */
function logSyncLevels(db: DatabaseSync): () => string[] {
  db.exec('CREATE TEMP TABLE sync_log (id INTEGER PRIMARY KEY, entry TEXT NOT NULL)');
  for (const table of ['sessions', 'tokens', 'locks']) {
    for (const operation of ['INSERT', 'UPDATE', 'DELETE']) {
      db.exec(`CREATE TEMP TRIGGER log_${table}_${operation} AFTER ${operation} ON main.${table}
        BEGIN INSERT INTO sync_log (entry)
          SELECT '${table} ${operation.toLowerCase()} ' || synchronous FROM pragma_synchronous;
        END`);
    }
  }
  return () => {
    const rows = db.prepare('SELECT entry FROM sync_log ORDER BY id').all();
    db.exec('DELETE FROM sync_log');
    return rows.map((row) => String(row.entry));
  };
}

const syncLevel = (db: DatabaseSync) => db.prepare('PRAGMA synchronous').get()?.synchronous;

const session = {
  cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) },
} as unknown as SessionData;
const tokens = { accessToken: 'at', tokenType: 'bearer', refreshToken: 'rt' };

describe('SQLite writes and the disk', () => {
  it('writes and deletes session rows, and adds a token record, without waiting for the disk', async (t) => {
    const db = await openDatabase(t);
    const takeLog = logSyncLevels(db);
    const sessions = new SqliteSessionStore(db);

    await promisify(sessions.set.bind(sessions))('s1', session);
    await promisify(sessions.set.bind(sessions))('s1', session);
    await createSqliteTokenStore(db).put('s1', { tokens, sub: 'alice', signedInAt: 1 }, 60_000);
    await promisify(sessions.destroy.bind(sessions))('s1');

    assert.deepEqual(takeLog(), [
      `sessions insert ${NORMAL}`,
      `sessions update ${NORMAL}`,
      `tokens insert ${NORMAL}`,
      `sessions delete ${NORMAL}`,
    ]);
    assert.equal(syncLevel(db), FULL, 'the connection is back to synced commits');
  });

  it('syncs what must not come back: a token record rotated or deleted, what was used once', async (t) => {
    const db = await openDatabase(t);
    const tokenStore = createSqliteTokenStore(db);
    const stored = await tokenStore.put('s1', { tokens, sub: 'alice', signedInAt: 1 }, 60_000);
    const takeLog = logSyncLevels(db);

    await tokenStore.replace('s1', stored.version, { ...tokens, refreshToken: 'rotated' });
    await rememberOnceOn(sqliteLockRecords(db))('jti-1', 60_000);
    await tokenStore.delete('s1');

    assert.deepEqual(takeLog(), [
      `tokens update ${FULL}`,
      `locks insert ${FULL}`,
      `tokens delete ${FULL}`,
    ]);
  });

  it('answers a StoreError when the database fails at an unsynced write, as at any other', async (t) => {
    const db = await openDatabase(t);
    const tokenStore = createSqliteTokenStore(db);
    const sessions = new SqliteSessionStore(db);
    db.close();

    await assert.rejects(tokenStore.get('s1'), StoreError);
    await assert.rejects(
      tokenStore.put('s1', { tokens, sub: 'alice', signedInAt: 1 }, 60_000),
      StoreError,
    );
    await assert.rejects(promisify(sessions.set.bind(sessions))('s1', session), StoreError);
  });

  it('keeps syncing every write of a database not in WAL mode (NORMAL is safe only there)', async () => {
    const db = openSqlite(':memory:');
    const takeLog = logSyncLevels(db);
    const sessions = new SqliteSessionStore(db);

    await promisify(sessions.set.bind(sessions))('s1', session);

    assert.deepEqual(takeLog(), [`sessions insert ${FULL}`]);
    db.close();
  });

  it('goes back to synced commits after a write that failed, and reports it as a StoreError', async (t) => {
    const db = await openDatabase(t);
    const failing = db.prepare('INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)');

    assert.throws(() => unsynced(db, () => failing.run('s1', null, 0)), StoreError);
    assert.equal(syncLevel(db), FULL);
  });
});
