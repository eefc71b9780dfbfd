// Refresh tokens of the token records a store sweeps out at expiry are revoked (RFC 7009): in the
// background, a few requests at a time, never one whose grant a live sign-in may share.
import type { Logger } from 'pino';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { ExpiredTokenRecord, ExpiredTokensHandler } from './session-backend.ts';
import type { TokenStore } from './token-store.ts';

/** Revocation requests in flight at once: a sweep of thousands of records never floods the provider. */
const defaultConcurrency = 4;

export interface ExpiredTokenRevokerOptions {
  oidc: Pick<OidcClient, 'revokeRefreshToken'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  concurrency?: number;
}

type Outcome = 'revoked' | 'withoutRefreshToken' | 'sharedProviderSession' | 'noRevocationEndpoint';

/**
 * The handler a backend calls after each sweep. It never rejects: a failed revocation is counted
 * and logged (one error, never a token), and the record stays deleted. Each sweep logs its counts.
 */
export function createExpiredTokenRevoker(
  options: ExpiredTokenRevokerOptions,
): ExpiredTokensHandler {
  const { oidc, logger, concurrency = defaultConcurrency } = options;
  return async ({ records, unreadable }, tokens) => {
    const counts: Record<Outcome | 'failed', number> = {
      revoked: 0,
      withoutRefreshToken: 0,
      sharedProviderSession: 0,
      noRevocationEndpoint: 0,
      failed: 0,
    };
    let firstError: unknown;
    await forEachBounded(records, concurrency, async (record) => {
      try {
        counts[await revokeExpired(record, tokens, oidc)] += 1;
      } catch (error) {
        counts.failed += 1;
        firstError ??= error;
      }
    });
    // Records no key decrypts (a retired key) cannot be revoked: counted, so an operator sees them.
    const summary = { expired: records.length + unreadable, unreadable, ...counts };
    if (counts.failed > 0) {
      logger.warn(
        { ...summary, err: firstError },
        'expired token records swept; some revocations failed',
      );
    } else {
      logger.info(summary, 'expired token records swept');
    }
  };
}

async function revokeExpired(
  record: ExpiredTokenRecord,
  tokens: TokenStore,
  oidc: Pick<OidcClient, 'revokeRefreshToken'>,
): Promise<Outcome> {
  const { refreshToken } = record.tokens;
  if (!refreshToken) return 'withoutRefreshToken';
  // Revoking a refresh token may revoke its whole grant (RFC 7009 §2.1; oidc-provider does), and a
  // provider may reuse the grant for a new sign-in in the same provider session: while a live
  // record shares the provider session (its `sid`; its user when there is no `sid`), keep it.
  const live = await tokens.findSessions(record.sid ? { sid: record.sid } : { sub: record.sub });
  if (live.length > 0) return 'sharedProviderSession';
  return (await oidc.revokeRefreshToken(refreshToken)) ? 'revoked' : 'noRevocationEndpoint';
}

/** Runs `work` on every item, at most `limit` at a time: the workers share one iterator. */
async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue = items.values();
  const worker = async () => {
    for (const item of queue) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
