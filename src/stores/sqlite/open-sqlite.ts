// The SQLite database behind the embedded store: opening it with its schema, and sweeping out
// expired rows (handing expired token records over, for their refresh tokens to be revoked).
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLOutputValue } from 'node:sqlite';
import { messageOf, StoreError } from '../../errors.ts';
import { type SerialSweeps, startSerialSweeps } from '../../session/serial-sweeps.ts';
import {
  decodeExpired,
  type ExpiredRow,
  type ExpiredTokens,
} from '../../session/session-backend.ts';
import { plainTokenCodec, type TokenCodec } from '../../session/token-codec.ts';

/** How long a statement waits for another connection's write lock before failing. */
const busyTimeoutMs = 5_000;

const schema = `
  CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);

  CREATE TABLE IF NOT EXISTS tokens (
    session_id TEXT PRIMARY KEY,
    sub TEXT NOT NULL,
    sid TEXT,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    signed_in_at INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS tokens_expires_at ON tokens (expires_at);
  CREATE INDEX IF NOT EXISTS tokens_sub ON tokens (sub);
  CREATE INDEX IF NOT EXISTS tokens_sid ON tokens (sid);

  CREATE TABLE IF NOT EXISTS locks (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
`;

/**
 * Brings a database from an older version up to `schema`: token records gained their sign-in
 * time, 0 (before any logout token) for the records already there. In a write transaction, so
 * two processes opening the same older file do not both add the column.
 */
function upgrade(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').all('tokens');
    if (!columns.some((column) => column.name === 'signed_in_at')) {
      db.exec('ALTER TABLE tokens ADD COLUMN signed_in_at INTEGER NOT NULL DEFAULT 0');
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** The databases `openSqlite` put in WAL mode: the only ones `unsynced` commits without a sync. */
const walDatabases = new WeakSet<DatabaseSync>();

/**
 * Opens (or creates) the store's database at `path`, or an in-memory one for `':memory:'`,
 * and creates its tables if they are missing.
 */
export function openSqlite(path: string): DatabaseSync {
  if (path !== ':memory:') {
    // The file holds tokens: a folder we create is readable by this user only.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }
  const db = new DatabaseSync(path);
  try {
    // WAL lets readers run while one connection writes, so several app processes on this host
    // can share the file (not over a network file system: https://sqlite.org/wal.html); the
    // `locks` table serialises their refreshes.
    const { journal_mode: journalMode } = db.prepare('PRAGMA journal_mode = WAL').get() ?? {};
    // Only in WAL mode may a commit skip its disk sync without risking the file (`unsynced`).
    if (journalMode === 'wal') walDatabases.add(db);
    // Every commit synced unless it goes through `unsynced` (below): NORMAL could lose the last
    // ones (a sign-out, a rotated refresh token) at a power loss. Decisions 011 and 015.
    db.exec('PRAGMA synchronous = FULL');
    // A writer waits for the lock instead of failing at once with SQLITE_BUSY. The wait blocks
    // the event loop (DatabaseSync is synchronous), so it is short and writes are single rows.
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    db.exec(schema);
    upgrade(db);
    // The file and its WAL companions hold sessions and tokens: readable by this user only.
    for (const file of path === ':memory:' ? [] : [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(file)) chmodSync(file, 0o600);
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Runs a write that may be lost at a power loss: a session row written or deleted, or a token
 * record added at sign-in. Losing one signs a user out, or brings back a session row that is
 * signed out at its next request, because its token record is gone (docs/decisions/015). It is
 * committed without waiting for the disk (`synchronous = NORMAL`, https://sqlite.org/wal.html):
 * an app crash loses nothing, and the next synced commit syncs it too, because the write-ahead log
 * is written and recovered in order. A token record deleted or rotated, and the lock records (what
 * was used once) keep waiting for the disk: they must not come back.
 */
export function unsynced<T>(db: DatabaseSync, write: () => T): T {
  // Outside WAL mode (a file system without shared memory, or an in-memory database), NORMAL
  // could corrupt the file at a power loss, not only lose the last commits: every write is synced.
  if (!walDatabases.has(db)) return sqlite(write);
  return sqlite(() => {
    db.exec('PRAGMA synchronous = NORMAL');
    try {
      return write();
    } finally {
      db.exec('PRAGMA synchronous = FULL');
    }
  });
}

/** Runs a statement; a database failure (locked, full, closed) becomes a StoreError (503 page). */
export function sqlite<T>(statement: () => T): T {
  try {
    return statement();
  } catch (error) {
    // SQLITE_BUSY, disk full, I/O errors (ERR_SQLITE_ERROR) and a closed database (ERR_INVALID_STATE).
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_SQLITE_ERROR' || code === 'ERR_INVALID_STATE') throw new StoreError(error);
    throw error;
  }
}

const defaultMaxExpiredTokens = 1000;

export interface SweeperOptions {
  intervalMs: number;
  now?: () => number;
  /** Called when a timed pass fails (the next one still runs). Default: a process warning. */
  onError?: (error: unknown) => void;
  /** Reads the tokens of the expired records handed to `onExpiredTokens`. Default: plain JSON. */
  codec?: TokenCodec;
  /** Receives each pass's expired token records (their refresh tokens are revoked there). */
  onExpiredTokens?: (expired: ExpiredTokens) => Promise<void>;
  /** Token records taken a pass: the rest wait for the next one, unread (expired rows never are). */
  maxExpiredTokens?: number;
}

/**
 * Deletes expired sessions, token records and locks every `intervalMs` (token records at most
 * `maxExpiredTokens` a pass), hands the token records to `onExpiredTokens`, and answers how many
 * rows went, one pass at a time. Reads never return expired rows anyway; sweeping keeps the file
 * from growing and lets their refresh tokens be revoked.
 */
export function startSweeper(db: DatabaseSync, options: SweeperOptions): SerialSweeps<number> {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? warnSweepFailed;
  const codec = options.codec ?? plainTokenCodec;
  const deleteSessions = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  const deleteLocks = db.prepare('DELETE FROM locks WHERE expires_at <= ?');
  // One statement takes the rows it deletes: processes sharing the file never hand over a row twice.
  const takeTokens = db.prepare(`
    DELETE FROM tokens WHERE session_id IN (
      SELECT session_id FROM tokens WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2)
    RETURNING session_id, sub, sid, data`);

  const pass = async (): Promise<number> => {
    const at = now();
    const deleted = [deleteSessions, deleteLocks].reduce(
      (sum, statement) => sum + Number(statement.run(at).changes),
      0,
    );
    const rows = takeTokens.all(at, options.maxExpiredTokens ?? defaultMaxExpiredTokens);
    if (rows.length > 0)
      await options.onExpiredTokens?.(decodeExpired(rows.map(expiredRow), codec));
    return deleted + rows.length;
  };
  return startSerialSweeps(pass, { intervalMs: options.intervalMs, onError });
}

/** A deleted token row as a sweep hands it over, or undefined when a column is not what it should be. */
function expiredRow(row: Record<string, SQLOutputValue>): ExpiredRow | undefined {
  const { session_id: sessionId, sub, sid, data } = row;
  if (typeof sessionId !== 'string' || typeof sub !== 'string' || typeof data !== 'string')
    return undefined;
  return { sessionId, data, sub, sid: typeof sid === 'string' ? sid : undefined };
}

function warnSweepFailed(error: unknown): void {
  const message = messageOf(error);
  process.emitWarning(`Sweeping expired sessions failed: ${message}`);
}
