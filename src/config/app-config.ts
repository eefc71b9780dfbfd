// The shape of the validated configuration: what loadConfig reads, and what the rest of the app
// receives once the development services and a session secret are filled in (resolveConfig).

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

/** How log lines are written (LOG_FORMAT): JSON for collectors, or one readable line each. */
export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

export type ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; secret: string }
  | { method: 'private_key_jwt'; privateKeyFile: string; keyId?: string }
  | { method: 'none' };

export interface ClientSettings {
  id: string;
  credentials: ClientCredentials;
}

export type ProviderSettings =
  | { kind: 'oidc'; issuer: URL }
  | { kind: 'oauth2'; authorizationEndpoint: URL; tokenEndpoint: URL; userinfoEndpoint: URL };

export type SessionStoreSettings =
  | { kind: 'sqlite'; path: string }
  | { kind: 'redis'; url: string };

interface SharedConfig {
  isProduction: boolean;
  port: number;
  baseUrl: URL;
  redirectUri: string;
  postLogoutRedirectUri: string;
  client: ClientSettings;
  scopes: string;
  authParams: Record<string, string>;
  /** Pushed authorization requests (RFC 9126), asked for; also used when the provider requires them. */
  usePar: boolean;
  /** DPoP (RFC 9449): tokens bound to a key pair kept with each session's tokens. */
  useDpop: boolean;
  /** http:// provider URLs are accepted: only ever true for loopback hosts. */
  allowInsecureHttp: boolean;
  session: {
    /** Never empty in an AppConfig; empty in a LoadedConfig in development when SESSION_SECRET is unset. */
    secrets: string[];
    store: SessionStoreSettings;
    idleTimeoutMs: number;
    maxAgeMs: number;
    cookieName: string;
    isSecureCookie: boolean;
  };
  tokenEncryptionKeys: Buffer[];
  refreshSkewMs: number;
  httpTimeoutSeconds: number;
  signInLimits: {
    /** Sign-ins started (and callbacks answering none) per client address a minute. */
    perClientPerMinute: number;
    /** Sessions without a signed-in user that may exist at once, all clients together. */
    sessionCeiling: number;
  };
  trustProxy?: number | string;
  logLevel: LogLevel;
  /** Unset: start.ts chooses pretty in development on a terminal, JSON everywhere else. */
  logFormat: LogFormat | undefined;
}

/** The configuration the app runs with: always a provider and an API to call, and a session secret. */
export interface AppConfig extends SharedConfig {
  provider: ProviderSettings;
  resourceUrl: URL;
  isDevProvider: boolean;
}

/** What loadConfig reads from the environment, before the development services start (server.ts/start.ts). */
export type LoadedConfig = SharedConfig &
  (
    | { provider: { kind: 'dev' }; dev: { providerPort: number; apiPort: number } }
    | { provider: ProviderSettings; resourceUrl: URL }
  );
