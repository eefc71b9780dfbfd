// The shape of the validated configuration that the rest of the app receives.

/** How the app authenticates at the token endpoint (OIDC_CLIENT_AUTH_METHOD). */
export const clientAuthMethods = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
] as const;
export type ClientAuthMethod = (typeof clientAuthMethods)[number];

/** pino's log levels (LOG_LEVEL). */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

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
  logLevel: LogLevel;
  dev: { providerPort: number; apiPort: number };
}
