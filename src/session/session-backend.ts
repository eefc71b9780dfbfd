// The stores a running app uses, behind one interface: sessions (express-session) and token
// records, on SQLite by default or on Redis for several instances, plus the refresh lock.
import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import type { AppConfig } from '../config/load-config.ts';
import { createEncryptingCodec } from './encrypting-codec.ts';
import { createPollingLock, type LockRecords } from './polling-lock.ts';
import { connectRedis } from './redis-client.ts';
import { redisLockRecords } from './redis-lock.ts';
import { RedisTokenStore } from './redis-token-store.ts';
import { createSingleFlight, type RefreshLock } from './refresh-lock.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { plainTokenCodec, type TokenCodec } from './token-codec.ts';
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

/** Opens the configured store; rejects with a one-line reason when it cannot be reached. */
export async function openSessionBackend(
  config: AppConfig,
  options: { onStoreError?: (error: unknown) => void; now?: () => number } = {},
): Promise<SessionBackend> {
  const { onStoreError = () => {}, now = Date.now } = options;
  const codec: TokenCodec =
    config.tokenEncryptionKeys.length > 0
      ? createEncryptingCodec(config.tokenEncryptionKeys)
      : plainTokenCodec;
  const ttlSeconds = Math.ceil(config.session.idleTimeoutMs / 1000);
  // One refresh per session: callers in this process share one run (single-flight), and that run
  // holds a lock record in the shared store, so other processes wait for it. A refresh makes at
  // most two provider calls (discovery, token request), each bounded by the timeout: the lock
  // outlives them, and waiters give up after that long.
  const singleFlight = createSingleFlight();
  const lockMs = 2 * config.httpTimeoutSeconds * 1000 + 5000;
  const lockAcross = (records: LockRecords): RefreshLock => {
    const shared = createPollingLock(records, { ttlMs: lockMs, waitMs: lockMs });
    return { run: (key, work) => singleFlight.run(key, () => shared.run(key, work)) };
  };

  if (config.session.store === 'redis') {
    const { client, close } = await connectRedis(config.session.redisUrl ?? '', onStoreError);
    return {
      sessions: new RedisStore({ client, prefix: 'oer:sess:', ttl: ttlSeconds }),
      tokens: new RedisTokenStore(client, codec),
      lock: lockAcross(redisLockRecords(client)),
      isHealthy: () =>
        client.ping().then(
          (reply) => reply === 'PONG',
          () => false,
        ),
      close,
    };
  }

  const store = openSqliteStore({
    path: config.session.dbPath,
    codec,
    defaultSessionTtlMs: config.session.idleTimeoutMs,
    onSweepError: onStoreError,
    now,
  });
  return {
    sessions: store.sessionStore,
    tokens: store.tokenStore,
    lock: lockAcross(store.lockRecords),
    isHealthy: async () => store.ping(),
    close: async () => store.close(),
  };
}
