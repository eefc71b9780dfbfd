// The provider's side of a sign-in: the authorization request (PKCE S256, state, nonce; pushed
// with PAR) and the callback (response checks, code exchange with a DPoP proof when on, ID token
// validation completed from UserInfo when the ID token is thin, or the user endpoint for OAuth 2.0).
import * as client from 'openid-client';
import { ProviderError } from '../errors.ts';
import type { Identity, PendingLogin, StoredTokens } from '../protocol.ts';
import { type DpopSigner, generateDpopKey } from './dpop.ts';
import { type IdTokenSigningKeys, verifyIdTokenSignature } from './id-token-signature.ts';
import { toStoredTokens } from './tokens.ts';
import { completeWithUserInfo, type UserClaims, type UserInfoFailure } from './userinfo.ts';

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
      'The identity provider does not accept pushed requests',
      'The identity provider does not accept pushed authorization requests.',
    );
  }
  const url = isPushed
    ? await client.buildAuthorizationUrlWithPAR(configuration, parameters)
    : client.buildAuthorizationUrl(configuration, parameters);
  return { url, state, codeVerifier, nonce };
}

/** Something a sign-in survived that the operator should know about; the caller logs it. */
export interface SignInWarning {
  /** Stable, for searching the log. */
  code: UserInfoFailure['code'] | 'refresh_token_not_issued' | 'dpop_not_bound';
  message: string;
  /** The same at every sign-in (a setting of the provider or of the app): logged once per process. */
  isOncePerProcess: boolean;
  cause?: unknown;
}

/**
 * Exchanges the callback's code. The state was checked when the caller found the pending login by
 * it (`callback.state` is that key; openid-client requires it to match the response). openid-client
 * checks `iss` (RFC 9207), sends the PKCE verifier, and checks the ID token's claims and nonce; its
 * signature is checked here, with `signingKeys`, before the token is trusted.
 * With a thin ID token the profile is completed from UserInfo; a failure there is a warning, never
 * a failed sign-in.
 */
export async function exchangeCode(
  configuration: client.Configuration,
  settings: LoginSettings,
  callback: { params: URLSearchParams; state: string; pending: PendingLogin; now: number },
  signingKeys: IdTokenSigningKeys,
): Promise<{ tokens: StoredTokens; identity: Identity; warnings: SignInWarning[] }> {
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
  const tokens = toStoredTokens(response, callback.now, undefined, dpopKey);
  const warnings: SignInWarning[] = [];
  if (!tokens.refreshToken && settings.scopes.split(/\s+/).includes('offline_access')) {
    warnings.push(refreshTokenNotIssued(settings.authParams));
  }
  if (settings.dpop && !tokens.dpopKey) {
    warnings.push({
      code: 'dpop_not_bound',
      message: `OIDC_USE_DPOP is on but the provider did not bind the tokens (token_type ${tokens.tokenType}): does it support DPoP?`,
      isOncePerProcess: true,
    });
  }
  if (settings.identitySource.kind === 'user-endpoint') {
    const identity = await fetchIdentity(
      configuration,
      settings.identitySource.url,
      response.access_token,
    );
    return { tokens, identity, warnings };
  }
  const idClaims = response.claims();
  if (!idClaims || !response.id_token)
    throw new ProviderError(
      502,
      'id_token_missing',
      'The identity provider sent no ID token',
      'The identity provider sent no ID token.',
    );
  await verifyIdTokenSignature(response.id_token, signingKeys);
  const { claims, failure } = await completeWithUserInfo(
    configuration,
    idClaims,
    response.access_token,
  );
  if (failure) warnings.push({ ...failure, isOncePerProcess: false });
  return { tokens, identity: identityFromClaims(claims), warnings };
}

function identityFromClaims(claims: UserClaims): Identity {
  return {
    sub: claims.sub,
    ...(typeof claims.name === 'string' && { name: claims.name }),
    ...(typeof claims.email === 'string' && { email: claims.email }),
    ...(typeof claims.sid === 'string' && { sid: claims.sid }),
  };
}

/**
 * `offline_access` was asked for and no refresh token came. Many providers (node-oidc-provider and
 * the products built on it; Google, which also wants `access_type=offline`) issue one only when
 * the authorization request carries `prompt=consent` (OIDC Core §11).
 */
function refreshTokenNotIssued(authParams: Record<string, string>): SignInWarning {
  const hasConsentPrompt = (authParams.prompt ?? '').split(/\s+/).includes('consent');
  const consequence = 'Until then every user signs in again whenever their access token expires.';
  return {
    code: 'refresh_token_not_issued',
    isOncePerProcess: true,
    message: hasConsentPrompt
      ? `offline_access was requested with prompt=consent, yet the provider issued no refresh token: check that the client may use the refresh_token grant at the provider (Google also needs OIDC_AUTH_PARAMS=access_type=offline&prompt=consent). ${consequence}`
      : `offline_access was requested, yet the provider issued no refresh token: many providers issue one only with prompt=consent. Set OIDC_AUTH_PARAMS=prompt=consent (Google: OIDC_AUTH_PARAMS=access_type=offline&prompt=consent). ${consequence}`,
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
      'The identity provider did not say who signed in',
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
