// Starts the app (start.ts), listens, and shuts down gracefully on SIGTERM/SIGINT.
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { startFailureLines } from './errors.ts';
import { listenHost } from './listen-host.ts';
import { portInUseError } from './port-in-use.ts';
import { type StartedApp, startApp } from './start.ts';

const shutdownGraceMs = 10_000;

async function main(): Promise<void> {
  let started: StartedApp;
  let server: Server;
  try {
    started = await startApp(process.env, { dataDir: 'data' });
    server = await listen(started);
  } catch (error) {
    const lines = startFailureLines(error);
    if (!lines) throw error;
    for (const line of lines) process.stderr.write(`${line}\n`);
    process.exit(1);
  }
  const { config, logger } = started;
  // Requests' failures are caught and mapped to pages; a rejection nobody handled is a bug: log it
  // and exit, so the orchestrator restarts a clean process.
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection; exiting');
    process.exit(1);
  });

  logger.info(
    {
      url: config.baseUrl.origin,
      address: addressOf(server),
      issuer: config.isDevProvider ? undefined : issuerOf(started),
    },
    'ready',
  );
  if (started.dev) {
    process.stdout.write(
      [
        '',
        '  OAuth Express Reference is running',
        `    App:                    ${config.baseUrl.origin}`,
        `    Development provider:   ${started.dev.issuer}  (sign in with any username and password)`,
        `    Demo protected API:     ${config.resourceUrl.href}`,
        '',
        '',
      ].join('\n'),
    );
  }
  handleShutdown(server, started.close, logger);
}

/** Listens on PORT; a port already in use stops the dev services too and is one line naming PORT. */
async function listen({ app, config, close }: StartedApp): Promise<Server> {
  const host = listenHost(config);
  const server = host === undefined ? app.listen(config.port) : app.listen(config.port, host);
  try {
    await once(server, 'listening');
    return server;
  } catch (error) {
    await close();
    throw portInUseError(error, { PORT: config.port }) ?? error;
  }
}

/** Where the server listens, e.g. `127.0.0.1:3000`, or `[::]:3000` for every interface. */
function addressOf(server: Server): string | undefined {
  const address = server.address();
  if (address === null || typeof address === 'string') return undefined;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}

function issuerOf({ config }: StartedApp): string | undefined {
  return config.provider.kind === 'oidc' ? config.provider.issuer.href : undefined;
}

function handleShutdown(server: Server, close: () => Promise<void>, logger: Logger): void {
  let isClosing = false;
  // A request that arrives on an open connection while we close is answered, and its connection
  // is told to close with it (RFC 9112 §9.6); once answered, the connection is idle and closed at
  // once below instead of lingering until the keep-alive timeout.
  // Prepended: it must run before the app, which may answer at once (/healthz).
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (isClosing) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      // After 'finish' Node has detached the response from its socket: the socket is idle now.
      if (isClosing) setImmediate(() => server.closeIdleConnections());
    });
  });
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
      await close().catch((error: unknown) => logger.error({ err: error }, 'close failed'));
      process.exit(0);
    });
    // Connections between requests are closed now; busy ones as soon as their answer is sent.
    server.closeIdleConnections();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

await main();
