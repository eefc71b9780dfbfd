// Refresh, revocation and RP-initiated logout, the application's own token (client credentials),
// and how a token response is kept.
import * as client from 'openid-client';
import { TokenRefreshError } from '../errors.ts';
import type { StoredTokens } from '../protocol.ts';
import type { DpopSigner } from './dpop.ts';
import { type IdTokenSigningKeys, verifyIdTokenSignature } from './id-token-signature.ts';

/**
 * What to keep of a token response; a refresh response may leave out what did not change. The
 * DPoP key stays with the tokens only when the provider bound them (`token_type` DPoP).
 */
export function toStoredTokens(
  response: client.TokenEndpointResponse,
  now: number,
  previous?: StoredTokens,
  dpopKey = previous?.dpopKey,
): StoredTokens {
  const isBound = response.token_type.toLowerCase() === 'dpop';
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const idToken = response.id_token ?? previous?.idToken;
  const scope = response.scope ?? previous?.scope;
  return {
    accessToken: response.access_token,
    tokenType: response.token_type,
    ...(typeof response.expires_in === 'number' && {
      expiresAt: now + response.expires_in * 1000,
      issuedAt: now,
    }),
    ...(refreshToken && { refreshToken }),
    ...(idToken && { idToken }),
    ...(scope && { scope }),
    ...(dpopKey && isBound && { dpopKey }),
  };
}

/**
 * Uses the refresh token for new tokens; keeps the old refresh and ID token when none come back.
 * A new ID token must be for `subject`, the user who signed in, and is signature-checked like the first.
 */
export async function refreshTokens(
  configuration: client.Configuration,
  tokens: StoredTokens,
  now: number,
  subject: string,
  dpop: DpopSigner,
  signingKeys: IdTokenSigningKeys,
): Promise<StoredTokens> {
  if (!tokens.refreshToken) {
    throw new TokenRefreshError(
      'refresh_token_missing',
      'Your access has expired and the provider issued no refresh token. Please sign in again.',
    );
  }
  // DPoP-bound tokens are refreshed with a proof of the same key, so the new access token is bound
  // to it too (RFC 9449 §5); openid-client retries once with the nonce a provider asks for (§8).
  const result = await client.refreshTokenGrant(
    configuration,
    tokens.refreshToken,
    undefined,
    await dpop.optionsFor(configuration, tokens.dpopKey),
  );
  // OIDC Core §12.2: a refreshed ID token must name the same user as the original one.
  const claims = result.claims();
  if (claims && claims.sub !== subject) {
    throw new TokenRefreshError(
      'refresh_wrong_user',
      'The identity provider answered for another user. Please sign in again.',
    );
  }
  // OIDC Core §12.2: a refreshed ID token is validated as in §3.1.3.7, its signature included.
  if (result.id_token) await verifyIdTokenSignature(result.id_token, signingKeys);
  return toStoredTokens(result, now, tokens);
}

/**
 * The client credentials grant (RFC 6749 §4.4): the application asks with its own credentials for
 * a token of its own, no user involved. `parameters` name what for: `scope`, and for some providers
 * `resource` (RFC 8707) or `audience`. No refresh token comes back (§4.4.3): at expiry, ask again.
 */
export async function requestApplicationToken(
  configuration: client.Configuration,
  parameters: Record<string, string>,
  now: number,
): Promise<StoredTokens> {
  return toStoredTokens(await client.clientCredentialsGrant(configuration, parameters), now);
}

/** Revokes a refresh token (RFC 7009). Resolves false when the provider has no revocation endpoint. */
export async function revokeRefreshToken(
  configuration: client.Configuration,
  refreshToken: string,
): Promise<boolean> {
  if (!configuration.serverMetadata().revocation_endpoint) return false;
  await client.tokenRevocation(configuration, refreshToken, { token_type_hint: 'refresh_token' });
  return true;
}

/**
 * The provider's end-session URL (OIDC RP-Initiated Logout), or undefined when it has none. Its
 * query: `client_id`, `post_logout_redirect_uri` and, when there is one, the ID token as
 * `id_token_hint`: the one URL an ID token ever appears in (docs/decisions/008).
 */
export function buildLogoutUrl(
  configuration: client.Configuration,
  idToken: string | undefined,
  postLogoutRedirectUri: string,
): URL | undefined {
  if (!configuration.serverMetadata().end_session_endpoint) return undefined;
  return client.buildEndSessionUrl(configuration, {
    post_logout_redirect_uri: postLogoutRedirectUri,
    // RP-Initiated Logout §2: RECOMMENDED, and what many providers need to skip their confirmation
    // page and honour post_logout_redirect_uri (`logout_hint`'s value is each provider's own).
    ...(idToken && { id_token_hint: idToken }),
  });
}
