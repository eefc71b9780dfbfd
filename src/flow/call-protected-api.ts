// Move 3, GET /resource: call the protected API with an access token that is good for a while yet.
// The token is refreshed shortly before it expires, once per session even under concurrent
// requests, and a 401 is handled the way RFC 6750 §3.1 intends: refresh once, retry once.
import { ApiAccessRefusedError, TokenRefreshError } from '../errors.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { ResourceAnswer } from '../oidc/resource.ts';
import type { StoredTokens } from '../protocol.ts';
import type { RefreshLock } from '../session/refresh-lock.ts';
import type { TokenRecord, TokenStore } from '../session/token-store.ts';

export interface ApiCall {
  answer: Exclude<ResourceAnswer, { isTokenRejected: true }>;
  wasRefreshed: boolean;
}

/**
 * Calls the API for a signed-in session, starting from `current` (the record this request read).
 * Rejects with TokenRefreshError when the user must sign in again.
 */
export async function callProtectedApi(
  oidc: Pick<OidcClient, 'callResource'>,
  refresher: TokenRefresher,
  sessionId: string,
  current: TokenRecord | undefined,
): Promise<ApiCall> {
  const fresh = await freshTokensOrSignIn(refresher, sessionId, { current });
  const first = await oidc.callResource(fresh.record.tokens);
  if (!first.isTokenRejected) return { answer: first, wasRefreshed: fresh.wasRefreshed };

  // 401 invalid_token: revoked or expired early. Renew this very version once, then retry once.
  const renewed = await freshTokensOrSignIn(refresher, sessionId, {
    rejectedVersion: fresh.record.version,
  });
  const second = await oidc.callResource(renewed.record.tokens);
  // Not an automatic sign-in: a provider that signs the user straight back in would loop forever.
  if (second.isTokenRejected) throw new ApiAccessRefusedError(second.challenge);
  return { answer: second, wasRefreshed: true };
}

async function freshTokensOrSignIn(
  refresher: TokenRefresher,
  sessionId: string,
  options: GetFreshTokensOptions,
): Promise<FreshTokens> {
  const fresh = await refresher.getFreshTokens(sessionId, options);
  // Gone meanwhile: a back-channel logout, or a refresh token the provider no longer accepts.
  if (!fresh) {
    throw new TokenRefreshError('sign_in_ended', 'Your sign-in was ended. Please sign in again.');
  }
  return fresh;
}

export interface TokenRefresherOptions {
  tokens: TokenStore;
  lock: RefreshLock;
  /** The refresh_token grant (RFC 6749 §6); rejects with TokenRefreshError on invalid_grant. */
  refresh: (tokens: StoredTokens, now: number, subject: string) => Promise<StoredTokens>;
  now: () => number;
  skewMs: number;
}

export interface GetFreshTokensOptions {
  /** The record this request already read, to save reading it again. */
  current?: TokenRecord | undefined;
  /** The version the API just refused: anything up to it must be renewed. */
  rejectedVersion?: number;
}

export interface FreshTokens {
  record: TokenRecord;
  wasRefreshed: boolean;
}

export interface TokenRefresher {
  /**
   * The session's tokens, refreshed first when they expire within the skew or when
   * `rejectedVersion` names the version the API refused. Undefined: signed out. Rejects with
   * TokenRefreshError when the refresh token is no longer good (the tokens are then deleted), or
   * with a ProviderError when the provider cannot be reached (the tokens stay for the next try).
   */
  getFreshTokens(
    sessionId: string,
    options?: GetFreshTokensOptions,
  ): Promise<FreshTokens | undefined>;
}

/** Creates the refresher over a token store, the refresh lock and the provider's refresh call. */
export function createTokenRefresher(options: TokenRefresherOptions): TokenRefresher {
  const { tokens, lock, now, skewMs } = options;

  function isGood(record: TokenRecord, rejectedVersion: number | undefined): boolean {
    if (rejectedVersion !== undefined && record.version <= rejectedVersion) return false;
    return isFresh(record.tokens, now(), skewMs);
  }

  /** Runs alone for this session (the lock): read, refresh, write back with compare-and-set. */
  async function refreshOnce(
    sessionId: string,
    rejectedVersion: number | undefined,
  ): Promise<FreshTokens | undefined> {
    // Read again inside the lock: another request (or instance) may have refreshed meanwhile.
    const current = await tokens.get(sessionId);
    if (!current) return undefined;
    if (isGood(current, rejectedVersion)) return { record: current, wasRefreshed: true };
    try {
      const refreshed = await options.refresh(current.tokens, now(), current.sub);
      // A rotated refresh token must never be overwritten by a stale copy (RFC 9700 §4.14.2).
      const stored = await tokens.replace(sessionId, current.version, refreshed);
      if (stored) return { record: stored, wasRefreshed: true };
      const latest = await tokens.get(sessionId);
      return latest && { record: latest, wasRefreshed: true };
    } catch (error) {
      if (!(error instanceof TokenRefreshError)) throw error;
      // invalid_grant: maybe another instance rotated the token first; only its absence is final.
      const latest = await tokens.get(sessionId);
      if (latest && latest.version !== current.version && isGood(latest, undefined)) {
        return { record: latest, wasRefreshed: true };
      }
      await tokens.delete(sessionId);
      throw error;
    }
  }

  return {
    async getFreshTokens(sessionId, { rejectedVersion, current } = {}) {
      const record = current ?? (await tokens.get(sessionId));
      if (!record) return undefined;
      if (isGood(record, rejectedVersion)) return { record, wasRefreshed: false };
      // A refresh already running for this session is joined; its answer may be the very version
      // the API refused us, and then the lock runs ours.
      return lock.run(
        `refresh:${sessionId}`,
        () => refreshOnce(sessionId, rejectedVersion),
        (fresh) => !fresh || isGood(fresh.record, rejectedVersion),
      );
    },
  };
}

/**
 * Whether an access token is good for a while yet: until `skewMs` before its expiry, but never
 * renewed before half its life (a skew longer than a short-lived token would renew it on every
 * request). No expires_in (only RECOMMENDED, RFC 6749 §5.1): good until the API refuses it.
 */
export function isFresh(tokens: StoredTokens, now: number, skewMs: number): boolean {
  const { expiresAt, issuedAt } = tokens;
  if (expiresAt === undefined) return true;
  const skew = issuedAt === undefined ? skewMs : refreshSkew(skewMs, expiresAt - issuedAt);
  return expiresAt - skew > now;
}

/** How long before its expiry a token of `lifetimeMs` is renewed: the skew, at most half its life. */
export function refreshSkew(skewMs: number, lifetimeMs: number): number {
  return Math.min(skewMs, lifetimeMs / 2);
}
