// The app's SQLite file looked at (or changed) on a connection of its own, as someone with access
// to the file could: a session's row or a token record's row by id, or any query.
import { DatabaseSync } from 'node:sqlite';

/** A row of the sessions table: express-session's data, as stored, and when it expires. */
export interface SessionRow {
  sid: string;
  data: string;
  expires_at: number;
}

/** A row of the tokens table: a session's token record, its tokens encoded in `data`. */
export interface TokenRow {
  session_id: string;
  data: string;
  expires_at: number;
}

/** Runs `work` on a new connection to the file (read-only unless `write`), closed afterwards. */
export function withDatabase<T>(
  dbPath: string,
  work: (db: DatabaseSync) => T,
  access: 'read' | 'write' = 'read',
): T {
  const db = new DatabaseSync(dbPath, { readOnly: access === 'read' });
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** The row of session `sid`, or undefined when there is none. */
export function readSessionRow(dbPath: string, sid: string): SessionRow | undefined {
  const row = withDatabase(dbPath, (db) =>
    db.prepare('SELECT sid, data, expires_at FROM sessions WHERE sid = ?').get(sid),
  );
  return (
    row && { sid: String(row.sid), data: String(row.data), expires_at: Number(row.expires_at) }
  );
}

/** Writes `row` over the row of its session (or adds it), as a late save of the store would. */
export function writeSessionRow(dbPath: string, row: SessionRow): void {
  withDatabase(
    dbPath,
    (db) =>
      db
        .prepare('INSERT OR REPLACE INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)')
        .run(row.sid, row.data, row.expires_at),
    'write',
  );
}

/** The token record row of session `sessionId`, or undefined when there is none. */
export function readTokenRow(dbPath: string, sessionId: string): TokenRow | undefined {
  const row = withDatabase(dbPath, (db) =>
    db
      .prepare('SELECT session_id, data, expires_at FROM tokens WHERE session_id = ?')
      .get(sessionId),
  );
  return (
    row && {
      session_id: String(row.session_id),
      data: String(row.data),
      expires_at: Number(row.expires_at),
    }
  );
}
