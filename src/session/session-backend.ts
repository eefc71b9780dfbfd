// The stores a running app uses, behind one interface: sessions (express-session) and token
// records, on SQLite by default or Redis for several instances.
import type session from 'express-session';
import type { AppConfig } from '../config/load-config.ts';
import type { RefreshLock } from './refresh-lock.ts';
import { createSingleFlight } from './refresh-lock.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { TokenCodec } from './token-codec.ts';
import { plainTokenCodec } from './token-codec.ts';
import type { TokenStore } from './token-store.ts';

export interface SessionBackend {
  sessions: session.Store;
  tokens: TokenStore;
  /** Serialises token refreshes per session (within this process, or across instances). */
  lock: RefreshLock;
  /** Whether the store answers (for /readyz). */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens the configured store. */
export async function openSessionBackend(
  config: AppConfig,
  codec: TokenCodec = plainTokenCodec,
): Promise<SessionBackend> {
  const store = openSqliteStore({
    path: config.session.dbPath,
    codec,
    defaultSessionTtlMs: config.session.maxAgeMs,
  });
  return {
    sessions: store.sessionStore,
    tokens: store.tokenStore,
    lock: createSingleFlight(),
    isHealthy: async () => store.ping(),
    close: async () => store.close(),
  };
}
