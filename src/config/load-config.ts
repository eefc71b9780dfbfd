// Environment → one frozen, typed AppConfig, validated once at start-up. The only reader of env
// variables; a bad value throws a ConfigError of one line: variable, problem, example.
import { z } from 'zod';
import { type AppConfig, clientAuthMethods, logLevels } from './app-config.ts';
import { deepFreeze } from './derive-config.ts';
import {
  base64Key,
  commaList,
  fail,
  httpUrl,
  isLoopbackHost,
  oneOf,
  port,
  positive,
  read,
  readOrDefault,
  sessionSeconds,
  wholeNumber,
} from './read-env.ts';
import { readInsecureHttp, readProvider, readUrl } from './read-provider.ts';

export type { AppConfig } from './app-config.ts';

/** The client the embedded dev provider registers; never used with a real provider. */
export const devClient = { id: 'oauth-express-reference', secret: 'dev-only-client-secret' };

/** Reads and validates the configuration; throws ConfigError on the first bad value. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const isProduction = env.NODE_ENV === 'production';
  const listenPort = readOrDefault(env, 'PORT', port);
  const baseUrl = new URL(read(env, 'APP_BASE_URL', httpUrl) ?? `http://localhost:${listenPort}`);
  if (baseUrl.pathname !== '/' || baseUrl.search || baseUrl.hash) {
    fail('APP_BASE_URL', 'must be an origin without a path, query or fragment');
  }
  const origin = baseUrl.origin;
  const isHttps = baseUrl.protocol === 'https:';
  if (isProduction && !isHttps && !isLoopbackHost(baseUrl.hostname)) {
    fail('APP_BASE_URL', 'must be https in production (cookies would travel in clear)');
  }

  const provider = readProvider(env, isProduction);
  const isDev = provider.kind === 'dev';
  // The dev provider accepts any username: it only ever serves a developer's own machine.
  if (isDev && !isLoopbackHost(baseUrl.hostname)) {
    fail(
      'OIDC_ISSUER',
      `is required when APP_BASE_URL is not a loopback address (${baseUrl.hostname})`,
    );
  }
  const allowInsecureHttp = readInsecureHttp(env, provider);

  const authMethod = readOrDefault(env, 'OIDC_CLIENT_AUTH_METHOD', oneOf(clientAuthMethods));
  const client = {
    id:
      read(env, 'OIDC_CLIENT_ID', z.string()) ??
      (isDev ? devClient.id : fail('OIDC_CLIENT_ID', 'is required with a provider')),
    secret: read(env, 'OIDC_CLIENT_SECRET', z.string()) ?? (isDev ? devClient.secret : undefined),
    authMethod,
    privateKeyFile: read(env, 'OIDC_CLIENT_PRIVATE_KEY_FILE', z.string()),
    keyId: read(env, 'OIDC_CLIENT_KEY_ID', z.string()),
  };
  if (authMethod.startsWith('client_secret') && !client.secret)
    fail('OIDC_CLIENT_SECRET', `is required with ${authMethod}`);
  if (authMethod === 'private_key_jwt' && !client.privateKeyFile)
    fail('OIDC_CLIENT_PRIVATE_KEY_FILE', 'is required with private_key_jwt');

  const secrets =
    read(
      env,
      'SESSION_SECRET',
      commaList(z.string().min(32, 'needs at least 32 characters per secret')),
    ) ?? [];
  if (isProduction && secrets.length === 0) fail('SESSION_SECRET', 'is required in production');
  const store = readOrDefault(
    env,
    'SESSION_STORE',
    z.enum(['sqlite', 'redis'], { error: 'must be sqlite or redis' }),
  );
  const redisUrl = read(
    env,
    'REDIS_URL',
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
  );
  if (store === 'redis' && !redisUrl) fail('REDIS_URL', 'is required with SESSION_STORE=redis');

  const tokenEncryptionKeys = read(env, 'TOKEN_ENCRYPTION_KEY', commaList(base64Key)) ?? [];
  if (isProduction && tokenEncryptionKeys.length === 0)
    fail('TOKEN_ENCRYPTION_KEY', 'is required in production');

  const config: AppConfig = {
    isProduction,
    port: listenPort,
    baseUrl,
    redirectUri: `${origin}/callback`,
    postLogoutRedirectUri: `${origin}/`,
    provider,
    isDevProvider: false,
    client,
    scopes: readOrDefault(env, 'OIDC_SCOPES', z.string()),
    authParams: Object.fromEntries(
      new URLSearchParams(read(env, 'OIDC_AUTH_PARAMS', z.string()) ?? ''),
    ),
    allowInsecureHttp,
    resourceUrl:
      readUrl(env, 'RESOURCE_URL', allowInsecureHttp) ??
      (isDev ? undefined : fail('RESOURCE_URL', 'is required with a provider')),
    session: {
      secrets,
      store,
      dbPath: readOrDefault(env, 'SESSION_DB_PATH', z.string()),
      redisUrl,
      idleTimeoutMs: readOrDefault(env, 'SESSION_IDLE_TIMEOUT_SECONDS', sessionSeconds) * 1000,
      maxAgeMs: readOrDefault(env, 'SESSION_MAX_AGE_SECONDS', sessionSeconds) * 1000,
      // `__Host-` makes browsers refuse the cookie unless it is Secure, host-only and Path=/.
      cookieName: isHttps ? '__Host-oer.sid' : 'oer.sid',
      isSecureCookie: isHttps,
    },
    tokenEncryptionKeys,
    refreshSkewMs:
      readOrDefault(env, 'TOKEN_REFRESH_SKEW_SECONDS', wholeNumber.min(0, 'must not be negative')) *
      1000,
    httpTimeoutSeconds: readOrDefault(env, 'HTTP_TIMEOUT_SECONDS', positive),
    signInRateLimitPerMinute: readOrDefault(env, 'SIGN_IN_RATE_LIMIT_PER_MINUTE', positive),
    trustProxy: readTrustProxy(env, isHttps),
    logLevel: readOrDefault(env, 'LOG_LEVEL', oneOf(logLevels)),
    dev: {
      providerPort: readOrDefault(env, 'DEV_PROVIDER_PORT', port),
      apiPort: readOrDefault(env, 'DEV_API_PORT', port),
    },
  };
  return deepFreeze(config);
}

function readTrustProxy(
  env: NodeJS.ProcessEnv,
  isHttps: boolean,
): boolean | number | string | undefined {
  const trustProxy = read(env, 'TRUST_PROXY', z.string().transform(parseTrustProxy));
  // The app itself speaks plain HTTP: an https URL means a TLS-terminating proxy in front of it,
  // and only a trusted X-Forwarded-Proto lets it send Secure cookies (without, every sign-in fails).
  if (isHttps && (trustProxy === undefined || trustProxy === false)) {
    fail('TRUST_PROXY', 'must name the TLS-terminating proxy in front of an https APP_BASE_URL');
  }
  // `true` trusts every X-Forwarded-For hop, so any client could pick its IP (and dodge rate limits).
  if (trustProxy === true)
    fail('TRUST_PROXY', 'must be a hop count or the proxy addresses, not true');
  return trustProxy;
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
