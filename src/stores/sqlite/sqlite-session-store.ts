// express-session's store on SQLite: one row per browser session, its data as JSON, with the
// expiry of its cookie.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import session, { type SessionData } from 'express-session';
import { parseSessionData } from '../../session/session-data.ts';
import { sqlite, unsynced } from './open-sqlite.ts';

export interface SqliteSessionStoreOptions {
  /** Lifetime of a session whose cookie has no expiry (a browser-session cookie). Default 1 day. */
  defaultTtlMs?: number;
  now?: () => number;
}

type Callback<T> = (err: unknown, value?: T) => void;

/** An express-session store on a database opened with `openSqlite`. Expired rows are never read. */
export class SqliteSessionStore extends session.Store {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #defaultTtlMs: number;
  readonly #select: StatementSync;
  readonly #selectAll: StatementSync;
  readonly #count: StatementSync;
  readonly #upsert: StatementSync;
  readonly #delete: StatementSync;
  readonly #deleteAll: StatementSync;

  constructor(db: DatabaseSync, options: SqliteSessionStoreOptions = {}) {
    super();
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#defaultTtlMs = options.defaultTtlMs ?? 24 * 60 * 60 * 1000;
    this.#select = db.prepare('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?');
    this.#selectAll = db.prepare('SELECT sid, data FROM sessions WHERE expires_at > ?');
    this.#count = db.prepare('SELECT count(*) AS count FROM sessions WHERE expires_at > ?');
    this.#upsert = db.prepare(
      `INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
    );
    this.#delete = db.prepare('DELETE FROM sessions WHERE sid = ?');
    this.#deleteAll = db.prepare('DELETE FROM sessions');
  }

  /** Answers the session, or null when it is missing, expired or unreadable. */
  get(sid: string, callback: Callback<SessionData | null>): void {
    answer(callback, () => parseSessionData(this.#select.get(sid, this.#now())?.data));
  }

  /**
   * Writes the session without waiting for the disk (`unsynced`, decision 015): a write lost at a
   * power loss signs its browser out, or brings back what the row held before. A row that comes
   * back signed in is signed out at its next request, because what makes a session signed in is
   * its token record (loadTokenRecord), and ending a sign-in deletes that with a synced commit.
   */
  set(sid: string, sess: SessionData, callback?: Callback<void>): void {
    answer(callback, () => {
      unsynced(this.#db, () => this.#upsert.run(sid, JSON.stringify(sess), this.#expiresAt(sess)));
    });
  }

  // No `touch`: an active session's expiry moves when it is saved, once in a while
  // (extendActiveSession in src/session/session-middleware.ts), not after every request.

  /** Deletes the row without waiting for the disk, as `set` writes it, for the same reason. */
  destroy(sid: string, callback?: Callback<void>): void {
    answer(callback, () => {
      unsynced(this.#db, () => this.#delete.run(sid));
    });
  }

  clear(callback?: Callback<void>): void {
    answer(callback, () => {
      this.#deleteAll.run();
    });
  }

  length(callback: Callback<number>): void {
    answer(callback, () => Number(this.#count.get(this.#now())?.count ?? 0));
  }

  /** Answers the live, readable sessions keyed by session id. */
  all(callback: Callback<Record<string, SessionData>>): void {
    answer(callback, () => {
      const entries: [string, SessionData][] = [];
      for (const row of this.#selectAll.all(this.#now())) {
        const sess = parseSessionData(row.data);
        if (typeof row.sid === 'string' && sess) entries.push([row.sid, sess]);
      }
      return Object.fromEntries(entries);
    });
  }

  /** The cookie's expiry; a browser-session cookie (no expiry) gets the default lifetime. */
  #expiresAt(sess: SessionData): number {
    const { expires } = sess.cookie;
    if (expires) {
      const at = new Date(expires).getTime();
      if (Number.isFinite(at)) return at;
    }
    return this.#now() + this.#defaultTtlMs;
  }
}

/**
 * Runs `work` and hands its result or error (a database failure as a StoreError) to the callback
 * on a later tick, as express-session's own MemoryStore does: a callback that throws then cannot
 * be called a second time by our catch.
 */
function answer<T>(callback: Callback<T> | undefined, work: () => T): void {
  let result: T;
  try {
    result = sqlite(work);
  } catch (error) {
    if (callback) process.nextTick(() => callback(error));
    return;
  }
  if (callback) process.nextTick(() => callback(null, result));
}
