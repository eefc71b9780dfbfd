// The stores a running app uses, whichever backend holds them (see src/stores): browser sessions
// for express-session, token records, and the refresh lock.
import type session from 'express-session';
import type { RefreshLock } from './refresh-lock.ts';
import type { TokenStore } from './token-store.ts';

export interface SessionBackend {
  sessions: session.Store;
  tokens: TokenStore;
  /** Serialises token refreshes per session: in this process, and across processes sharing the store. */
  lock: RefreshLock;
  /** Whether the store answers (for /readyz). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}
