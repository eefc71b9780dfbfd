// The embedded default store: sessions and token records in one SQLite file, swept periodically.

import { type LockRecords, rememberOnceOn } from '../../session/refresh-lock.ts';
import type { ExpiredTokensHandler, SessionBackend } from '../../session/session-backend.ts';
import type { TokenCodec } from '../../session/token-codec.ts';
import type { TokenStore } from '../../session/token-store.ts';
import { openSqlite, startSweeper } from './open-sqlite.ts';
import { sqliteLockRecords } from './sqlite-lock-records.ts';
import { SqliteSessionStore } from './sqlite-session-store.ts';
import { createSqliteTokenStore } from './sqlite-token-store.ts';

export interface SqliteStoreOptions {
  /** The database file (its folder is created), or `':memory:'`. */
  path: string;
  /** How tokens are written at rest. Default: plain JSON. */
  codec?: TokenCodec;
  /** Lifetime of a session whose cookie has no expiry. Default 1 day. */
  defaultSessionTtlMs?: number;
  /** How often expired rows are deleted. Default 1 minute. */
  sweepIntervalMs?: number;
  onSweepError?: (error: unknown) => void;
  /** Receives the token records each sweep deletes at expiry, to revoke their refresh tokens. */
  onExpiredTokens?: ExpiredTokensHandler;
  /** Expired token records taken a sweep (the rest wait for the next). Default 1,000. */
  maxExpiredTokensPerSweep?: number;
  now?: () => number;
}

/** Both stores on one database, and what stops them. */
export interface SqliteStore {
  sessionStore: SqliteSessionStore;
  tokenStore: TokenStore;
  /** Refresh-lock records shared by every process that opens this file. */
  lockRecords: LockRecords;
  /** Used logout-token ids, shared by every process that opens this file. */
  rememberOnce: SessionBackend['rememberOnce'];
  /**
   * Deletes expired rows now and waits for `onExpiredTokens`; answers how many rows went. The
   * sweeper also does this on its interval.
   */
  sweep(): Promise<number>;
  /** Runs a trivial query: true when the database answers. */
  ping(): boolean;
  /** Stops the sweeper and closes the database. Safe to call twice. */
  close(): void;
}

/** Opens the SQLite file and starts sweeping it. Call `close` on shutdown. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const { now, codec, onExpiredTokens } = options;
  const db = openSqlite(options.path);
  const sessionStore = new SqliteSessionStore(db, {
    now,
    defaultTtlMs: options.defaultSessionTtlMs,
  });
  const tokenStore = createSqliteTokenStore(db, { now, codec });
  const selectOne = db.prepare('SELECT 1 AS ok');
  const sweeper = startSweeper(db, {
    intervalMs: options.sweepIntervalMs ?? 60_000,
    now,
    onError: options.onSweepError,
    codec,
    maxExpiredTokens: options.maxExpiredTokensPerSweep,
    ...(onExpiredTokens && {
      onExpiredTokens: (expired) => onExpiredTokens(expired, tokenStore),
    }),
  });
  const lockRecords = sqliteLockRecords(db, now);
  return {
    sessionStore,
    tokenStore,
    lockRecords,
    rememberOnce: rememberOnceOn(lockRecords),
    sweep: sweeper.sweep,
    ping() {
      try {
        return db.isOpen && selectOne.get()?.ok === 1;
      } catch {
        return false;
      }
    },
    close() {
      sweeper.stop();
      if (db.isOpen) db.close();
    },
  };
}
