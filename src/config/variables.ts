// Every environment variable the app reads, declared once: its doc line, default, example and parser.
// The README's configuration table and .env.example list the same names (a unit test keeps them in step).
import { z } from 'zod';
import { clientAuthMethods, logFormats, logLevels } from './app-config.ts';
import {
  base64Key,
  commaList,
  flag,
  httpUrl,
  listOf,
  oneOf,
  port,
  positive,
  queryString,
  sessionSeconds,
  text,
  trustProxy,
  wholeNumber,
} from './value-schemas.ts';

export interface Variable {
  /** Turns the trimmed, non-empty text into the value the app uses; its issue is the error message. */
  parse: z.ZodType;
  doc: string;
  example: string;
  /** The value used when the variable is unset, parsed like one that is set. */
  default?: string;
  /** What happens when it is unset, where that is not a plain value (shown in the README). */
  defaultNote?: string;
  /** Never echoed in error messages. */
  isSecret?: boolean;
}

export const variables = {
  NODE_ENV: {
    doc: '`production` turns on the production refusals',
    example: 'production',
    parse: text,
  },
  PORT: {
    doc: 'Port the app listens on (on loopback only in development with a loopback `APP_BASE_URL`)',
    example: '3000',
    default: '3000',
    parse: port,
  },
  APP_BASE_URL: {
    doc: 'Public URL of the app; the redirect URI is `APP_BASE_URL/callback`, the post-logout URI `APP_BASE_URL/`',
    example: 'https://app.example.com',
    defaultNote: 'http://localhost:$PORT',
    parse: httpUrl,
  },
  OIDC_ISSUER: {
    doc: 'Issuer URL of the OpenID provider (discovery). Unset outside production: the embedded development provider starts',
    example: 'https://accounts.google.com',
    parse: httpUrl,
  },
  OIDC_CLIENT_ID: { doc: 'Client id registered at the provider', example: 'my-app', parse: text },
  OIDC_CLIENT_SECRET: {
    doc: 'Client secret (not with `none` or `private_key_jwt`)',
    example: 's3cr3t',
    isSecret: true,
    parse: text,
  },
  OIDC_CLIENT_AUTH_METHOD: {
    doc: `Token endpoint authentication: ${listOf(clientAuthMethods, '`')}`,
    example: 'client_secret_post',
    default: 'client_secret_basic',
    parse: oneOf(clientAuthMethods),
  },
  OIDC_CLIENT_PRIVATE_KEY_FILE: {
    doc: 'PEM (PKCS#8) private key for `private_key_jwt`',
    example: '/run/secrets/oidc-key.pem',
    parse: text,
  },
  OIDC_CLIENT_KEY_ID: {
    doc: 'Key id (`kid`) of that private key, if the provider needs one',
    example: 'key-1',
    parse: text,
  },
  OIDC_SCOPES: {
    doc: 'Scopes to request, space-separated',
    example: 'openid profile email',
    default: 'openid profile email offline_access',
    parse: text,
  },
  OIDC_AUTH_PARAMS: {
    doc: 'Extra authorization parameters as a query string',
    example: 'audience=https://api.example.com',
    parse: queryString,
  },
  OIDC_ALLOW_INSECURE_HTTP: {
    doc: 'Allow an http:// issuer; honoured for loopback hosts only',
    example: 'true',
    default: 'false',
    parse: flag,
  },
  OIDC_USE_PAR: {
    doc: 'Push the authorization request to the provider first (RFC 9126): the browser carries only `client_id` and `request_uri`. Automatic when the provider requires it',
    example: 'true',
    default: 'false',
    parse: flag,
  },
  OIDC_USE_DPOP: {
    doc: 'Bind the tokens to a key pair kept per session (DPoP, RFC 9449): every token request and API call carries a proof signed with it',
    example: 'true',
    default: 'false',
    parse: flag,
  },
  OAUTH_AUTHORIZATION_ENDPOINT: {
    doc: 'Plain OAuth 2.0 provider without discovery (e.g. GitHub): its authorization endpoint; used instead of `OIDC_ISSUER`',
    example: 'https://github.com/login/oauth/authorize',
    parse: httpUrl,
  },
  OAUTH_TOKEN_ENDPOINT: {
    doc: 'Its token endpoint',
    example: 'https://github.com/login/oauth/access_token',
    parse: httpUrl,
  },
  OAUTH_USERINFO_ENDPOINT: {
    doc: 'Its user endpoint, required with the other two: plain OAuth 2.0 has no ID token, and its JSON names the signed-in user',
    example: 'https://api.github.com/user',
    parse: httpUrl,
  },
  RESOURCE_URL: {
    doc: 'The protected API that `/resource` calls with the access token',
    example: 'https://api.example.com/me',
    defaultNote: 'the demo API',
    parse: httpUrl,
  },
  SESSION_SECRET: {
    doc: 'Cookie signing secret(s), comma-separated for rotation (the first signs). Required in production',
    example: 'use-at-least-32-random-characters-here',
    defaultNote: 'generated in development',
    isSecret: true,
    parse: commaList(text.min(32, 'needs at least 32 characters per secret')),
  },
  SESSION_STORE: {
    doc: '`sqlite` (embedded, survives restarts) or `redis` (several instances)',
    example: 'redis',
    default: 'sqlite',
    parse: oneOf(['sqlite', 'redis']),
  },
  SESSION_DB_PATH: {
    doc: 'SQLite file for sessions and tokens',
    example: '/var/lib/app/sessions.db',
    default: 'data/sessions.db',
    parse: text,
  },
  REDIS_URL: {
    doc: 'Redis connection URL, with `SESSION_STORE=redis`',
    example: 'redis://localhost:6379',
    isSecret: true,
    parse: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
  },
  SESSION_IDLE_TIMEOUT_SECONDS: {
    doc: 'A session unused this long ends, or up to a tenth of it sooner (at least 120)',
    example: '900',
    default: '1800',
    parse: sessionSeconds,
  },
  SESSION_MAX_AGE_SECONDS: {
    doc: 'A session ends this long after sign-in, used or not (at least 120)',
    example: '43200',
    default: '28800',
    parse: sessionSeconds,
  },
  TOKEN_ENCRYPTION_KEY: {
    doc: 'Base64 32-byte key(s), comma-separated for rotation (the first encrypts): tokens and session data are encrypted at rest (AES-256-GCM), bound to their session. Required in production',
    example: '$(openssl rand -base64 32)',
    isSecret: true,
    parse: commaList(base64Key),
  },
  TOKEN_REFRESH_SKEW_SECONDS: {
    doc: 'Refresh the access token this long before it expires (never before half its lifetime)',
    example: '30',
    default: '60',
    parse: wholeNumber.min(0, 'must not be negative'),
  },
  HTTP_TIMEOUT_SECONDS: {
    doc: 'Timeout of every call to the provider and the API',
    example: '5',
    default: '10',
    parse: positive,
  },
  // The trade-offs of these three: README (notes under the configuration table) and decision 012.
  SIGN_IN_RATE_LIMIT_PER_MINUTE: {
    doc: 'Sign-ins one client address may start a minute (`/login`, and callbacks answering none; a callback finishing a sign-in is never refused). Over it: 429',
    example: '600',
    default: '300',
    parse: positive,
  },
  SIGN_IN_SESSION_CEILING: {
    doc: 'Sign-ins in progress at once, all addresses together (at most 1 kB each in the store). Over it, `/login` answers 503 with Retry-After',
    example: '50000',
    default: '10000',
    parse: positive,
  },
  TRUST_PROXY: {
    doc: "Express `trust proxy` behind a TLS-terminating proxy: the proxy's addresses (a hop count also believes a client that reaches the app directly). Required with an https `APP_BASE_URL`",
    example: '10.0.0.2',
    parse: trustProxy,
  },
  LOG_LEVEL: {
    doc: `pino log level: ${listOf(logLevels, '`')}`,
    example: 'debug',
    default: 'info',
    parse: oneOf(logLevels),
  },
  LOG_FORMAT: {
    doc: '`json` (one JSON object a line, for a log collector) or `pretty` (one readable line each, on standard output)',
    example: 'json',
    defaultNote: '`pretty` on a dev terminal, else `json`',
    parse: oneOf(logFormats),
  },
  DEV_PROVIDER_PORT: {
    doc: 'Port of the embedded development provider',
    example: '4001',
    default: '3001',
    parse: port,
  },
  DEV_API_PORT: {
    doc: 'Port of the demo protected API',
    example: '4002',
    default: '3002',
    parse: port,
  },
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof variables;
