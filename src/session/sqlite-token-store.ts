// The TokenStore on SQLite: one row per session, its tokens encoded by a TokenCodec, and a version
// that makes a refresh a compare-and-set.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import { sqlite } from './open-sqlite.ts';
import { plainTokenCodec, type TokenCodec } from './token-codec.ts';
import {
  parseSessionQuery,
  type SessionQuery,
  type StoredTokens,
  type TokenRecord,
  type TokenStore,
} from './token-store.ts';

export interface SqliteTokenStoreOptions {
  /** How tokens are written to the `data` column. Default: plain JSON. */
  codec?: TokenCodec;
  now?: () => number;
}

type Row = Record<string, SQLOutputValue>;

/** Token records in a database opened with `openSqlite`. Expired rows are never read. */
export class SqliteTokenStore implements TokenStore {
  readonly #codec: TokenCodec;
  readonly #now: () => number;
  readonly #select: StatementSync;
  readonly #insert: StatementSync;
  readonly #compareAndSet: StatementSync;
  readonly #delete: StatementSync;
  readonly #find: StatementSync;

  constructor(db: DatabaseSync, options: SqliteTokenStoreOptions = {}) {
    this.#codec = options.codec ?? plainTokenCodec;
    this.#now = options.now ?? Date.now;
    this.#select = db.prepare(
      'SELECT sub, sid, version, data FROM tokens WHERE session_id = ? AND expires_at > ?',
    );
    this.#insert = db.prepare(
      `INSERT OR REPLACE INTO tokens (session_id, sub, sid, version, data, expires_at)
       VALUES (?, ?, ?, 1, ?, ?)`,
    );
    // One statement checks the version and writes, so two instances sharing the file cannot both
    // win; RETURNING reads back the row this statement wrote, not a later writer's.
    this.#compareAndSet = db.prepare(
      `UPDATE tokens SET data = ?, version = version + 1
       WHERE session_id = ? AND version = ? AND expires_at > ?
       RETURNING sub, sid, version`,
    );
    this.#delete = db.prepare('DELETE FROM tokens WHERE session_id = ?');
    // A NULL parameter leaves its column out of the search.
    this.#find = db.prepare(
      `SELECT session_id FROM tokens
       WHERE expires_at > ?1 AND (?2 IS NULL OR sub = ?2) AND (?3 IS NULL OR sid = ?3)`,
    );
  }

  /** The live record of a session, or undefined when it is missing, expired or undecodable. */
  async get(sessionId: string): Promise<TokenRecord | undefined> {
    const row = sqlite(() => this.#select.get(sessionId, this.#now()));
    const tokens = typeof row?.data === 'string' ? this.#codec.decode(row.data) : undefined;
    return row && tokens && toRecord(row, tokens);
  }

  /** Writes version 1 of a session's record, replacing any it had; it expires after `ttlMs`. */
  async put(
    sessionId: string,
    record: Omit<TokenRecord, 'version'>,
    ttlMs: number,
  ): Promise<TokenRecord> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
    }
    const { tokens, sub, sid } = record;
    const expiresAt = this.#now() + ttlMs;
    const data = this.#codec.encode(tokens);
    sqlite(() => this.#insert.run(sessionId, sub, sid ?? null, data, expiresAt));
    return sid === undefined ? { tokens, version: 1, sub } : { tokens, version: 1, sub, sid };
  }

  /**
   * Writes `tokens` only if the record is still at `expectedVersion`, keeping its expiry.
   * Undefined means another writer got there first, or the record is gone.
   */
  async replace(
    sessionId: string,
    expectedVersion: number,
    tokens: StoredTokens,
  ): Promise<TokenRecord | undefined> {
    const data = this.#codec.encode(tokens);
    const row = sqlite(() =>
      this.#compareAndSet.get(data, sessionId, expectedVersion, this.#now()),
    );
    return row && toRecord(row, tokens);
  }

  async delete(sessionId: string): Promise<void> {
    sqlite(() => this.#delete.run(sessionId));
  }

  /** Live sessions of a subject and/or provider session id; when both are given, both match. */
  async findSessions(query: SessionQuery): Promise<string[]> {
    const { sub, sid } = parseSessionQuery(query);
    const rows = sqlite(() => this.#find.all(this.#now(), sub ?? null, sid ?? null));
    return rows.flatMap((row) => (typeof row.session_id === 'string' ? [row.session_id] : []));
  }
}

function toRecord(row: Row, tokens: StoredTokens): TokenRecord | undefined {
  const { sub, sid, version } = row;
  if (typeof sub !== 'string' || typeof version !== 'number') return undefined;
  return typeof sid === 'string' ? { tokens, version, sub, sid } : { tokens, version, sub };
}
