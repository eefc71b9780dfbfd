// The provider settings: an issuer, or plain OAuth 2.0 endpoints, or the embedded dev provider; and
// where plain http may be used (loopback hosts only).
import type { ProviderSettings } from './app-config.ts';
import { fail, flag, httpUrl, isLoopbackHost, read, readOrDefault } from './read-env.ts';
import type { VariableName } from './variables.ts';

/** Which provider: OIDC discovery, plain OAuth 2.0 endpoints, or the embedded dev provider. */
export function readProvider(env: NodeJS.ProcessEnv, isProduction: boolean): ProviderSettings {
  const issuer = read(env, 'OIDC_ISSUER', httpUrl);
  const authorizationEndpoint = read(env, 'OAUTH_AUTHORIZATION_ENDPOINT', httpUrl);
  const tokenEndpoint = read(env, 'OAUTH_TOKEN_ENDPOINT', httpUrl);
  const userinfoEndpoint = read(env, 'OAUTH_USERINFO_ENDPOINT', httpUrl);
  if (issuer && (authorizationEndpoint || tokenEndpoint)) {
    fail('OIDC_ISSUER', 'and OAUTH_*_ENDPOINT are exclusive: set one or the other');
  }
  if (issuer) return { kind: 'oidc', issuer: new URL(issuer) };
  if (authorizationEndpoint || tokenEndpoint) {
    if (!authorizationEndpoint)
      fail('OAUTH_AUTHORIZATION_ENDPOINT', 'is required with OAUTH_TOKEN_ENDPOINT');
    if (!tokenEndpoint)
      fail('OAUTH_TOKEN_ENDPOINT', 'is required with OAUTH_AUTHORIZATION_ENDPOINT');
    return {
      kind: 'oauth2',
      authorizationEndpoint: new URL(authorizationEndpoint),
      tokenEndpoint: new URL(tokenEndpoint),
      ...(userinfoEndpoint && { userinfoEndpoint: new URL(userinfoEndpoint) }),
    };
  }
  if (isProduction)
    fail(
      'OIDC_ISSUER',
      'is required in production (the embedded development provider never runs there)',
    );
  return { kind: 'dev' };
}

/** The provider's origin, to show to people: the issuer's, or the authorization endpoint's. */
export function providerOrigin(provider: ProviderSettings): string {
  return providerUrls(provider)[0]?.origin ?? '';
}

function providerUrls(provider: ProviderSettings): URL[] {
  if (provider.kind === 'oidc') return [provider.issuer];
  if (provider.kind === 'oauth2')
    return [
      provider.authorizationEndpoint,
      provider.tokenEndpoint,
      ...(provider.userinfoEndpoint ? [provider.userinfoEndpoint] : []),
    ];
  return [];
}

/** OIDC_ALLOW_INSECURE_HTTP, honoured for loopback provider URLs only. */
export function readInsecureHttp(env: NodeJS.ProcessEnv, provider: ProviderSettings): boolean {
  const isAllowed = ['true', '1'].includes(readOrDefault(env, 'OIDC_ALLOW_INSECURE_HTTP', flag));
  for (const url of providerUrls(provider)) {
    if (url.protocol !== 'http:') continue;
    if (!isAllowed)
      fail(
        'OIDC_ALLOW_INSECURE_HTTP',
        `must be true to use the http:// provider URL ${url.origin} (loopback only)`,
      );
    if (!isLoopbackHost(url.hostname))
      fail('OIDC_ALLOW_INSECURE_HTTP', `is honoured for loopback hosts only, not ${url.hostname}`);
  }
  return provider.kind === 'dev' || isAllowed;
}

/** An https URL (http only for loopback hosts when insecure http is allowed). */
export function readUrl(
  env: NodeJS.ProcessEnv,
  name: VariableName,
  allowInsecureHttp: boolean,
): URL | undefined {
  const value = read(env, name, httpUrl);
  if (value === undefined) return undefined;
  const url = new URL(value);
  if (url.protocol === 'http:' && !(allowInsecureHttp && isLoopbackHost(url.hostname)))
    fail(name, 'must be https (http only for loopback hosts with OIDC_ALLOW_INSECURE_HTTP=true)');
  return url;
}
