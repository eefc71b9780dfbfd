// Calls the protected API for a signed-in session, handling a 401 invalid_token the way RFC 6750
// §3.1 intends: refresh once and retry once; a second refusal is a page offering to sign in again.
import { ApiAccessRefusedError, TokenRefreshError } from '../errors.ts';
import type { FlowStep } from '../oidc/flow-step.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { ResourceAnswer } from '../oidc/resource.ts';
import type { FreshTokens, TokenRefresher } from '../session/token-refresher.ts';

export interface ApiCall {
  answer: Exclude<ResourceAnswer, { isTokenRejected: true }>;
  wasRefreshed: boolean;
  /** The refresh exchanges made for this call, for the /flow page. */
  steps: FlowStep[];
}

/** Calls the API with `fresh`; rejects with TokenRefreshError when the user must sign in again. */
export async function callProtectedApi(
  oidc: Pick<OidcClient, 'callResource'>,
  refresher: TokenRefresher,
  sessionId: string,
  fresh: FreshTokens,
): Promise<ApiCall> {
  const first = await oidc.callResource(fresh.record.tokens.accessToken);
  if (!first.isTokenRejected)
    return { answer: first, wasRefreshed: fresh.wasRefreshed, steps: fresh.steps };

  const retried = await refresher.getFreshTokens(sessionId, {
    rejectedVersion: fresh.record.version,
  });
  if (!retried)
    throw new TokenRefreshError('Your sign-in is no longer valid. Please sign in again.');
  const second = await oidc.callResource(retried.record.tokens.accessToken);
  // Not an automatic sign-in: a provider that signs the user straight back in would loop forever.
  if (second.isTokenRejected) throw new ApiAccessRefusedError();
  return { answer: second, wasRefreshed: true, steps: [...fresh.steps, ...retried.steps] };
}
