// The stores a running app uses, whichever backend holds them (see src/stores): browser sessions
// for express-session, token records, the refresh lock, and the keys of used one-time tokens.
import type { Store as LimitCounters } from 'express-rate-limit';
import type session from 'express-session';
import type { RefreshLock } from './refresh-lock.ts';
import type { TokenCodec } from './token-codec.ts';
import type { TokenRecord, TokenStore } from './token-store.ts';

export interface SessionBackend {
  sessions: session.Store;
  tokens: TokenStore;
  /** Serialises token refreshes per session: in this process, and across processes sharing the store. */
  lock: RefreshLock;
  /**
   * Remembers `key` (the `jti` of a used logout token) for `ttlMs`, for every process sharing the
   * store: true the first time, false while it is remembered. Rejects with a StoreError (503).
   */
  rememberOnce(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Removes expired records now and waits until their refresh tokens are handled (the backend
   * also sweeps every minute, one pass at a time).
   */
  sweep(): Promise<void>;
  /**
   * The counters of one sign-in limit (`name` keeps limits apart), shared by every instance on
   * this backend (Redis); undefined: each process counts in its own memory (SQLite).
   */
  limitCounters(name: string): LimitCounters | undefined;
  /** Whether the store answers (for /readyz). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** A token record a sweep removed at expiry: its refresh token may still be good at the provider. */
export type ExpiredTokenRecord = Pick<TokenRecord, 'tokens' | 'sub' | 'sid'>;

/** What one sweep removed: the records it could read, and how many it could not (nothing to revoke). */
export interface ExpiredTokens {
  records: ExpiredTokenRecord[];
  unreadable: number;
}

/**
 * Receives each sweep's expired token records, with the store they left (to look for live
 * records of the same provider session). The store waits for it before its next sweep.
 */
export type ExpiredTokensHandler = (expired: ExpiredTokens, tokens: TokenStore) => Promise<void>;

/** A token row a sweep took, as the store read it (a field it could not read leaves it out). */
export interface ExpiredRow {
  sessionId: string;
  data: string;
  sub: string;
  sid?: string | undefined;
}

/** Decodes what a sweep took; a row the codec cannot read (no key opens it) has nothing to revoke. */
export function decodeExpired(
  rows: Array<ExpiredRow | undefined>,
  codec: TokenCodec,
): ExpiredTokens {
  const records: ExpiredTokenRecord[] = [];
  for (const row of rows) {
    if (!row) continue;
    const { sessionId, data, sub, sid } = row;
    const tokens = codec.decode(data, { sessionId, sub, ...(sid && { sid }) })?.tokens;
    if (tokens) records.push(sid ? { tokens, sub, sid } : { tokens, sub });
  }
  return { records, unreadable: rows.length - records.length };
}
