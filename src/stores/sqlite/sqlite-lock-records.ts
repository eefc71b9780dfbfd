// Lock records in SQLite, so app processes sharing one database file on a host also refresh a
// session's tokens one at a time: an expired record may be taken over, a live one may not.
import type { DatabaseSync } from 'node:sqlite';
import type { LockRecords } from '../../session/refresh-lock.ts';
import { sqlite } from './open-sqlite.ts';

/** The refresh lock's records as rows of the `locks` table. */
export function sqliteLockRecords(db: DatabaseSync, now: () => number = Date.now): LockRecords {
  const acquire = db.prepare(`
    INSERT INTO locks (key, owner, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
    WHERE locks.expires_at <= ?`);
  const release = db.prepare('DELETE FROM locks WHERE key = ? AND owner = ?');
  return {
    async tryAcquire(key, owner, ttlMs) {
      const at = now();
      return sqlite(() => acquire.run(key, owner, at + ttlMs, at)).changes === 1;
    },
    async release(key, owner) {
      sqlite(() => release.run(key, owner));
    },
  };
}
