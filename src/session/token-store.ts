// The tokens of a signed-in session live in their own record, keyed by session id, apart from the
// express-session data: see docs/decisions/004-tokens-in-their-own-record.md.

/** What the app keeps of a token response. Never sent to the browser. */
export interface StoredTokens {
  accessToken: string;
  tokenType: string;
  /** Absolute expiry of the access token, epoch milliseconds; absent when the provider gave none. */
  expiresAt?: number;
  /** When the access token was received, epoch milliseconds (with expiresAt: its lifetime). */
  issuedAt?: number;
  refreshToken?: string;
  idToken?: string;
  scope?: string;
}

/** A token record as stored: the tokens plus what finds them again (back-channel logout). */
export interface TokenRecord {
  tokens: StoredTokens;
  /** Grows by one on every write; a replace names the version it read (compare-and-set). */
  version: number;
  /** The user's subject at the provider. */
  sub: string;
  /** The provider's session id (`sid` claim of the ID token), when it sends one. */
  sid?: string;
}

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
  /** Session ids whose record has this subject and, when given, this provider session id. */
  findSessions(query: { sub?: string; sid?: string }): Promise<string[]>;
}
