// Which provider: the embedded dev provider, an OIDC issuer or plain OAuth 2.0 endpoints, with the
// API the app calls; and where plain http may be used for them (loopback hosts only).
import type { ProviderSettings } from './app-config.ts';
import { checkAll, fail, isLoopbackHost, isSet, read } from './read-env.ts';

type ProviderChoice =
  | { provider: { kind: 'dev' }; dev: { providerPort: number; apiPort: number } }
  | { provider: ProviderSettings; resourceUrl: URL };

/**
 * Whether the embedded dev provider runs: outside production, when no provider is configured. Told
 * by which variables are set, valid or not: a provider URL with a typo still means a provider.
 */
export function usesDevProvider(env: NodeJS.ProcessEnv, isProduction: boolean): boolean {
  const providerVariables = [
    'OIDC_ISSUER',
    'OAUTH_AUTHORIZATION_ENDPOINT',
    'OAUTH_TOKEN_ENDPOINT',
    'OAUTH_USERINFO_ENDPOINT',
  ] as const;
  return !isProduction && !providerVariables.some((name) => isSet(env, name));
}

/** The dev provider and the ports of the dev services, or a provider and the API to call. */
export function readProviderChoice(env: NodeJS.ProcessEnv, isDevProvider: boolean): ProviderChoice {
  if (isDevProvider) {
    const dev = {
      providerPort: read(env, 'DEV_PROVIDER_PORT'),
      apiPort: read(env, 'DEV_API_PORT'),
    };
    return { provider: { kind: 'dev' }, dev };
  }
  const [provider, resourceUrl] = checkAll(
    () => readProvider(env),
    () => readResourceUrl(env),
  );
  return { provider, resourceUrl };
}

/** The provider's origin, to show to people: the issuer's, or the authorization endpoint's. */
export function providerOrigin(provider: ProviderSettings): string {
  return (provider.kind === 'oidc' ? provider.issuer : provider.authorizationEndpoint).origin;
}

function readProvider(env: NodeJS.ProcessEnv): ProviderSettings {
  const provider = readProviderUrls(env);
  const isInsecureHttpAllowed = read(env, 'OIDC_ALLOW_INSECURE_HTTP');
  const urls =
    provider.kind === 'oidc'
      ? [provider.issuer]
      : [provider.authorizationEndpoint, provider.tokenEndpoint, provider.userinfoEndpoint];
  for (const url of urls.filter((each) => each.protocol === 'http:')) {
    if (!isInsecureHttpAllowed)
      fail(
        'OIDC_ALLOW_INSECURE_HTTP',
        `must be true to use the http:// provider URL ${url.origin} (loopback only)`,
      );
    if (!isLoopbackHost(url.hostname))
      fail('OIDC_ALLOW_INSECURE_HTTP', `is honoured for loopback hosts only, not ${url.hostname}`);
  }
  return provider;
}

function readProviderUrls(env: NodeJS.ProcessEnv): ProviderSettings {
  const issuer = read(env, 'OIDC_ISSUER');
  const isOAuth = isSet(env, 'OAUTH_AUTHORIZATION_ENDPOINT') || isSet(env, 'OAUTH_TOKEN_ENDPOINT');
  if (issuer && isOAuth) {
    fail('OIDC_ISSUER', 'and OAUTH_*_ENDPOINT are exclusive: set one or the other');
  }
  // Never silently ignored: with an issuer, the user endpoint comes from discovery.
  if (issuer && isSet(env, 'OAUTH_USERINFO_ENDPOINT')) {
    fail(
      'OAUTH_USERINFO_ENDPOINT',
      'is for plain OAuth 2.0 only: with OIDC_ISSUER the UserInfo endpoint is discovered, so unset it',
    );
  }
  if (issuer) return { kind: 'oidc', issuer };
  // Only a user endpoint, or production without any provider (elsewhere that means the dev one).
  if (!isOAuth && !isSet(env, 'OAUTH_USERINFO_ENDPOINT'))
    fail(
      'OIDC_ISSUER',
      'is required in production (the embedded development provider never runs there)',
    );
  const [authorizationEndpoint, tokenEndpoint, userinfoEndpoint] = checkAll(
    () =>
      read(env, 'OAUTH_AUTHORIZATION_ENDPOINT') ??
      fail('OAUTH_AUTHORIZATION_ENDPOINT', 'is required with OAUTH_TOKEN_ENDPOINT'),
    () =>
      read(env, 'OAUTH_TOKEN_ENDPOINT') ??
      fail('OAUTH_TOKEN_ENDPOINT', 'is required with OAUTH_AUTHORIZATION_ENDPOINT'),
    () =>
      read(env, 'OAUTH_USERINFO_ENDPOINT') ??
      fail(
        'OAUTH_USERINFO_ENDPOINT',
        'is required with the OAUTH_* endpoints: plain OAuth 2.0 has no ID token, so the app asks it who signed in',
      ),
  );
  return { kind: 'oauth2', authorizationEndpoint, tokenEndpoint, userinfoEndpoint };
}

/** An https URL (http only for loopback hosts when insecure http is allowed). */
function readResourceUrl(env: NodeJS.ProcessEnv): URL {
  const url = read(env, 'RESOURCE_URL') ?? fail('RESOURCE_URL', 'is required with a provider');
  const isInsecureHttpAllowed = read(env, 'OIDC_ALLOW_INSECURE_HTTP');
  if (url.protocol === 'http:' && !(isInsecureHttpAllowed && isLoopbackHost(url.hostname)))
    fail(
      'RESOURCE_URL',
      'must be https (http only for loopback hosts with OIDC_ALLOW_INSECURE_HTTP=true)',
    );
  return url;
}
