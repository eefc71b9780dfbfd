// The tokens of a signed-in session live in their own record, keyed by session id, apart from the
// express-session data: see docs/decisions/004-tokens-in-their-own-record.md.
import type { LogoutSubject, StoredTokens } from '../protocol.ts';

/** A token record as stored: the tokens plus what finds them again (back-channel logout). */
export interface TokenRecord {
  tokens: StoredTokens;
  /** Grows by one on every write; a replace names the version it read (compare-and-set). */
  version: number;
  /** The user's subject at the provider. */
  sub: string;
  /** The provider's session id (`sid` claim of the ID token), when it sends one. */
  sid?: string;
  /**
   * When the user signed in (epoch ms, the app's clock): a logout token ends only the sessions
   * that signed in before it was issued. 0 for records written before this was kept.
   */
  signedInAt: number;
}

/** A back-channel logout's search: the user or provider session, and how recent a sign-in may be. */
export type SessionQuery = LogoutSubject & {
  /** Only records that signed in at or before this time (epoch ms); all of them when absent. */
  signedInBy?: number;
};

/** Where token records are kept (SQLite or Redis). Every method may reject if the store is down. */
export interface TokenStore {
  /** The record of a session, or undefined when there is none (or it cannot be read). */
  get(sessionId: string): Promise<TokenRecord | undefined>;
  /** Writes a new record (version 1) for a session, replacing any record it had. */
  put(sessionId: string, record: Omit<TokenRecord, 'version'>, ttlMs: number): Promise<TokenRecord>;
  /**
   * Replaces the tokens only if the stored version is still `expectedVersion`.
   * Returns the new record, or undefined when another writer got there first (or it is gone).
   */
  replace(
    sessionId: string,
    expectedVersion: number,
    tokens: StoredTokens,
  ): Promise<TokenRecord | undefined>;
  delete(sessionId: string): Promise<void>;
  /** Live session ids whose record has this sub and/or sid (both must match when both are given). */
  findSessions(query: SessionQuery): Promise<string[]>;
}

/**
 * The sub and sid to search for, an empty string counting as absent (as in a logout token).
 * Throws a TypeError when neither is left: such a search would match every session.
 */
export function parseLogoutSubject(query: LogoutSubject): { sub?: string; sid?: string } {
  const { sub, sid } = query;
  if (!sub && !sid) throw new TypeError('findSessions needs a sub, a sid or both');
  return { ...(sub && { sub }), ...(sid && { sid }) };
}
