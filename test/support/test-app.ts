// Builds the app through the same start-up path as server.ts (src/start.ts), on port 0 with the
// embedded oidc-provider and demo API (also on port 0), a controllable clock and every log line
// captured. A test can add a second instance sharing the store, or restart the app behind the
// same address.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type Provider from 'oidc-provider';
import type { AppConfig } from '../../src/config/app-config.ts';
import { devClient } from '../../src/config/load-config.ts';
import type { SessionBackend } from '../../src/session/session-backend.ts';
import { buildApp, startApp } from '../../src/start.ts';
import { CookieJar } from './cookie-jar.ts';
import { signInThroughProvider } from './dev-login.ts';
import { listenLocal } from './local-server.ts';

export const testSessionSecret = 'test-session-secret-that-is-long-enough-0123456789';

export interface TestApp {
  baseUrl: string;
  issuer: string;
  provider: Provider;
  config: AppConfig;
  /** The SQLite file of the app's sessions and tokens (with the default store). */
  dbPath: string;
  /** The dev client's secret, to call the provider as the app. */
  clientSecret: string;
  /** The first instance's stores (replaced by restart()). */
  backend: SessionBackend;
  /** Every log line the app wrote, as text. */
  logs: string[];
  /** Counts the provider's successful token grants by grant_type. */
  grants: Record<string, number>;
  /** The provider's signing keys (a private JWKS), to sign tokens as the provider would. */
  providerKeysFile: string;
  /** Token requests the provider refused (e.g. a reused rotated refresh token). */
  grantErrors: string[];
  /** Moves the app's clock forward (the provider keeps real time). */
  advanceClock(ms: number): void;
  /** Starts another instance on its own port with the same configuration and store. */
  addInstance(): Promise<string>;
  /** Closes the app and its store connection, then builds it again behind the same address. */
  restart(): Promise<void>;
  /** Signs in a new browser as `login`; returns its cookie jar. */
  signIn(login?: string): Promise<CookieJar>;
  /** The session id behind a browser's signed cookie. */
  sessionIdOf(jar: CookieJar): string;
  /** The CSRF token of the sign-out form on the home page. */
  csrfTokenOf(jar: CookieJar): Promise<string>;
  /** Posts the sign-out form, with `csrf` as its token (none when absent) and an Origin header. */
  postLogout(jar: CookieJar, form?: { csrf?: string; origin?: string }): Promise<Response>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Another protected API to call instead of the demo API, given the provider's issuer. */
  resourceUrl?: (issuer: string) => Promise<string>;
}

/** Starts provider, API and app; everything is closed and deleted after the test. */
export async function startTestApp(t: TestContext, options: TestAppOptions = {}): Promise<TestApp> {
  // Registered first, so a test that fails half-way through starting still cleans up.
  const closers: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const closer of closers.reverse()) await closer();
  });
  return startStack(options, closers);
}

/** The same stack outside node:test (the benchmark): call `close` when done. */
export async function startLocalStack(
  options: TestAppOptions = {},
): Promise<TestApp & { close(): Promise<void> }> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    return Object.assign(await startStack(options, closers), { close });
  } catch (error) {
    await close();
    throw error;
  }
}

// Generating the provider's RSA key takes a good part of a short test's CPU time: the first stack
// of a test process creates it, the next ones start from a copy (each provider has its own issuer).
let providerKeys: string | undefined;

async function startStack(
  options: TestAppOptions,
  closers: Array<() => Promise<void>>,
): Promise<TestApp> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oer-test-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  const { server, url: baseUrl, close: closeServer } = await listenLocal();
  closers.push(closeServer);
  const dbPath = path.join(dir, 'sessions.db');
  // Written before the provider starts, so it loads this key instead of generating one.
  const keysFile = path.join(dir, 'dev-jwks.json');
  if (providerKeys) await writeFile(keysFile, providerKeys, { mode: 0o600 });
  const env = {
    APP_BASE_URL: baseUrl,
    SESSION_SECRET: testSessionSecret,
    SESSION_DB_PATH: dbPath,
    LOG_LEVEL: 'debug',
    DEV_PROVIDER_PORT: '0',
    DEV_API_PORT: '0',
    ...options.env,
  };
  const logs: string[] = [];
  let offset = 0;
  const now = () => Date.now() + offset;

  const started = await startApp(env, {
    logTo: { write: (line: string) => logs.push(line) },
    now,
    dataDir: dir,
    ...(options.resourceUrl && { devResourceUrl: options.resourceUrl }),
  });
  closers.push(started.close);
  const { config, logger, dev } = started;
  if (!dev) throw new Error('the test app runs on the embedded development provider');
  providerKeys ??= await readFile(keysFile, 'utf8');

  async function build(): Promise<{ handler: RequestListener; backend: SessionBackend }> {
    const built = await buildApp(config, { logger, now });
    closers.push(built.close);
    return { handler: built.app, backend: built.backend };
  }

  let current: { handler: RequestListener; backend: SessionBackend } = {
    handler: started.app,
    backend: started.backend,
  };
  server.on('request', (req, res) => current.handler(req, res));

  const grants: Record<string, number> = {};
  const grantErrors: string[] = [];
  dev.provider.on('grant.error', (_ctx, error) => grantErrors.push(String(error.message)));
  dev.provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.grant_type);
    grants[type] = (grants[type] ?? 0) + 1;
  });

  return {
    baseUrl,
    issuer: dev.issuer,
    provider: dev.provider,
    config,
    dbPath,
    clientSecret: devClient.secret,
    get backend() {
      return current.backend;
    },
    logs,
    grants,
    grantErrors,
    providerKeysFile: keysFile,
    advanceClock: (ms) => {
      offset += ms;
    },
    async addInstance() {
      const instance = await build();
      const { url, close } = await listenLocal(instance.handler);
      closers.push(close);
      return url;
    },
    async restart() {
      await current.backend.close();
      current = await build();
    },
    sessionIdOf(jar) {
      const cookie = decodeURIComponent(jar.header(baseUrl) ?? '');
      const id = /oer\.sid=s:([^.;]+)\./.exec(cookie)?.[1];
      if (!id) throw new Error('no session cookie');
      return id;
    },
    async csrfTokenOf(jar) {
      const html = await (await jar.fetch(`${baseUrl}/`)).text();
      const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
      if (!token) throw new Error('no sign-out form on the home page');
      return token;
    },
    postLogout(jar, { csrf, origin } = {}) {
      return jar.fetch(`${baseUrl}/logout`, {
        method: 'POST',
        headers: origin === undefined ? {} : { origin },
        body: new URLSearchParams(csrf === undefined ? {} : { _csrf: csrf }),
      });
    },
    async signIn(login = 'alice') {
      const jar = new CookieJar();
      const response = await signInThroughProvider(`${baseUrl}/login`, jar, { login });
      if (response.status !== 200 || response.url !== `${baseUrl}/`) {
        throw new Error(`sign-in ended at ${response.url} with ${response.status}`);
      }
      return jar;
    },
  };
}
