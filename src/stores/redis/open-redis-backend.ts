// The Redis backend, for several instances: sessions through connect-redis, token records with
// their expiry index and sweeper, refresh locks and used ids, and the sign-in limits' counters,
// all on one client. Loaded by open-session-backend.ts only when SESSION_STORE=redis.
import { RedisStore } from 'connect-redis';
import type session from 'express-session';
import { type LockRecords, type RefreshLock, rememberOnceOn } from '../../session/refresh-lock.ts';
import type { ExpiredTokensHandler, SessionBackend } from '../../session/session-backend.ts';
import type { TokenCodec } from '../../session/token-codec.ts';
import { connectRedis } from './redis-client.ts';
import { redisLimitCounters } from './redis-limit-counters.ts';
import { redisLockRecords } from './redis-lock-records.ts';
import { createRedisTokenStore } from './redis-token-store.ts';
import { startRedisTokenSweeper } from './redis-token-sweeper.ts';

export interface RedisBackendParts {
  codec: TokenCodec;
  /** Wraps the session store in SealedSessionStore when sessions are encrypted at rest. */
  sealed: (sessions: session.Store) => session.Store;
  refreshLock: (records: LockRecords) => RefreshLock;
  idleTimeoutMs: number;
  sweepIntervalMs: number;
  maxExpiredTokensPerSweep: number;
  onStoreError: (error: unknown) => void;
  onExpiredTokens?: ExpiredTokensHandler;
  now: () => number;
}

/** Connects to `url` and builds the backend on it; rejects when Redis cannot be reached. */
export async function openRedisBackend(
  url: string,
  parts: RedisBackendParts,
): Promise<SessionBackend> {
  const { client, close } = await connectRedis(url, parts.onStoreError);
  const lockRecords = redisLockRecords(client);
  const tokens = createRedisTokenStore(client, parts.codec, parts.now);
  const sweeper = startRedisTokenSweeper(tokens, {
    intervalMs: parts.sweepIntervalMs,
    maxExpiredTokens: parts.maxExpiredTokensPerSweep,
    onExpiredTokens: parts.onExpiredTokens,
    onError: parts.onStoreError,
  });
  return {
    sessions: parts.sealed(
      new RedisStore({
        client,
        prefix: 'oer:sess:',
        ttl: Math.ceil(parts.idleTimeoutMs / 1000),
        // The expiry moves when the session is saved (extendActiveSession), never by touch.
        disableTouch: true,
      }),
    ),
    tokens,
    lock: parts.refreshLock(lockRecords),
    rememberOnce: rememberOnceOn(lockRecords),
    limitCounters: (name) => redisLimitCounters(client, name),
    sweep: sweeper.sweep,
    isHealthy: () =>
      client.ping().then(
        (reply) => reply === 'PONG',
        () => false,
      ),
    close: async () => {
      sweeper.stop();
      await close();
    },
  };
}
