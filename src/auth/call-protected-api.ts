// Calls the protected API for a signed-in session. The access token is refreshed shortly before it
// expires, once per session even under concurrent requests (see session/token-refresher.ts), and a
// 401 invalid_token is handled the way RFC 6750 §3.1 intends: refresh once and retry once; a second
// refusal is a page offering to sign in again.
import { ApiAccessRefusedError, TokenRefreshError } from '../errors.ts';
import type { FlowStep } from '../oidc/flow-step.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { ResourceAnswer } from '../oidc/resource.ts';
import type { TokenRefresher } from '../session/token-refresher.ts';
import type { TokenRecord } from '../session/token-store.ts';

export interface ApiCall {
  answer: Exclude<ResourceAnswer, { isTokenRejected: true }>;
  wasRefreshed: boolean;
  /** The refresh exchanges made for this call, for the /flow page. */
  steps: FlowStep[];
}

/**
 * Calls the API with the session's tokens, starting from `current` (the record loadTokenRecord
 * read); rejects with TokenRefreshError when the user must sign in again.
 */
export async function callProtectedApi(
  oidc: Pick<OidcClient, 'callResource'>,
  refresher: TokenRefresher,
  sessionId: string,
  current: TokenRecord | undefined,
): Promise<ApiCall> {
  const freshTokens = async (options: Parameters<TokenRefresher['getFreshTokens']>[1]) => {
    const fresh = await refresher.getFreshTokens(sessionId, options);
    // Gone meanwhile: a back-channel logout, or a refresh token the provider no longer accepts.
    if (!fresh) throw new TokenRefreshError('Your sign-in was ended. Please sign in again.');
    return fresh;
  };

  const fresh = await freshTokens({ current });
  const first = await oidc.callResource(fresh.record.tokens.accessToken);
  if (!first.isTokenRejected)
    return { answer: first, wasRefreshed: fresh.wasRefreshed, steps: fresh.steps };

  const retried = await freshTokens({ rejectedVersion: fresh.record.version });
  const second = await oidc.callResource(retried.record.tokens.accessToken);
  // Not an automatic sign-in: a provider that signs the user straight back in would loop forever.
  if (second.isTokenRejected) throw new ApiAccessRefusedError();
  return { answer: second, wasRefreshed: true, steps: [...fresh.steps, ...retried.steps] };
}
