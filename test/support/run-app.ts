// The app on 127.0.0.1, port 0, through the same start-up path as server.ts (src/start.ts), with
// every log line captured and a clock the test moves forward; and what a browser does with it:
// sign in, its session id, the sign-out form. test-app.ts, provider-app.ts and the plain OAuth 2.0
// tests build on it.
import type { RequestListener } from 'node:http';
import path from 'node:path';
import type { AppConfig } from '../../src/config/app-config.ts';
import type { DevServices } from '../../src/dev/start-dev-services.ts';
import type { SessionBackend } from '../../src/session/session-backend.ts';
import { buildApp, startApp } from '../../src/start.ts';
import { CookieJar } from './cookie-jar.ts';
import { signInThroughProvider } from './dev-login.ts';
import { type LocalServer, listenLocal } from './local-server.ts';

export const testSessionSecret = 'test-session-secret-that-is-long-enough-0123456789';

export interface RunningApp {
  baseUrl: string;
  config: AppConfig;
  /** The embedded provider and demo API, when the environment names no provider. */
  dev: DevServices | undefined;
  /** The first instance's stores (replaced by restart()). */
  backend: SessionBackend;
  /** Every log line the app wrote, as text. */
  logs: string[];
  /** Moves the app's clock forward (the provider keeps real time). */
  advanceClock(ms: number): void;
  /** Starts another instance on its own port with the same configuration and store. */
  addInstance(): Promise<string>;
  /** Closes the app and its store connection, then builds it again behind the same address. */
  restart(): Promise<void>;
  /**
   * Signs in a new browser as `login` (the dev provider's sign-in page; a provider that approves
   * at once ignores it); returns its cookie jar.
   */
  signIn(login?: string): Promise<CookieJar>;
  /** The session id behind a browser's signed cookie. */
  sessionIdOf(jar: CookieJar): string;
  /** The CSRF token of the sign-out form on the home page. */
  csrfTokenOf(jar: CookieJar): Promise<string>;
  /** Posts the sign-out form, with `csrf` as its token (none when absent) and an Origin header. */
  postLogout(jar: CookieJar, form?: { csrf?: string; origin?: string }): Promise<Response>;
}

export interface RunAppOptions {
  /** The test's folder: the SQLite file (unless the environment names one), development files. */
  dataDir: string;
  /** Keeps a cleanup for the end of the test: `t.after`, or a list the caller runs in reverse. */
  onClose(close: () => Promise<void>): void;
  /** The server to answer on when its address is needed first (the caller closes it). */
  server?: LocalServer;
  /** Another protected API than the demo API, given the dev provider's issuer. */
  devResourceUrl?: (issuer: string) => Promise<string>;
}

/** Starts the app as `npm start` would with `env` (plus an address, a secret, debug logs). */
export async function runApp(
  env: Record<string, string>,
  options: RunAppOptions,
): Promise<RunningApp> {
  const { dataDir, onClose } = options;
  const local = options.server ?? (await listenLocal());
  if (!options.server) onClose(local.close);
  const baseUrl = local.url;
  const logs: string[] = [];
  let offset = 0;
  const now = () => Date.now() + offset;

  const started = await startApp(
    {
      APP_BASE_URL: baseUrl,
      SESSION_SECRET: testSessionSecret,
      SESSION_DB_PATH: path.join(dataDir, 'sessions.db'),
      LOG_LEVEL: 'debug',
      ...env,
    },
    {
      logTo: { write: (line: string) => logs.push(line) },
      now,
      dataDir,
      ...(options.devResourceUrl && { devResourceUrl: options.devResourceUrl }),
    },
  );
  onClose(started.close);
  const { config, logger } = started;

  async function build(): Promise<{ handler: RequestListener; backend: SessionBackend }> {
    const built = await buildApp(config, { logger, now });
    onClose(built.close);
    return { handler: built.app, backend: built.backend };
  }

  let current: { handler: RequestListener; backend: SessionBackend } = {
    handler: started.app,
    backend: started.backend,
  };
  local.server.on('request', (req, res) => current.handler(req, res));

  return {
    baseUrl,
    config,
    dev: started.dev,
    get backend() {
      return current.backend;
    },
    logs,
    advanceClock: (ms) => {
      offset += ms;
    },
    async addInstance() {
      const instance = await build();
      const { url, close } = await listenLocal(instance.handler);
      onClose(close);
      return url;
    },
    async restart() {
      await current.backend.close();
      current = await build();
    },
    async signIn(login = 'alice') {
      const jar = new CookieJar();
      const response = await signInThroughProvider(`${baseUrl}/login`, jar, { login });
      if (response.status !== 200 || response.url !== `${baseUrl}/`) {
        throw new Error(`sign-in ended at ${response.url} with ${response.status}`);
      }
      return jar;
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
  };
}
