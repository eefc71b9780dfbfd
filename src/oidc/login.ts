// The provider's side of a sign-in: the authorization request (PKCE S256, state, nonce; pushed
// with PAR) and the callback (response checks, code exchange with a DPoP proof when on, ID token
// validation, or the user endpoint for OAuth 2.0).
import * as client from 'openid-client';
import { ProviderError } from '../errors.ts';
import type { Identity, PendingLogin, StoredTokens } from '../protocol.ts';
import { type DpopSigner, generateDpopKey } from './dpop.ts';
import { toStoredTokens } from './tokens.ts';

export interface LoginSettings {
  redirectUri: string;
  scopes: string;
  authParams: Record<string, string>;
  /** OpenID Connect names the user in an ID token (with a nonce); plain OAuth 2.0 at a user endpoint. */
  identitySource: { kind: 'id-token' } | { kind: 'user-endpoint'; url: URL };
  /** Push the authorization request (RFC 9126) even when the provider does not require it. */
  usePar: boolean;
  /** DPoP (RFC 9449): each sign-in binds its tokens to a new key pair; absent when off. */
  dpop?: DpopSigner;
}

/** A new authorization request: the URL to send the browser to, and the secrets to keep for the callback. */
export interface AuthorizationRequest {
  url: URL;
  state: string;
  codeVerifier: string;
  /** Empty with plain OAuth 2.0. */
  nonce: string;
}

/**
 * Builds the authorization URL with a fresh PKCE verifier (S256), state and nonce; with PAR, the
 * URL holds only `client_id` and the `request_uri` the provider gave for the pushed parameters.
 */
export async function createAuthorizationRequest(
  configuration: client.Configuration,
  settings: LoginSettings,
): Promise<AuthorizationRequest> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const isOidc = settings.identitySource.kind === 'id-token';
  const nonce = isOidc ? client.randomNonce() : '';
  const parameters = {
    ...settings.authParams,
    redirect_uri: settings.redirectUri,
    scope: settings.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    ...(nonce && { nonce }),
  };
  // RFC 9126: pushed, the parameters go from this server to the provider (as the authenticated
  // client), and the browser carries only client_id and the request_uri the provider answered.
  const metadata = configuration.serverMetadata();
  const isPushed = settings.usePar || metadata.require_pushed_authorization_requests === true;
  if (isPushed && !metadata.pushed_authorization_request_endpoint) {
    throw new ProviderError(
      502,
      'par_unsupported',
      'The identity provider does not accept pushed authorization requests.',
    );
  }
  const url = isPushed
    ? await client.buildAuthorizationUrlWithPAR(configuration, parameters)
    : client.buildAuthorizationUrl(configuration, parameters);
  return { url, state, codeVerifier, nonce };
}

/**
 * Exchanges the callback's code. The state was checked when the caller found the pending login by
 * it (`callback.state` is that key; openid-client requires it to match the response). openid-client
 * checks `iss` (RFC 9207), sends the PKCE verifier, and checks the ID token's claims and nonce.
 */
export async function exchangeCode(
  configuration: client.Configuration,
  settings: LoginSettings,
  callback: { params: URLSearchParams; state: string; pending: PendingLogin; now: number },
): Promise<{ tokens: StoredTokens; identity: Identity }> {
  // Built from the configured redirect URI, never from the request's Host header.
  const currentUrl = new URL(settings.redirectUri);
  currentUrl.search = callback.params.toString();
  // DPoP: a new key pair for this sign-in; the proof sent with the code asks the provider to bind
  // the tokens to it (RFC 9449 §5), and the key is kept with them (dropped if the provider did not).
  const dpopKey = settings.dpop && (await generateDpopKey());
  const response = await client.authorizationCodeGrant(
    configuration,
    currentUrl,
    {
      pkceCodeVerifier: callback.pending.codeVerifier,
      expectedState: callback.state,
      ...(settings.identitySource.kind === 'id-token'
        ? { expectedNonce: callback.pending.nonce, idTokenExpected: true }
        : {}),
    },
    undefined,
    await settings.dpop?.optionsFor(configuration, dpopKey),
  );
  const identity =
    settings.identitySource.kind === 'id-token'
      ? identityFromClaims(response.claims())
      : await fetchIdentity(configuration, settings.identitySource.url, response.access_token);
  return { tokens: toStoredTokens(response, callback.now, undefined, dpopKey), identity };
}

function identityFromClaims(claims: client.IDToken | undefined): Identity {
  if (!claims)
    throw new ProviderError(502, 'id_token_missing', 'The identity provider sent no ID token.');
  return {
    sub: claims.sub,
    ...(typeof claims.name === 'string' && { name: claims.name }),
    ...(typeof claims.email === 'string' && { email: claims.email }),
    ...(typeof claims.sid === 'string' && { sid: claims.sid }),
  };
}

/** Plain OAuth 2.0 has no ID token: the user endpoint names the user (GitHub's `id`, `login`, …). */
async function fetchIdentity(
  configuration: client.Configuration,
  endpoint: URL,
  accessToken: string,
): Promise<Identity> {
  const response = await client.fetchProtectedResource(configuration, accessToken, endpoint, 'GET');
  const body = (response.ok ? await response.json() : {}) as Record<string, unknown>;
  const sub = body.sub ?? body.id ?? body.login;
  if (typeof sub !== 'string' && typeof sub !== 'number') {
    throw new ProviderError(
      502,
      'userinfo_invalid',
      'The identity provider did not say who signed in.',
    );
  }
  const name = body.name ?? body.login;
  return {
    sub: String(sub),
    ...(typeof name === 'string' && { name }),
    ...(typeof body.email === 'string' && { email: body.email }),
  };
}
