// Starts the app: configuration, the embedded dev provider when no provider is configured, the
// session store, then listening; shuts down gracefully on SIGTERM/SIGINT.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { withDevProvider, withSessionSecret } from './config/derive-config.ts';
import { type AppConfig, devClient, loadConfig } from './config/load-config.ts';
import { providerOrigin } from './config/read-provider.ts';
import { ConfigError } from './errors.ts';
import { createLogger } from './http/logger.ts';
import { createClientAuth } from './oidc/client-auth.ts';
import { createOidcClient } from './oidc/oidc-client.ts';
import { loadOrCreateSecret } from './session/dev-secret.ts';
import { openSessionBackend } from './session/session-backend.ts';

const shutdownGraceMs = 10_000;

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  // Requests' failures are caught and mapped to pages; a rejection nobody handled is a bug: log it
  // and exit, so the orchestrator restarts a clean process.
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection; exiting');
    process.exit(1);
  });
  const closers: Array<() => Promise<void>> = [];

  if (config.provider.kind === 'dev') {
    // Loaded only here: production refuses the dev provider in loadConfig and never imports src/dev.
    const { startDevServices } = await import('./dev/start-dev-services.ts');
    const dev = await startDevServices({
      appBaseUrl: config.baseUrl.origin,
      clientId: devClient.id,
      clientSecret: devClient.secret,
      providerPort: config.dev.providerPort,
      apiPort: config.dev.apiPort,
      keysFile: 'data/dev-jwks.json',
      publicHost: config.baseUrl.hostname,
    });
    closers.push(dev.close);
    config = withDevProvider(config, dev.issuer, dev.resourceUrl);
  }
  if (config.session.secrets.length === 0) {
    // Development only (production requires SESSION_SECRET): kept on disk so restarts keep sessions.
    config = withSessionSecret(config, await loadOrCreateSecret('data/dev-session-secret'));
  }

  const backend = await openSessionBackend(config, {
    onStoreError: (error) => logger.warn({ err: error }, 'session store error'),
  }).catch((error: unknown) => {
    process.stderr.write(
      `Session store error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
  closers.unshift(backend.close);
  // The client's credentials are read now, so a bad key file stops start-up instead of every sign-in.
  const clientAuth = await createClientAuth(config.client).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `Configuration error: the client credentials cannot be used (${reason}); check OIDC_CLIENT_PRIVATE_KEY_FILE\n`,
    );
    process.exit(1);
  });
  const oidc = createOidcClient(config, { logger, clientAuth });
  await oidc.discover().catch((error: unknown) => {
    logger.warn({ err: error }, 'provider discovery failed; it is retried on the next sign-in');
  });

  const app = createApp({ config, oidc, backend, logger });
  const server = app.listen(config.port);
  await once(server, 'listening');
  logger.info(
    {
      url: config.baseUrl.origin,
      issuer: config.provider.kind === 'oidc' ? config.provider.issuer.href : undefined,
    },
    'ready',
  );
  if (config.isDevProvider) printDevBanner(config);
  handleShutdown(server, closers, logger);
}

function printDevBanner(config: AppConfig): void {
  process.stdout.write(
    [
      '',
      '  OAuth Express Reference is running',
      `    App:                    ${config.baseUrl.origin}`,
      `    Development provider:   ${providerOrigin(config.provider)}  (sign in with any username and password)`,
      `    Demo protected API:     ${config.resourceUrl?.href ?? ''}`,
      '',
      '',
    ].join('\n'),
  );
}

function handleShutdown(
  server: Server,
  closers: Array<() => Promise<void>>,
  logger: ReturnType<typeof createLogger>,
): void {
  let isClosing = false;
  const shutdown = (signal: string) => {
    if (isClosing) return;
    isClosing = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then close the store and the dev services.
    setTimeout(() => {
      logger.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, shutdownGraceMs).unref();
    server.close(async () => {
      for (const close of closers)
        await close().catch((error: unknown) => logger.error({ err: error }, 'close failed'));
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

await main();
