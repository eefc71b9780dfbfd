// The app as `npm start` runs it with no provider configured (run-app.ts): on port 0 with the
// embedded oidc-provider and demo API (also on port 0), a controllable clock and every log line
// captured, plus what a test needs of that provider (its issuer, keys and grants). A test can add
// a second instance sharing the store, or restart the app behind the same address.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type Provider from 'oidc-provider';
import { devClient } from '../../src/config/load-config.ts';
import { type RunningApp, runApp } from './run-app.ts';

export interface TestApp extends RunningApp {
  issuer: string;
  provider: Provider;
  /** The SQLite file of the app's sessions and tokens (with the default store). */
  dbPath: string;
  /** The dev client's secret, to call the provider as the app. */
  clientSecret: string;
  /** Counts the provider's successful token grants by grant_type. */
  grants: Record<string, number>;
  /** The provider's signing keys (a private JWKS), to sign tokens as the provider would. */
  providerKeysFile: string;
  /** Token requests the provider refused (e.g. a reused rotated refresh token). */
  grantErrors: string[];
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
  // Written before the provider starts, so it loads this key instead of generating one.
  const keysFile = path.join(dir, 'dev-jwks.json');
  if (providerKeys) await writeFile(keysFile, providerKeys, { mode: 0o600 });

  const app = await runApp(
    { DEV_PROVIDER_PORT: '0', DEV_API_PORT: '0', ...options.env },
    {
      dataDir: dir,
      onClose: (close) => closers.push(close),
      ...(options.resourceUrl && { devResourceUrl: options.resourceUrl }),
    },
  );
  const { dev } = app;
  if (!dev) throw new Error('the test app runs on the embedded development provider');
  providerKeys ??= await readFile(keysFile, 'utf8');

  const grants: Record<string, number> = {};
  const grantErrors: string[] = [];
  dev.provider.on('grant.error', (_ctx, error) => grantErrors.push(String(error.message)));
  dev.provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.grant_type);
    grants[type] = (grants[type] ?? 0) + 1;
  });

  // Assigned onto the app, not spread: its `backend` is a getter that follows restart().
  return Object.assign(app, {
    issuer: dev.issuer,
    provider: dev.provider,
    dbPath: path.join(dir, 'sessions.db'),
    clientSecret: devClient.secret,
    grants,
    grantErrors,
    providerKeysFile: keysFile,
  });
}
