// The stores a running app uses, whichever backend holds them (see src/stores): browser sessions
// for express-session, token records, the refresh lock, and the keys of used one-time tokens.
import type session from 'express-session';
import type { RefreshLock } from './refresh-lock.ts';
import type { TokenStore } from './token-store.ts';

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
  /** Whether the store answers (for /readyz). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}
