// The app configured for an external provider (OIDC_ISSUER), as in production, where that provider
// is the embedded oidc-provider and demo API on port 0, its configuration adjusted to behave like
// another product: a thin ID token, another refresh-token policy. Nothing adds prompt=consent or
// the demo API's scope here: the app asks for what its configuration says, as it would anywhere.
import path from 'node:path';
import type { TestContext } from 'node:test';
import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import type { DevClient } from '../../src/dev/dev-client.ts';
import { closeServer, listenServer, portOf } from '../../src/dev/listen-server.ts';
import { type DemoApi, startDemoApi } from '../../src/dev/start-demo-api.ts';
import { type DevProvider, startDevProvider } from '../../src/dev/start-dev-provider.ts';
import { listenLocal } from './local-server.ts';
import { type RunningApp, runApp } from './run-app.ts';
import { type AfterHooks, tempDir } from './temp-dir.ts';

export interface ProviderApp extends RunningApp {
  issuer: string;
  provider: Provider;
}

export interface ProviderAppOptions {
  /** Changes the provider's configuration (see DevProviderOptions.adjustConfiguration). */
  adjustConfiguration?: (configuration: Configuration) => Configuration;
  /** More variables for the app (OIDC_SCOPES, OIDC_AUTH_PARAMS, …). */
  env?: Record<string, string>;
}

const clientId = 'provider-app-test';
const clientSecret = 'provider-app-test-secret-that-is-long-enough';

/** Starts the provider, the demo API and the app; all closed after the test. */
export async function startProviderApp(
  t: TestContext,
  options: ProviderAppOptions = {},
): Promise<ProviderApp> {
  const dir = await tempDir(t, 'oer-provider-app-');
  // The app's address first: the provider registers its redirect URI.
  const server = await listenLocal();
  t.after(server.close);
  const { dev, api } = await startProviderWithApi(t, {
    keysFile: path.join(dir, 'provider-jwks.json'),
    clients: [
      {
        clientId,
        clientSecret,
        redirectUris: [`${server.url}/callback`],
        postLogoutRedirectUris: [`${server.url}/`],
        // As the dev services register it: the provider then puts its session id (sid) in ID tokens.
        backchannelLogoutUri: `${server.url}/backchannel-logout`,
      },
    ],
    ...(options.adjustConfiguration && { adjustConfiguration: options.adjustConfiguration }),
  });

  const app = await runApp(
    {
      OIDC_ISSUER: dev.issuer,
      OIDC_CLIENT_ID: clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_ALLOW_INSECURE_HTTP: 'true',
      RESOURCE_URL: api.resourceUrl,
      ...options.env,
    },
    { dataDir: dir, server, onClose: (close) => t.after(close) },
  );
  return Object.assign(app, { issuer: dev.issuer, provider: dev.provider });
}

export interface ProviderWithApiOptions {
  clients: DevClient[];
  /** The provider's signing keys (created there at first start). */
  keysFile: string;
  adjustConfiguration?: (configuration: Configuration) => Configuration;
}

/**
 * The embedded oidc-provider and demo API on 127.0.0.1, port 0, as an external provider would be
 * (the app reaches them through OIDC_ISSUER and RESOURCE_URL); both closed after the test. The
 * benchmark runs its apps against them too.
 */
export async function startProviderWithApi(
  t: AfterHooks,
  options: ProviderWithApiOptions,
): Promise<{ dev: DevProvider; api: DemoApi }> {
  // The API checks tokens against the issuer, and the provider names the API: its port comes first.
  const providerServer = await listenServer(0, '127.0.0.1');
  t.after(() => closeServer(providerServer));
  const api = await startDemoApi({
    port: 0,
    issuer: `http://127.0.0.1:${portOf(providerServer)}`,
  });
  t.after(api.close);
  const dev = await startDevProvider({
    port: 0,
    server: providerServer,
    resourceAudience: api.url,
    keysFile: options.keysFile,
    clients: options.clients,
    ...(options.adjustConfiguration && { adjustConfiguration: options.adjustConfiguration }),
  });
  return { dev, api };
}
