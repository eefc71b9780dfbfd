// The TokenStore on SQLite: one row per session, its tokens encoded by a TokenCodec (bound to the
// row's session, sub and sid), and a version that makes a refresh a compare-and-set.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import type { StoredTokens } from '../../protocol.ts';
import { plainTokenCodec, type TokenBinding, type TokenCodec } from '../../session/token-codec.ts';
import {
  parseLogoutSubject,
  type TokenRecord,
  type TokenStore,
} from '../../session/token-store.ts';
import { sqlite, unsynced } from './open-sqlite.ts';

export interface SqliteTokenStoreOptions {
  /** How tokens are written to the `data` column. Default: plain JSON. */
  codec?: TokenCodec;
  now?: () => number;
}

type Row = Record<string, SQLOutputValue>;

/** Token records in a database opened with `openSqlite`. Expired rows are never read. */
export function createSqliteTokenStore(
  db: DatabaseSync,
  options: SqliteTokenStoreOptions = {},
): TokenStore {
  const codec = options.codec ?? plainTokenCodec;
  const now = options.now ?? Date.now;
  const select = db.prepare(
    `SELECT sub, sid, version, signed_in_at, data FROM tokens
     WHERE session_id = ? AND expires_at > ?`,
  );
  const insert = db.prepare(
    `INSERT OR REPLACE INTO tokens (session_id, sub, sid, version, data, expires_at, signed_in_at)
     VALUES (?, ?, ?, 1, ?, ?, ?)`,
  );
  // One statement checks the version (and that the record still has the owner its text is bound
  // to) and writes, so two instances sharing the file cannot both win; RETURNING reads back the
  // row this statement wrote, not a later writer's.
  const compareAndSet = db.prepare(
    `UPDATE tokens SET data = ?, version = version + 1
     WHERE session_id = ? AND version = ? AND sub = ? AND sid IS ? AND expires_at > ?
     RETURNING sub, sid, version, signed_in_at`,
  );
  // Re-encrypting (current key, bound format) writes only over the very text it read: never over
  // a newer version. The tokens are the same, so the version stays.
  const reencrypt = db.prepare('UPDATE tokens SET data = ? WHERE session_id = ? AND data = ?');
  const remove = db.prepare('DELETE FROM tokens WHERE session_id = ?');
  // A NULL parameter leaves its column out of the search.
  const find = db.prepare(
    `SELECT session_id FROM tokens
     WHERE expires_at > ?1 AND (?2 IS NULL OR sub = ?2) AND (?3 IS NULL OR sid = ?3)
       AND (?4 IS NULL OR signed_in_at <= ?4)`,
  );

  return {
    async get(sessionId) {
      const row = sqlite(() => select.get(sessionId, now()));
      const text = row?.data;
      const binding = row && toBinding(sessionId, row);
      if (!row || !binding || typeof text !== 'string') return undefined;
      const decoded = codec.decode(text, binding);
      if (!decoded) return undefined;
      if (decoded.isStale) {
        const data = codec.encode(decoded.tokens, binding);
        // A failed re-encryption must not fail the read: the next read tries again.
        try {
          reencrypt.run(data, sessionId, text);
        } catch {}
      }
      return toRecord(row, decoded.tokens);
    },
    async put(sessionId, record, ttlMs) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
      }
      const { tokens, sub, sid, signedInAt } = record;
      const data = codec.encode(tokens, { sessionId, sub, ...(sid !== undefined && { sid }) });
      // A new record, not a rotated one: lost at a power loss, it only signs the user out.
      unsynced(db, () => insert.run(sessionId, sub, sid ?? null, data, now() + ttlMs, signedInAt));
      return { tokens, version: 1, sub, ...(sid !== undefined && { sid }), signedInAt };
    },
    async replace(sessionId, expectedVersion, tokens) {
      // The text is bound to the record's owner: read it first, then write only if unchanged.
      const current = sqlite(() => select.get(sessionId, now()));
      const binding = current && toBinding(sessionId, current);
      if (!binding || current.version !== expectedVersion) return undefined;
      const data = codec.encode(tokens, binding);
      const row = sqlite(() =>
        compareAndSet.get(
          data,
          sessionId,
          expectedVersion,
          binding.sub,
          binding.sid ?? null,
          now(),
        ),
      );
      return row && toRecord(row, tokens);
    },
    async delete(sessionId) {
      sqlite(() => remove.run(sessionId));
    },
    async findSessions(query) {
      const { sub, sid } = parseLogoutSubject(query);
      const signedInBy = query.signedInBy ?? null;
      const rows = sqlite(() => find.all(now(), sub ?? null, sid ?? null, signedInBy));
      return rows.flatMap((row) => (typeof row.session_id === 'string' ? [row.session_id] : []));
    },
  };
}

function toBinding(sessionId: string, row: Row): TokenBinding | undefined {
  const { sub, sid } = row;
  if (typeof sub !== 'string') return undefined;
  return typeof sid === 'string' ? { sessionId, sub, sid } : { sessionId, sub };
}

function toRecord(row: Row, tokens: StoredTokens): TokenRecord | undefined {
  const { sub, sid, version, signed_in_at: signedInAt } = row;
  if (typeof sub !== 'string' || typeof version !== 'number' || typeof signedInAt !== 'number') {
    return undefined;
  }
  return { tokens, version, sub, ...(typeof sid === 'string' && { sid }), signedInAt };
}
