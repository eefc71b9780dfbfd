// Used one-time keys (the jti of each accepted logout token) in SQLite, so a replay is refused
// after a restart and by every process sharing the file: an expired row may be taken over.
import type { DatabaseSync } from 'node:sqlite';
import type { SessionBackend } from '../../session/session-backend.ts';
import { sqlite } from './open-sqlite.ts';

/** `rememberOnce` on the `used_keys` table: one statement inserts, or takes over an expired row. */
export function sqliteRememberOnce(
  db: DatabaseSync,
  now: () => number = Date.now,
): SessionBackend['rememberOnce'] {
  const remember = db.prepare(`
    INSERT INTO used_keys (key, expires_at) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
    WHERE used_keys.expires_at <= ?`);
  return async (key, ttlMs) => {
    const at = now();
    return sqlite(() => remember.run(key, at + ttlMs, at)).changes === 1;
  };
}
