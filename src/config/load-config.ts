// Environment → one frozen, typed AppConfig, validated once at start-up. The only reader of env
// variables; a bad value throws a ConfigError of one line: variable, problem, example.
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { type VariableName, variables } from './variables.ts';

export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'private_key_jwt'
  | 'none';

export type ProviderSettings =
  | { kind: 'dev' }
  | { kind: 'oidc'; issuer: URL }
  | { kind: 'oauth2'; authorizationEndpoint: URL; tokenEndpoint: URL; userinfoEndpoint?: URL };

export interface AppConfig {
  isProduction: boolean;
  port: number;
  baseUrl: URL;
  redirectUri: string;
  postLogoutRedirectUri: string;
  provider: ProviderSettings;
  /** The embedded development provider is in use (set by withDevProvider). */
  isDevProvider: boolean;
  client: {
    id: string;
    secret?: string;
    authMethod: ClientAuthMethod;
    privateKeyFile?: string;
    keyId?: string;
  };
  scopes: string;
  authParams: Record<string, string>;
  /** http:// provider URLs are accepted: only ever true for loopback hosts. */
  allowInsecureHttp: boolean;
  /** Undefined only with the dev provider, whose demo API address is known once it runs. */
  resourceUrl?: URL;
  session: {
    /** Empty in development when SESSION_SECRET is unset: server.ts supplies one. */
    secrets: string[];
    store: 'sqlite' | 'redis';
    dbPath: string;
    redisUrl?: string;
    idleTimeoutMs: number;
    maxAgeMs: number;
    cookieName: string;
    isSecureCookie: boolean;
  };
  tokenEncryptionKeys: Buffer[];
  refreshSkewMs: number;
  httpTimeoutSeconds: number;
  signInRateLimitPerMinute: number;
  trustProxy?: boolean | number | string;
  logLevel: string;
  dev: { providerPort: number; apiPort: number };
}

/** The client the embedded dev provider registers; never used with a real provider. */
export const devClient = { id: 'oauth-express-reference', secret: 'dev-only-client-secret' };

const wholeNumber = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number');
const port = wholeNumber
  .min(0, 'must be a port from 0 to 65535')
  .max(65535, 'must be a port from 0 to 65535');
const seconds = wholeNumber.min(1, 'must be at least 1');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' });
const base64Key = z
  .string()
  .refine((k) => Buffer.from(k, 'base64').length === 32, 'each key must be 32 bytes in base64');

function read<T>(env: NodeJS.ProcessEnv, name: VariableName, schema: z.ZodType<T>): T | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const variable: { isSecret?: boolean; example: string } = variables[name];
  const shown = variable.isSecret ? '' : ` (got "${raw}")`;
  const problem = result.error.issues[0]?.message ?? 'is invalid';
  throw new ConfigError(`${name} ${problem}${shown}; example: ${name}=${variable.example}`);
}

function fail(name: VariableName, problem: string): never {
  throw new ConfigError(`${name} ${problem}; example: ${name}=${variables[name].example}`);
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Reads and validates the configuration; throws ConfigError on the first bad value. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const isProduction = env.NODE_ENV === 'production';
  const listenPort = read(env, 'PORT', port) ?? 3000;
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
  const allowInsecureHttp = readInsecureHttp(env, provider);

  const authMethod =
    read(
      env,
      'OIDC_CLIENT_AUTH_METHOD',
      z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'], {
        error: 'must be client_secret_basic, client_secret_post, private_key_jwt or none',
      }),
    ) ?? 'client_secret_basic';
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

  const secrets = (read(env, 'SESSION_SECRET', z.string()) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets.some((s) => s.length < 32))
    fail('SESSION_SECRET', 'needs at least 32 characters per secret');
  if (isProduction && secrets.length === 0) fail('SESSION_SECRET', 'is required in production');
  const store =
    read(env, 'SESSION_STORE', z.enum(['sqlite', 'redis'], { error: 'must be sqlite or redis' })) ??
    'sqlite';
  const redisUrl = read(
    env,
    'REDIS_URL',
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
  );
  if (store === 'redis' && !redisUrl) fail('REDIS_URL', 'is required with SESSION_STORE=redis');

  const tokenEncryptionKeys = (read(env, 'TOKEN_ENCRYPTION_KEY', z.string()) ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => {
      if (!base64Key.safeParse(k).success)
        fail('TOKEN_ENCRYPTION_KEY', 'needs 32-byte keys in base64');
      return Buffer.from(k, 'base64');
    });
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
    scopes: read(env, 'OIDC_SCOPES', z.string()) ?? 'openid profile email offline_access',
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
      dbPath: read(env, 'SESSION_DB_PATH', z.string()) ?? 'data/sessions.db',
      redisUrl,
      idleTimeoutMs: (read(env, 'SESSION_IDLE_TIMEOUT_SECONDS', seconds) ?? 1800) * 1000,
      maxAgeMs: (read(env, 'SESSION_MAX_AGE_SECONDS', seconds) ?? 28800) * 1000,
      // `__Host-` makes browsers refuse the cookie unless it is Secure, host-only and Path=/.
      cookieName: isHttps ? '__Host-oer.sid' : 'oer.sid',
      isSecureCookie: isHttps,
    },
    tokenEncryptionKeys,
    refreshSkewMs:
      (read(env, 'TOKEN_REFRESH_SKEW_SECONDS', z.coerce.number().int().min(0)) ?? 60) * 1000,
    httpTimeoutSeconds: read(env, 'HTTP_TIMEOUT_SECONDS', seconds) ?? 10,
    signInRateLimitPerMinute: read(env, 'SIGN_IN_RATE_LIMIT_PER_MINUTE', seconds) ?? 30,
    trustProxy: readTrustProxy(env, isHttps),
    logLevel:
      read(
        env,
        'LOG_LEVEL',
        z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'must be fatal, error, warn, info, debug, trace or silent',
        }),
      ) ?? 'info',
    dev: {
      providerPort: read(env, 'DEV_PROVIDER_PORT', port) ?? 3001,
      apiPort: read(env, 'DEV_API_PORT', port) ?? 3002,
    },
  };
  return deepFreeze(config);
}

function readProvider(env: NodeJS.ProcessEnv, isProduction: boolean): ProviderSettings {
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

function readInsecureHttp(env: NodeJS.ProcessEnv, provider: ProviderSettings): boolean {
  const isAllowed = ['true', '1'].includes(read(env, 'OIDC_ALLOW_INSECURE_HTTP', flag) ?? 'false');
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

function readUrl(
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
  return trustProxy;
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL) && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The same config with the embedded dev provider's addresses filled in. */
export function withDevProvider(config: AppConfig, issuer: string, resourceUrl: string): AppConfig {
  return deepFreeze({
    ...config,
    provider: { kind: 'oidc', issuer: new URL(issuer) },
    isDevProvider: true,
    resourceUrl: new URL(resourceUrl),
    allowInsecureHttp: true,
    // The demo API's scope, so its answer shows what the token grants.
    scopes: config.scopes.split(' ').includes('api:read')
      ? config.scopes
      : `${config.scopes} api:read`,
    // The dev provider issues refresh tokens (offline_access) only with prompt=consent.
    authParams: { prompt: 'consent', ...config.authParams },
  });
}
