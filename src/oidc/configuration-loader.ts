// The provider's metadata as an openid-client Configuration: discovered once, checked and cached as
// a promise; a failed discovery is dropped, so a provider that was down is tried again next time.
import * as client from 'openid-client';
import type { AppConfig } from '../config/app-config.ts';
import type { FetchLike } from '../recorder/flow-recorder.ts';
import { mapProviderError } from './map-error.ts';
import { withStandardErrorAnswers } from './oauth2-error-answers.ts';
import { requireSecureEndpoints } from './require-secure-endpoints.ts';

export interface ConfigurationLoader {
  /** The Configuration, discovering it first if needed; rejects with a ProviderError. */
  get(): Promise<client.Configuration>;
  /** The Configuration if discovery has already succeeded, without waiting or fetching. */
  loaded(): client.Configuration | undefined;
  /** When the loaded Configuration was discovered (epoch ms) and how long it took, for /flow. */
  loadedAt(): { at: number; durationMs: number } | undefined;
}

/**
 * Creates the loader; nothing is fetched until the first `get()`. `auth` is the client's
 * authentication, built once at start-up by `createClientAuth`.
 */
export function createConfigurationLoader(
  config: AppConfig,
  auth: client.ClientAuth,
  fetchImpl: FetchLike,
  now: () => number = Date.now,
): ConfigurationLoader {
  let pending: Promise<client.Configuration> | undefined;
  let current: client.Configuration | undefined;
  let timing: { at: number; durationMs: number } | undefined;

  // Timed for /flow (when discovery ran, how long it took): once per discovery, not per get().
  async function load(): Promise<client.Configuration> {
    const at = now();
    const configuration = await createConfiguration(config, auth, fetchImpl);
    // openid-client allows insecure requests to every endpoint once the http issuer is allowed:
    // each endpoint the metadata names is checked here, before any request is sent to it.
    requireSecureEndpoints(configuration.serverMetadata(), config.allowInsecureHttp);
    current = configuration;
    timing = { at, durationMs: now() - at };
    return configuration;
  }

  return {
    get() {
      pending ??= load().catch((error: unknown) => {
        pending = undefined;
        throw mapProviderError(error, 'discovery');
      });
      return pending;
    },
    loaded: () => current,
    loadedAt: () => timing,
  };
}

/**
 * The openid-client Configuration for the configured provider: discovered from OIDC_ISSUER (one
 * request), or built from the OAUTH_* endpoints (none). Its endpoints are not checked yet: see
 * `requireSecureEndpoints`. Rejects with what openid-client or fetch threw.
 */
export async function createConfiguration(
  config: AppConfig,
  auth: client.ClientAuth,
  fetchImpl: FetchLike,
): Promise<client.Configuration> {
  const { credentials } = config.client;
  // The secret also keys HS256 ID tokens, should a provider sign them so (OIDC Core §10.1).
  const metadata = 'secret' in credentials ? { client_secret: credentials.secret } : {};
  const { provider } = config;
  if (provider.kind === 'oidc') {
    return client.discovery(provider.issuer, config.client.id, metadata, auth, {
      timeout: config.httpTimeoutSeconds,
      [client.customFetch]: fetchImpl,
      // http:// is accepted only for a loopback issuer (checked in loadConfig).
      execute: config.allowInsecureHttp ? [client.allowInsecureRequests] : [],
    });
  }
  const configuration = new client.Configuration(
    {
      issuer: provider.authorizationEndpoint.origin,
      authorization_endpoint: provider.authorizationEndpoint.href,
      token_endpoint: provider.tokenEndpoint.href,
      userinfo_endpoint: provider.userinfoEndpoint.href,
    },
    config.client.id,
    metadata,
    auth,
  );
  configuration.timeout = config.httpTimeoutSeconds;
  // Plain OAuth 2.0 providers (GitHub) answer token errors with HTTP 200: read them as errors.
  configuration[client.customFetch] = withStandardErrorAnswers(fetchImpl, provider.tokenEndpoint);
  if (config.allowInsecureHttp) client.allowInsecureRequests(configuration);
  return configuration;
}
