// Move 5, `npm run client-credentials`: an application calling the API on its own behalf, with a
// token it got for itself (the client credentials grant, RFC 6749 §4.4): no user, no browser, no
// refresh token (§4.4.3). The token is kept in memory until shortly before it expires, so calls
// share one token instead of asking the provider each time; then a new one is asked for.
import { ApiAccessRefusedError } from '../errors.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { ResourceAnswer } from '../oidc/resource.ts';
import type { StoredTokens } from '../protocol.ts';
import { isFresh } from './call-protected-api.ts';

export interface ApplicationCall {
  answer: Exclude<ResourceAnswer, { isTokenRejected: true }>;
  /** The token the call used, to describe it (its value is never shown). */
  token: StoredTokens;
  /** The token came from the cache: this call made no token request. */
  isReused: boolean;
}

export interface ApplicationApiCallerOptions {
  oidc: Pick<OidcClient, 'requestApplicationToken' | 'callResource'>;
  /** The token request's parameters: `scope`, and `resource` or `audience` for providers that need one. */
  parameters: Record<string, string>;
  now: () => number;
  /** A new token is asked for this long before the cached one expires (never before half its life). */
  skewMs: number;
}

/**
 * Creates the application's API call; the token it caches lives as long as the function. Rejects
 * with ApplicationTokenError when the provider refuses the token, ProviderError or ResourceError
 * when a server cannot be reached, ApiAccessRefusedError when the API refuses a new token.
 */
export function createApplicationApiCaller(
  options: ApplicationApiCallerOptions,
): () => Promise<ApplicationCall> {
  const { oidc, parameters, now, skewMs } = options;
  // One process, one token: calls made at the very same moment would each ask for one (the app's
  // sessions share refreshes with a lock, session/refresh-lock.ts; this command calls in turn).
  let cached: StoredTokens | undefined;

  async function requestToken(): Promise<StoredTokens> {
    cached = await oidc.requestApplicationToken(parameters, now());
    return cached;
  }

  return async function callApiAsApplication(): Promise<ApplicationCall> {
    // 1. The cached token while it is good for a while yet, otherwise a new one.
    const reusable = cached && isFresh(cached, now(), skewMs) ? cached : undefined;
    const isReused = reusable !== undefined;
    const token = reusable ?? (await requestToken());

    // 2. The API call, with the token as a Bearer credential (RFC 6750).
    const answer = await oidc.callResource(token);
    if (!answer.isTokenRejected) return { answer, token, isReused };

    // 3. 401 (RFC 6750 §3.1 invalid_token): a cached token was revoked or expired early: one new
    // token, one retry. A brand-new token refused means the API does not take this client's tokens.
    cached = undefined;
    if (!isReused) throw new ApiAccessRefusedError(answer.challenge);
    const renewed = await requestToken();
    const retried = await oidc.callResource(renewed);
    if (retried.isTokenRejected) throw new ApiAccessRefusedError(retried.challenge);
    return { answer: retried, token: renewed, isReused: false };
  };
}
