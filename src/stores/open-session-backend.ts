// Opens the configured backend: sessions (express-session) and token records on SQLite by default,
// or on Redis for several instances, with the refresh lock and used logout-token ids on the same
// store. With TOKEN_ENCRYPTION_KEY, token records and sessions are both encrypted at rest with its keys.
import type session from 'express-session';
import type { AppConfig } from '../config/app-config.ts';
import { createEncryptingCodec, createSealer } from '../session/encrypting-codec.ts';
import { createRefreshLock, type LockRecords } from '../session/refresh-lock.ts';
import { SealedSessionStore } from '../session/sealed-session-store.ts';
import type { ExpiredTokensHandler, SessionBackend } from '../session/session-backend.ts';
import { plainTokenCodec, type TokenCodec } from '../session/token-codec.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

export interface OpenSessionBackendOptions {
  onStoreError?: (error: unknown) => void;
  now?: () => number;
  /** Receives the token records each sweep removes at expiry, to revoke their refresh tokens. */
  onExpiredTokens?: ExpiredTokensHandler;
}

// Expired records are swept every minute, at most this many token records a sweep: a burst of
// expiries (after a quiet night, a restart) is revoked over the next minutes, not all at once.
const sweepIntervalMs = 60_000;
const maxExpiredTokensPerSweep = 1000;

/** Opens the configured store; rejects with a one-line reason when it cannot be reached. */
export async function openSessionBackend(
  config: Pick<AppConfig, 'session' | 'tokenEncryptionKeys' | 'httpTimeoutSeconds'>,
  options: OpenSessionBackendOptions = {},
): Promise<SessionBackend> {
  const { onStoreError = () => {}, now = Date.now, onExpiredTokens } = options;
  const keys = config.tokenEncryptionKeys;
  const codec: TokenCodec = keys.length > 0 ? createEncryptingCodec(keys) : plainTokenCodec;
  const sealer = keys.length > 0 ? createSealer(keys) : undefined;
  const sealed = (sessions: session.Store): session.Store =>
    sealer ? new SealedSessionStore(sessions, sealer) : sessions;
  // A refresh makes at most three provider calls (discovery, the token request, and its retry
  // after a DPoP use_dpop_nonce), each bounded by the timeout: a lock record outlives them, and
  // another process waits for it that long at most.
  const lockMs = 3 * config.httpTimeoutSeconds * 1000 + 5000;
  const refreshLock = (records: LockRecords) =>
    createRefreshLock(records, { ttlMs: lockMs, waitMs: lockMs });
  const { store } = config.session;

  if (store.kind === 'redis') {
    // Loaded only when configured: the Redis client and its stores take about 100 ms to load, a
    // sixth of an SQLite app's start (npm run bench: start to healthy).
    const { openRedisBackend } = await import('./redis/open-redis-backend.ts');
    return openRedisBackend(store.url, {
      codec,
      sealed,
      refreshLock,
      idleTimeoutMs: config.session.idleTimeoutMs,
      sweepIntervalMs,
      maxExpiredTokensPerSweep,
      onStoreError,
      onExpiredTokens,
      now,
    });
  }

  const sqlite = openSqliteStore({
    path: store.path,
    codec,
    defaultSessionTtlMs: config.session.idleTimeoutMs,
    sweepIntervalMs,
    maxExpiredTokensPerSweep,
    onSweepError: onStoreError,
    onExpiredTokens,
    now,
  });
  return {
    sessions: sealed(sqlite.sessionStore),
    tokens: sqlite.tokenStore,
    lock: refreshLock(sqlite.lockRecords),
    rememberOnce: sqlite.rememberOnce,
    // In this process's memory: one instance per SQLite file is the rule, and counters keyed by
    // (possibly spoofed) addresses stay out of the file (docs/decisions/012-sign-in-limits.md).
    limitCounters: () => undefined,
    sweep: async () => {
      await sqlite.sweep();
    },
    isHealthy: async () => sqlite.ping(),
    close: async () => sqlite.close(),
  };
}
