// Opens the configured backend: sessions (express-session) and token records on SQLite by default,
// or on Redis for several instances, with the refresh lock on the same store. With
// TOKEN_ENCRYPTION_KEY, token records and sessions are both encrypted at rest with its keys.
import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import type { AppConfig } from '../config/app-config.ts';
import { createEncryptingCodec, createSealer } from '../session/encrypting-codec.ts';
import { createRefreshLock, type LockRecords } from '../session/refresh-lock.ts';
import { SealedSessionStore } from '../session/sealed-session-store.ts';
import type { SessionBackend } from '../session/session-backend.ts';
import { plainTokenCodec, type TokenCodec } from '../session/token-codec.ts';
import { connectRedis } from './redis/redis-client.ts';
import { redisLockRecords } from './redis/redis-lock-records.ts';
import { createRedisTokenStore } from './redis/redis-token-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

export interface OpenSessionBackendOptions {
  onStoreError?: (error: unknown) => void;
  now?: () => number;
}

/** Opens the configured store; rejects with a one-line reason when it cannot be reached. */
export async function openSessionBackend(
  config: Pick<AppConfig, 'session' | 'tokenEncryptionKeys' | 'httpTimeoutSeconds'>,
  options: OpenSessionBackendOptions = {},
): Promise<SessionBackend> {
  const { onStoreError = () => {}, now = Date.now } = options;
  const keys = config.tokenEncryptionKeys;
  const codec: TokenCodec = keys.length > 0 ? createEncryptingCodec(keys) : plainTokenCodec;
  const sealer = keys.length > 0 ? createSealer(keys) : undefined;
  const sealed = (sessions: session.Store): session.Store =>
    sealer ? new SealedSessionStore(sessions, sealer) : sessions;
  // A refresh makes at most two provider calls (discovery, token request), each bounded by the
  // timeout: a lock record outlives them, and another process waits for it that long at most.
  const lockMs = 2 * config.httpTimeoutSeconds * 1000 + 5000;
  const refreshLock = (records: LockRecords) =>
    createRefreshLock(records, { ttlMs: lockMs, waitMs: lockMs });
  const { store } = config.session;

  if (store.kind === 'redis') {
    const { client, close } = await connectRedis(store.url, onStoreError);
    return {
      sessions: sealed(
        new RedisStore({
          client,
          prefix: 'oer:sess:',
          ttl: Math.ceil(config.session.idleTimeoutMs / 1000),
        }),
      ),
      tokens: createRedisTokenStore(client, codec),
      lock: refreshLock(redisLockRecords(client)),
      isHealthy: () =>
        client.ping().then(
          (reply) => reply === 'PONG',
          () => false,
        ),
      close,
    };
  }

  const sqlite = openSqliteStore({
    path: store.path,
    codec,
    defaultSessionTtlMs: config.session.idleTimeoutMs,
    onSweepError: onStoreError,
    now,
  });
  return {
    sessions: sealed(sqlite.sessionStore),
    tokens: sqlite.tokenStore,
    lock: refreshLock(sqlite.lockRecords),
    isHealthy: async () => sqlite.ping(),
    close: async () => sqlite.close(),
  };
}
