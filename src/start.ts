// The one start-up path, for server.ts and the tests alike: configuration, the development
// services when no provider is configured (`prepareStart`, which the commands share), the client's
// credentials, the OIDC client, the session backend (whose sweeps revoke expired refresh tokens
// through that client), then the app.
import path from 'node:path';
import type { Express } from 'express';
import type { DestinationStream, Logger } from 'pino';
import { createApp } from './app.ts';
import type { AppConfig } from './config/app-config.ts';
import { devClient, loadConfig } from './config/load-config.ts';
import { resolveConfig } from './config/resolve-config.ts';
import type { DevServices } from './dev/start-dev-services.ts';
import { ConfigError, messageOf, StartupError } from './errors.ts';
import { createLogger } from './http/logger.ts';
import { prettyLogStream } from './http/pretty-log.ts';
import { createClientAuth } from './oidc/client-auth.ts';
import { createOidcClient, type OidcClient } from './oidc/oidc-client.ts';
import { portInUseError } from './port-in-use.ts';
import { loadOrCreateSecret } from './session/dev-secret.ts';
import { createExpiredTokenRevoker } from './session/revoke-expired-tokens.ts';
import type { SessionBackend } from './session/session-backend.ts';
import { openSessionBackend } from './stores/open-session-backend.ts';

export interface StartOptions {
  /** Where log lines go; standard output by default (tests collect them). */
  logTo?: DestinationStream;
  /** Epoch milliseconds; tests pass a controllable clock. */
  now?: () => number;
  /** Where development files live: the dev provider's keys, the dev session secret. */
  dataDir: string;
  /** Tests only: another protected API than the demo API, given the dev provider's issuer. */
  devResourceUrl?: (issuer: string) => Promise<string>;
}

/** A built app and what it runs on; `close` stops the backend (and the dev services). */
export interface StartedApp {
  app: Express;
  config: AppConfig;
  logger: Logger;
  backend: SessionBackend;
  /** The embedded provider and demo API, when no provider is configured. */
  dev: DevServices | undefined;
  close(): Promise<void>;
}

/** The configuration every command runs with, and the development services started for it. */
export interface PreparedStart {
  config: AppConfig;
  /** The embedded provider and demo API, when no provider is configured. */
  dev: DevServices | undefined;
  /** Stops the development services (if any). */
  close(): Promise<void>;
}

/**
 * Reads the configuration from `env` and, when no provider is configured, starts the development
 * services it then points at: what `npm start` and the other commands run on. Throws ConfigError
 * or StartupError.
 */
export async function prepareStart(
  env: NodeJS.ProcessEnv,
  options: Pick<StartOptions, 'dataDir' | 'devResourceUrl'>,
): Promise<PreparedStart> {
  const loaded = loadConfig(env);
  let dev: DevServices | undefined;
  if ('dev' in loaded) {
    // Loaded only here: production refuses the dev provider in loadConfig and never imports src/dev.
    const { startDevServices } = await import('./dev/start-dev-services.ts');
    dev = await startDevServices({
      appBaseUrl: loaded.baseUrl.origin,
      clientId: devClient.id,
      clientSecret: devClient.secret,
      providerPort: loaded.dev.providerPort,
      apiPort: loaded.dev.apiPort,
      keysFile: path.join(options.dataDir, 'dev-jwks.json'),
      publicHost: loaded.baseUrl.hostname,
    }).catch((error: unknown) => {
      throw (
        portInUseError(error, {
          DEV_PROVIDER_PORT: loaded.dev.providerPort,
          DEV_API_PORT: loaded.dev.apiPort,
        }) ?? new StartupError(`Development services error: ${messageOf(error)}`, { cause: error })
      );
    });
  }
  try {
    const devServices = dev && {
      issuer: dev.issuer,
      resourceUrl: (await options.devResourceUrl?.(dev.issuer)) ?? dev.resourceUrl,
    };
    // Development only (production requires SESSION_SECRET): kept on disk so restarts keep sessions.
    const sessionSecret =
      loaded.session.secrets.length === 0
        ? await loadOrCreateSecret(path.join(options.dataDir, 'dev-session-secret'))
        : undefined;
    const config = resolveConfig(loaded, { devServices, sessionSecret });
    return { config, dev, close: async () => dev?.close() };
  } catch (error) {
    await dev?.close();
    throw error;
  }
}

/** Reads the configuration from `env` and builds everything; throws ConfigError or StartupError. */
export async function startApp(env: NodeJS.ProcessEnv, options: StartOptions): Promise<StartedApp> {
  const { config, dev, close: closeDev } = await prepareStart(env, options);
  try {
    const logger = createLogger(config.logLevel, options.logTo ?? standardOutput(config));
    const built = await buildApp(config, { logger, ...(options.now && { now: options.now }) });
    return {
      ...built,
      config,
      logger,
      dev,
      close: async () => {
        try {
          await built.close();
        } finally {
          await closeDev();
        }
      },
    };
  } catch (error) {
    await closeDev();
    throw error;
  }
}

/**
 * Where log lines go when no destination is given: readable lines for a developer at a terminal,
 * pino's own JSON (undefined) for everything else: production, a pipe, a container's log.
 */
function standardOutput(config: AppConfig): DestinationStream | undefined {
  const isPretty =
    config.logFormat === 'pretty' ||
    (config.logFormat === undefined && !config.isProduction && process.stdout.isTTY);
  return isPretty ? prettyLogStream(process.stdout) : undefined;
}

/**
 * The OIDC client with the client's credentials read now, so a bad key file stops start-up instead
 * of failing every sign-in. Used by the app and by the commands.
 */
export async function createProviderClient(
  config: AppConfig,
  logger: Logger,
  now: () => number = Date.now,
): Promise<OidcClient> {
  const clientAuth = await createClientAuth(config.client.credentials).catch((error: unknown) => {
    throw new ConfigError([
      `the client credentials cannot be used (${messageOf(error)}); check OIDC_CLIENT_PRIVATE_KEY_FILE`,
    ]);
  });
  return createOidcClient(config, { logger, clientAuth, now });
}

/** Builds the app for a resolved configuration: client credentials, OIDC client, backend, app. */
export async function buildApp(
  config: AppConfig,
  options: { logger: Logger; now?: () => number },
): Promise<{ app: Express; backend: SessionBackend; close(): Promise<void> }> {
  const { logger, now = Date.now } = options;
  const oidc = await createProviderClient(config, logger, now);
  const backend = await openSessionBackend(config, {
    onStoreError: (error) => logger.warn({ err: error }, 'session store error'),
    // Token records the store sweeps out at expiry: their refresh tokens are revoked, in the background.
    onExpiredTokens: createExpiredTokenRevoker({ oidc, logger }),
    now,
  }).catch((error: unknown) => {
    throw new StartupError(`Session store error: ${messageOf(error)}`, { cause: error });
  });
  try {
    await oidc.discover().catch((error: unknown) => {
      logger.warn({ err: error }, 'provider discovery failed; it is retried on the next sign-in');
    });
    const app = createApp({ config, oidc, backend, logger, now });
    return { app, backend, close: () => backend.close() };
  } catch (error) {
    await backend.close();
    throw error;
  }
}
