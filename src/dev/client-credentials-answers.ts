// How the dev provider answers an application asking for a token of its own (the client
// credentials grant) where oidc-provider's defaults differ from RFC 6749 §5.2 and from what hosted
// providers answer, so `npm run client-credentials` meets the errors it will meet elsewhere.
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

type Middleware = Parameters<Provider['use']>[0];

/**
 * RFC 6749 §5.2 `invalid_scope`: the requested scope is "invalid, unknown, malformed". Left alone,
 * oidc-provider drops the scopes an API does not know from a client credentials token, silently.
 */
export function refuseUnknownScopes(ctx: KoaContextWithOIDC, apiScopes: readonly string[]): void {
  if (ctx.oidc.params?.grant_type !== 'client_credentials') return;
  const unknown = [...ctx.oidc.requestParamScopes].filter((scope) => !apiScopes.includes(scope));
  if (unknown.length > 0) {
    throw new errors.InvalidScope('requested scope is not allowed', unknown.join(' '));
  }
}

/**
 * RFC 6749 §5.2 `unauthorized_client`: "not authorized to use this authorization grant type".
 * oidc-provider answers `invalid_request` instead; this middleware corrects the code.
 */
export function answerUnauthorizedClient(): Middleware {
  return async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (
      ctx.status === 400 &&
      body?.error === 'invalid_request' &&
      body.error_description === 'requested grant type is not allowed for this client'
    ) {
      ctx.body = { ...body, error: 'unauthorized_client' };
    }
  };
}
