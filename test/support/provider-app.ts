// The app configured for an external provider (OIDC_ISSUER), as in production, where that provider
// is the embedded oidc-provider and demo API on port 0, its configuration adjusted to behave like
// another product: a thin ID token, another refresh-token policy. Nothing adds prompt=consent or
// the demo API's scope here: the app asks for what its configuration says, as it would anywhere.
import path from 'node:path';
import type { TestContext } from 'node:test';
import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import { closeServer, listenServer, portOf } from '../../src/dev/listen-server.ts';
import { startDemoApi } from '../../src/dev/start-demo-api.ts';
import { startDevProvider } from '../../src/dev/start-dev-provider.ts';
import type { SessionBackend } from '../../src/session/session-backend.ts';
import { startApp } from '../../src/start.ts';
import { CookieJar } from './cookie-jar.ts';
import { signInThroughProvider } from './dev-login.ts';
import { listenLocal } from './local-server.ts';
import { tempDir } from './temp-dir.ts';
import { testSessionSecret } from './test-app.ts';

export interface ProviderApp {
  baseUrl: string;
  issuer: string;
  provider: Provider;
  /** Every log line the app wrote, as text. */
  logs: string[];
  backend: SessionBackend;
  /** The session id behind a browser's signed cookie. */
  sessionIdOf(jar: CookieJar): string;
  /** Signs in a new browser as `login`; returns its cookie jar. */
  signIn(login?: string): Promise<CookieJar>;
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
  const app = await listenLocal();
  t.after(app.close);
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
    keysFile: path.join(dir, 'provider-jwks.json'),
    clients: [
      {
        clientId,
        clientSecret,
        redirectUris: [`${app.url}/callback`],
        postLogoutRedirectUris: [`${app.url}/`],
        // As the dev services register it: the provider then puts its session id (sid) in ID tokens.
        backchannelLogoutUri: `${app.url}/backchannel-logout`,
      },
    ],
    ...(options.adjustConfiguration && { adjustConfiguration: options.adjustConfiguration }),
  });

  const logs: string[] = [];
  const started = await startApp(
    {
      APP_BASE_URL: app.url,
      SESSION_SECRET: testSessionSecret,
      SESSION_DB_PATH: path.join(dir, 'sessions.db'),
      LOG_LEVEL: 'debug',
      OIDC_ISSUER: dev.issuer,
      OIDC_CLIENT_ID: clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_ALLOW_INSECURE_HTTP: 'true',
      RESOURCE_URL: api.resourceUrl,
      ...options.env,
    },
    { logTo: { write: (line: string) => logs.push(line) }, dataDir: dir },
  );
  t.after(started.close);
  app.server.on('request', started.app);

  return {
    baseUrl: app.url,
    issuer: dev.issuer,
    provider: dev.provider,
    logs,
    backend: started.backend,
    sessionIdOf(jar) {
      const cookie = decodeURIComponent(jar.header(app.url) ?? '');
      const id = /oer\.sid=s:([^.;]+)\./.exec(cookie)?.[1];
      if (!id) throw new Error('no session cookie');
      return id;
    },
    async signIn(login = 'alice') {
      const jar = new CookieJar();
      const response = await signInThroughProvider(`${app.url}/login`, jar, { login });
      if (response.status !== 200 || response.url !== `${app.url}/`) {
        throw new Error(`sign-in ended at ${response.url} with ${response.status}`);
      }
      return jar;
    },
  };
}
