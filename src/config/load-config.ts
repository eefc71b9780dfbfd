// Environment → one frozen, typed LoadedConfig, validated once at start-up. The only reader of env
// variables; every bad value is reported at once, one line each: variable, problem, example.
import type { LoadedConfig, SessionStoreSettings } from './app-config.ts';
import { readClient } from './read-client.ts';
import { checkAll, fail, isLoopbackHost, isSet, read, readEveryVariable } from './read-env.ts';
import { readProviderChoice, usesDevProvider } from './read-provider.ts';
import { deepFreeze } from './resolve-config.ts';
import type { VariableName } from './variables.ts';

export type { AppConfig, LoadedConfig } from './app-config.ts';
export { devClient } from './read-client.ts';

/** Reads and validates the configuration; throws one ConfigError that lists every problem. */
export function loadConfig(env: NodeJS.ProcessEnv): LoadedConfig {
  const isProduction = read(env, 'NODE_ENV') === 'production';
  const isDevProvider = usesDevProvider(env, isProduction);
  const [, site, providerChoice, client, secrets, store, usePar, tokenEncryptionKeys] = checkAll(
    () => readEveryVariable(env),
    () => readSite(env, isProduction, isDevProvider),
    () => readProviderChoice(env, isDevProvider),
    () => readClient(env, isDevProvider),
    () => requiredInProduction(isProduction, 'SESSION_SECRET', read(env, 'SESSION_SECRET') ?? []),
    () => readStore(env),
    () => readPushedRequests(env),
    () =>
      requiredInProduction(
        isProduction,
        'TOKEN_ENCRYPTION_KEY',
        read(env, 'TOKEN_ENCRYPTION_KEY') ?? [],
      ),
  );
  // Every variable parsed: the values read below cannot fail.
  const { baseUrl, trustProxy } = site;
  const isHttps = baseUrl.protocol === 'https:';
  const config: LoadedConfig = {
    isProduction,
    port: read(env, 'PORT'),
    baseUrl,
    redirectUri: `${baseUrl.origin}/callback`,
    postLogoutRedirectUri: `${baseUrl.origin}/`,
    ...providerChoice,
    client,
    scopes: read(env, 'OIDC_SCOPES'),
    authParams: read(env, 'OIDC_AUTH_PARAMS') ?? {},
    usePar,
    useDpop: read(env, 'OIDC_USE_DPOP'),
    allowInsecureHttp: isDevProvider || read(env, 'OIDC_ALLOW_INSECURE_HTTP'),
    session: {
      secrets,
      store,
      idleTimeoutMs: read(env, 'SESSION_IDLE_TIMEOUT_SECONDS') * 1000,
      maxAgeMs: read(env, 'SESSION_MAX_AGE_SECONDS') * 1000,
      // `__Host-` makes browsers refuse the cookie unless it is Secure, host-only and Path=/.
      cookieName: isHttps ? '__Host-oer.sid' : 'oer.sid',
      isSecureCookie: isHttps,
    },
    tokenEncryptionKeys,
    refreshSkewMs: read(env, 'TOKEN_REFRESH_SKEW_SECONDS') * 1000,
    httpTimeoutSeconds: read(env, 'HTTP_TIMEOUT_SECONDS'),
    signInLimits: {
      perClientPerMinute: read(env, 'SIGN_IN_RATE_LIMIT_PER_MINUTE'),
      sessionCeiling: read(env, 'SIGN_IN_SESSION_CEILING'),
    },
    trustProxy,
    logLevel: read(env, 'LOG_LEVEL'),
    logFormat: read(env, 'LOG_FORMAT'),
  };
  return deepFreeze(config);
}

/** The app's public URL, and the proxy in front of it when that URL is https. */
function readSite(env: NodeJS.ProcessEnv, isProduction: boolean, isDevProvider: boolean) {
  const [baseUrl, trustProxy] = checkAll(
    () => readBaseUrl(env, isProduction, isDevProvider),
    () => readTrustProxy(env),
  );
  // The app itself speaks plain HTTP: an https URL means a TLS-terminating proxy in front of it,
  // and only a trusted X-Forwarded-Proto lets it send Secure cookies (without, every sign-in fails).
  if (baseUrl.protocol === 'https:' && trustProxy === undefined)
    fail('TRUST_PROXY', 'must name the TLS-terminating proxy in front of an https APP_BASE_URL');
  return { baseUrl, trustProxy };
}

function readBaseUrl(env: NodeJS.ProcessEnv, isProduction: boolean, isDevProvider: boolean): URL {
  const baseUrl = read(env, 'APP_BASE_URL') ?? new URL(`http://localhost:${read(env, 'PORT')}`);
  if (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash) {
    fail('APP_BASE_URL', 'must be an origin without a path, query or fragment');
  }
  if (isProduction && baseUrl.protocol !== 'https:' && !isLoopbackHost(baseUrl.hostname)) {
    fail('APP_BASE_URL', 'must be https in production (cookies would travel in clear)');
  }
  // The dev provider accepts any username: it only ever serves a developer's own machine.
  if (isDevProvider && !isLoopbackHost(baseUrl.hostname)) {
    fail(
      'OIDC_ISSUER',
      `is required when APP_BASE_URL is not a loopback address (${baseUrl.hostname})`,
    );
  }
  return baseUrl;
}

function readTrustProxy(env: NodeJS.ProcessEnv): number | string | undefined {
  const trustProxy = read(env, 'TRUST_PROXY');
  // `true` trusts every X-Forwarded-For hop, so any client could pick its IP (and dodge rate
  // limits). A hop count is accepted, but the proxy's addresses are safer (see the variable's doc).
  if (trustProxy === true)
    fail('TRUST_PROXY', 'must be a hop count or the proxy addresses, not true');
  return trustProxy;
}

function readStore(env: NodeJS.ProcessEnv): SessionStoreSettings {
  switch (read(env, 'SESSION_STORE')) {
    case 'sqlite':
      return { kind: 'sqlite', path: read(env, 'SESSION_DB_PATH') };
    case 'redis': {
      const url =
        read(env, 'REDIS_URL') ?? fail('REDIS_URL', 'is required with SESSION_STORE=redis');
      return { kind: 'redis', url };
    }
  }
}

function readPushedRequests(env: NodeJS.ProcessEnv): boolean {
  const usePar = read(env, 'OIDC_USE_PAR');
  // RFC 9126 §5: the pushed-request endpoint is named in the provider's metadata, from discovery.
  if (usePar && (isSet(env, 'OAUTH_AUTHORIZATION_ENDPOINT') || isSet(env, 'OAUTH_TOKEN_ENDPOINT')))
    fail('OIDC_USE_PAR', 'needs OIDC_ISSUER: only discovery names the pushed-request endpoint');
  return usePar;
}

function requiredInProduction<T>(isProduction: boolean, name: VariableName, list: T[]): T[] {
  if (isProduction && list.length === 0) fail(name, 'is required in production');
  return list;
}
