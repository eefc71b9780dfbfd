// Back-channel logout tokens as the dev provider would send them (signed with its own key), and
// posting one to an app instance as the provider does.
import type { JWTPayload } from 'jose';
import { signWithProviderKey } from './sign-with-provider-key.ts';
import type { TestApp } from './test-app.ts';

const backchannelEvent = { 'http://schemas.openid.net/event/backchannel-logout': {} };
export const logoutTokenHeader = { typ: 'logout+jwt' };

/** The claims of a valid logout token for alice, as oidc-provider sends it. */
export function logoutClaims(app: TestApp): JWTPayload {
  return {
    iss: app.issuer,
    aud: app.config.client.id,
    sub: 'alice',
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 120,
    jti: crypto.randomUUID(),
    events: backchannelEvent,
  };
}

/** Signs a logout token with the provider's own key, as oidc-provider does, then applies `changes`. */
export function providerSigned(
  app: TestApp,
  changes: { claims?: JWTPayload; header?: Record<string, unknown>; omit?: string[] } = {},
): Promise<string> {
  const claims: JWTPayload = { ...logoutClaims(app), ...changes.claims };
  for (const name of changes.omit ?? []) delete claims[name];
  return signWithProviderKey(app.providerKeysFile, claims, {
    ...logoutTokenHeader,
    ...changes.header,
  });
}

/** POSTs a logout token to `baseUrl` (an instance of the app) as the provider does. */
export function postLogoutToken(baseUrl: string, token: string): Promise<Response> {
  return fetch(`${baseUrl}/backchannel-logout`, {
    method: 'POST',
    body: new URLSearchParams({ logout_token: token }),
  });
}
