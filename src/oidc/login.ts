// The two halves of the authorization-code flow: the authorization request (PKCE S256, state,
// nonce) and the callback (response checks, code exchange, ID token validation).
import * as client from 'openid-client';
import { ProviderError } from '../errors.ts';
import type { PendingLogin } from '../session/session-data.ts';
import type { StoredTokens } from '../session/token-store.ts';
import { addFlowStep, recordFlow } from './flow-recorder.ts';
import type { FlowStep } from './flow-step.ts';
import { redactFields, withoutQuery } from './redact.ts';
import { toStoredTokens } from './tokens.ts';

export interface LoginSettings {
  redirectUri: string;
  scopes: string;
  authParams: Record<string, string>;
  /** OpenID Connect (ID token, nonce) rather than plain OAuth 2.0. */
  isOidc: boolean;
}

/** The identity established by a login, from the validated ID token (or the user endpoint). */
export interface LoginIdentity {
  sub: string;
  name?: string;
  email?: string;
  sid?: string;
}

/** Builds the authorization URL and the pending login to keep, keyed by `state`, until the callback. */
export async function startLogin(
  configuration: client.Configuration,
  settings: LoginSettings,
  login: { returnTo: string; expiresAt: number },
): Promise<{ url: URL; state: string; pending: PendingLogin }> {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = settings.isOidc ? client.randomNonce() : '';
  const url = client.buildAuthorizationUrl(configuration, {
    ...settings.authParams,
    redirect_uri: settings.redirectUri,
    scope: settings.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    ...(nonce && { nonce }),
  });
  const step: FlowStep = {
    at: Date.now(),
    title: 'Authorization request',
    explanation:
      'The browser was sent to the provider with a PKCE challenge (S256), a state against cross-site request forgery and a nonce against ID token replay.',
    request: {
      method: 'GET',
      url: withoutQuery(url),
      params: redactFields(Object.fromEntries(url.searchParams)),
    },
  };
  return { url, state, pending: { codeVerifier, nonce, step, ...login } };
}

/**
 * Exchanges the callback's code. The state was checked when the caller found the pending login by
 * it (`callback.state` is that key; openid-client requires it to match the response). openid-client
 * checks `iss` (RFC 9207), sends the PKCE verifier, and checks the ID token's claims and nonce.
 */
export async function completeLogin(
  configuration: client.Configuration,
  settings: LoginSettings,
  callback: { params: URLSearchParams; state: string; pending: PendingLogin; now: number },
): Promise<{ tokens: StoredTokens; identity: LoginIdentity; steps: FlowStep[] }> {
  // Built from the configured redirect URI, never from the request's Host header.
  const currentUrl = new URL(settings.redirectUri);
  currentUrl.search = callback.params.toString();
  const { result, steps } = await recordFlow(async () => {
    addFlowStep(callback.pending.step);
    addFlowStep({
      at: Date.now(),
      title: 'Authorization response',
      explanation:
        'The provider sent the browser back with a one-time code; the state matched a login this browser started.',
      request: {
        method: 'GET',
        url: settings.redirectUri,
        params: redactFields(Object.fromEntries(callback.params)),
      },
    });
    const response = await client.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: callback.pending.codeVerifier,
      expectedState: callback.state,
      ...(settings.isOidc ? { expectedNonce: callback.pending.nonce, idTokenExpected: true } : {}),
    });
    const identity = settings.isOidc
      ? identityFromClaims(response.claims())
      : await fetchIdentity(configuration, response.access_token);
    return { response, identity };
  });
  return {
    tokens: toStoredTokens(result.response, callback.now),
    identity: result.identity,
    steps,
  };
}

function identityFromClaims(claims: client.IDToken | undefined): LoginIdentity {
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
  accessToken: string,
): Promise<LoginIdentity> {
  const endpoint = configuration.serverMetadata().userinfo_endpoint;
  if (!endpoint) {
    throw new ProviderError(
      502,
      'userinfo_missing',
      'This provider has no user endpoint (set OAUTH_USERINFO_ENDPOINT).',
    );
  }
  const response = await client.fetchProtectedResource(
    configuration,
    accessToken,
    new URL(endpoint),
    'GET',
  );
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
