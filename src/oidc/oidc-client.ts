// The app's one door to the identity provider: every openid-client call goes through here, with
// the cached provider configuration, a timeout, the flow recorder, and errors mapped to AppErrors.

import type { ClientAuth, Configuration } from 'openid-client';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.ts';
import { LogoutTokenError } from '../errors.ts';
import type { FlowStep, Identity, PendingLogin, StoredTokens } from '../protocol.ts';
import { describeDiscovery } from '../recorder/describe-discovery.ts';
import { type FetchLike, recordingFetch } from '../recorder/flow-recorder.ts';
import { createConfigurationLoader } from './configuration-loader.ts';
import { createDpopSigner } from './dpop.ts';
import { fetchWithUndici } from './fetch-with-undici.ts';
import { createSigningKeys, type IdTokenSigningKeys } from './id-token-signature.ts';
import {
  type AuthorizationRequest,
  createAuthorizationRequest,
  exchangeCode,
  type SignInWarning,
} from './login.ts';
import {
  createLogoutTokenVerifier,
  type LogoutTokenVerifier,
  type VerifiedLogoutToken,
} from './logout-token.ts';
import { mapProviderError, type ProviderStep } from './map-error.ts';
import { discoveryUrl } from './provider-checks.ts';
import { callResource, type ResourceAnswer } from './resource.ts';
import {
  buildLogoutUrl,
  refreshTokens,
  requestApplicationToken,
  revokeRefreshToken,
} from './tokens.ts';

export interface OidcClient {
  /** Loads the provider metadata now (start-up, readiness); rejects with a ProviderError. */
  discover(): Promise<void>;
  /**
   * The discovery this process made (once, for every user), as a /flow step; undefined before it
   * succeeded, and with plain OAuth 2.0 (its endpoints are configured, not discovered).
   */
  discoveryStep(): FlowStep | undefined;
  /** Origins a sign-out may redirect to (issuer, end-session endpoint), for the CSP's form-action. */
  providerOrigins(): string[];
  /** A fresh authorization request: PKCE verifier and S256 challenge, state, nonce, and its URL. */
  createAuthorizationRequest(): Promise<AuthorizationRequest>;
  /**
   * Checks the callback and exchanges its code for tokens, with the identity they establish and
   * what the sign-in survived that the operator should know (for the log).
   */
  exchangeCode(callback: {
    params: URLSearchParams;
    state: string;
    pending: PendingLogin;
    now: number;
  }): Promise<{ tokens: StoredTokens; identity: Identity; warnings: SignInWarning[] }>;
  /** The refresh_token grant; a new ID token must name `subject`. */
  refreshTokens(tokens: StoredTokens, now: number, subject: string): Promise<StoredTokens>;
  /** Revokes a refresh token (RFC 7009); false when the provider has no revocation endpoint. */
  revokeRefreshToken(refreshToken: string): Promise<boolean>;
  /** The provider's end-session URL (RP-Initiated Logout), or undefined when it has none. */
  buildLogoutUrl(idToken: string | undefined): Promise<URL | undefined>;
  /** GETs RESOURCE_URL with the access token: as a Bearer credential, or with a DPoP proof when bound. */
  callResource(tokens: Pick<StoredTokens, 'accessToken' | 'dpopKey'>): Promise<ResourceAnswer>;
  /**
   * The client credentials grant (RFC 6749 §4.4): a token for this application itself, no user.
   * Rejects with ApplicationTokenError when the provider refuses (its OAuth error code says why),
   * with a ProviderError when it cannot be reached.
   */
  requestApplicationToken(parameters: Record<string, string>, now: number): Promise<StoredTokens>;
  /**
   * Verifies a back-channel logout token; rejects with LogoutTokenError (400) when it is not good.
   * Whether its jti was used before is the caller's check (the store every instance shares).
   */
  verifyLogoutToken(token: string): Promise<VerifiedLogoutToken>;
}

export type { SignInWarning };

export interface OidcClientOptions {
  logger: Logger;
  /** How the client authenticates to the provider: `createClientAuth(config.client.credentials)`. */
  clientAuth: ClientAuth;
  /** Epoch milliseconds (the app's clock), to time the discovery /flow shows. */
  now?: () => number;
}

/** Creates the client; nothing is fetched until the first call. */
export function createOidcClient(config: AppConfig, options: OidcClientOptions): OidcClient {
  // Every call is logged (never its query: it may carry a code or a token) and recorded for /flow.
  const { logger } = options;
  const logged: FetchLike = async (url, init) => {
    const started = performance.now();
    const upstream = () => {
      const target = new URL(url);
      return `${init.method ?? 'GET'} ${target.origin}${target.pathname}`;
    };
    try {
      // Not the global fetch: about half its CPU per call (an API GET via openid-client, 20,000
      // calls, 32 at a time, loopback: 100–140 µs against 180–250 µs). Decision 014.
      const response = await fetchWithUndici(url, init);
      if (logger.isLevelEnabled('debug')) {
        const ms = Math.round(performance.now() - started);
        logger.debug({ upstream: upstream(), status: response.status, ms }, 'upstream call');
      }
      return response;
    } catch (error) {
      logger.debug({ upstream: upstream(), err: error }, 'upstream call failed');
      throw error;
    }
  };
  const recorded = recordingFetch(logged);
  const loader = createConfigurationLoader(config, options.clientAuth, recorded, options.now);
  // Signs the proofs of DPoP-bound tokens, whenever they were issued (even if DPoP is now off).
  const dpop = createDpopSigner();
  const settings = {
    redirectUri: config.redirectUri,
    scopes: config.scopes,
    authParams: config.authParams,
    identitySource:
      config.provider.kind === 'oidc'
        ? ({ kind: 'id-token' } as const)
        : ({ kind: 'user-endpoint', url: config.provider.userinfoEndpoint } as const),
    usePar: config.usePar,
    ...(config.useDpop && { dpop }),
  };

  let origins: { from?: Configuration; list: string[] } = { list: [] };
  let discovery: { from?: Configuration; step?: FlowStep } = {};
  // One key set per client, shared by the ID token and logout token checks: fetched on first use
  // through the recording fetch (so /flow shows it), cached, and fetched again for an unknown kid.
  const { credentials } = config.client;
  const signingOptions = {
    fetch: recorded,
    timeoutMs: config.httpTimeoutSeconds * 1000,
    clientSecret: 'secret' in credentials ? credentials.secret : undefined,
  };
  let signing: { from: Configuration; keys: IdTokenSigningKeys } | undefined;
  let logoutVerifier: { from: Configuration; verify: LogoutTokenVerifier } | undefined;

  function signingKeysOf(configuration: Configuration): IdTokenSigningKeys {
    if (signing?.from !== configuration) {
      const keys = createSigningKeys(configuration.serverMetadata(), signingOptions);
      signing = { from: configuration, keys };
    }
    return signing.keys;
  }

  function logoutVerifierOf(configuration: Configuration): LogoutTokenVerifier {
    if (logoutVerifier?.from !== configuration) {
      const { providerKeys, algorithms } = signingKeysOf(configuration);
      if (!providerKeys)
        throw new LogoutTokenError('This provider publishes no keys to verify logout tokens.');
      const verify = createLogoutTokenVerifier({
        issuer: configuration.serverMetadata().issuer,
        clientId: config.client.id,
        keys: providerKeys,
        algorithms,
      });
      logoutVerifier = { from: configuration, verify };
    }
    return logoutVerifier.verify;
  }

  async function call<T>(
    step: ProviderStep,
    work: (configuration: Configuration) => Promise<T>,
  ): Promise<T> {
    const configuration = await loader.get();
    try {
      return await work(configuration);
    } catch (error) {
      throw mapProviderError(error, step);
    }
  }

  return {
    discover: async () => {
      await loader.get();
    },
    discoveryStep: () => {
      const loaded = loader.loaded();
      const timing = loader.loadedAt();
      if (config.provider.kind !== 'oidc' || !loaded || !timing) return undefined;
      if (discovery.from !== loaded) {
        const url = new URL(discoveryUrl(config.provider.issuer));
        const metadata: Record<string, unknown> = { ...loaded.serverMetadata() };
        discovery = { from: loaded, step: describeDiscovery(url, metadata, timing) };
      }
      return discovery.step;
    },
    providerOrigins: () => {
      // Asked on every response (CSP): computed once per discovered configuration.
      const loaded = loader.loaded();
      if (origins.from !== loaded) {
        const metadata = loaded?.serverMetadata();
        const urls = [metadata?.issuer, metadata?.end_session_endpoint];
        if (config.provider.kind === 'oidc') urls.push(config.provider.issuer.href);
        const list = [
          ...new Set(urls.filter((url) => url !== undefined).map((url) => new URL(url).origin)),
        ];
        origins = { from: loaded, list };
      }
      return origins.list;
    },
    createAuthorizationRequest: () => call('login', (c) => createAuthorizationRequest(c, settings)),
    exchangeCode: (callback) =>
      call('login', (c) => exchangeCode(c, settings, callback, signingKeysOf(c))),
    refreshTokens: (tokens, now, subject) =>
      call('refresh', (c) => refreshTokens(c, tokens, now, subject, dpop, signingKeysOf(c))),
    revokeRefreshToken: (token) => call('revocation', (c) => revokeRefreshToken(c, token)),
    buildLogoutUrl: (idToken) =>
      call('logout', async (c) => buildLogoutUrl(c, idToken, config.postLogoutRedirectUri)),
    callResource: async (tokens) =>
      callResource(await loader.get(), config.resourceUrl, tokens, dpop),
    requestApplicationToken: (parameters, now) =>
      call('client-credentials', (c) => requestApplicationToken(c, parameters, now)),
    verifyLogoutToken: async (token) => logoutVerifierOf(await loader.get())(token),
  };
}
