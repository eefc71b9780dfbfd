// Redis expires sessions and locks by itself; token records are swept, so that their refresh
// tokens can be revoked: every minute, one pass at a time, a bounded batch a pass.

import { type SerialSweeps, startSerialSweeps } from '../../session/serial-sweeps.ts';
import type { ExpiredTokensHandler } from '../../session/session-backend.ts';
import type { RedisTokenStore } from './redis-token-store.ts';

export interface RedisTokenSweeperOptions {
  intervalMs: number;
  /** Expired records taken a pass: the rest wait for the next one (they read as absent meanwhile). */
  maxExpiredTokens: number;
  onExpiredTokens: ExpiredTokensHandler | undefined;
  /** Called when a timed pass fails (the next one still runs). */
  onError: (error: unknown) => void;
}

/** Takes expired token records every `intervalMs` and hands them over; the timer does not hold the process open. */
export function startRedisTokenSweeper(
  tokens: RedisTokenStore,
  options: RedisTokenSweeperOptions,
): SerialSweeps<void> {
  const { onExpiredTokens } = options;
  const pass = async (): Promise<void> => {
    const expired = await tokens.takeExpired(options.maxExpiredTokens);
    if (expired.records.length + expired.unreadable > 0) await onExpiredTokens?.(expired, tokens);
  };
  return startSerialSweeps(pass, options);
}
