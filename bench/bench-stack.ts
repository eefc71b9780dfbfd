// What the benchmark's apps run against, all on loopback: the embedded oidc-provider and demo API
// as an external provider (the app in production mode refuses the dev provider), a redis-server,
// and the three servers compared, each a process of its own started by `node <file>`.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../test/support/local-server.ts';
import { startProviderWithApi } from '../test/support/provider-app.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import { type AfterHooks, tempDir } from '../test/support/temp-dir.ts';
import { type ServerProcess, spawnServer } from './server-process.ts';

export type StoreKind = 'sqlite' | 'redis';

export interface BenchStack {
  redisUrl: string;
  /** Starts the reference app (`node src/server.ts`, production mode) on `store`. */
  startApp(store: StoreKind): Promise<ServerProcess & { dbPath: string }>;
  /** Starts bench/peer-app.ts (express-openid-connect). */
  startPeer(): Promise<ServerProcess>;
  /** Starts bench/baseline-app.ts: an access token of its own for the API, a client of its own. */
  startBaseline(): Promise<ServerProcess>;
}

const appClient = { id: 'bench-app', secret: randomBytes(32).toString('base64url') };
const peerClient = { id: 'bench-peer', secret: randomBytes(32).toString('base64url') };
const baselineClient = { id: 'bench-baseline', secret: randomBytes(32).toString('base64url') };
/** Enough app processes for one run: each has its port (a registered redirect URI). */
const appSlots = 4;

export async function startBenchStack(t: AfterHooks): Promise<BenchStack> {
  const dir = await tempDir(t, 'oer-bench-');
  const redis = await startRedisServer(t);
  // The apps' addresses come first: the provider registers their redirect URIs.
  const appPorts = await Promise.all(Array.from({ length: appSlots }, () => freePort('127.0.0.1')));
  const peerPort = await freePort('127.0.0.1');
  const baselinePort = await freePort('127.0.0.1');
  const { dev, api } = await startProviderWithApi(t, {
    keysFile: path.join(dir, 'provider-jwks.json'),
    clients: [
      {
        clientId: appClient.id,
        clientSecret: appClient.secret,
        redirectUris: appPorts.map((port) => `http://127.0.0.1:${port}/callback`),
        postLogoutRedirectUris: appPorts.map((port) => `http://127.0.0.1:${port}/`),
      },
      {
        clientId: peerClient.id,
        clientSecret: peerClient.secret,
        redirectUris: [`http://127.0.0.1:${peerPort}/callback`],
        postLogoutRedirectUris: [`http://127.0.0.1:${peerPort}/`],
      },
      {
        clientId: baselineClient.id,
        clientSecret: baselineClient.secret,
        redirectUris: [`http://127.0.0.1:${baselinePort}/callback`],
        postLogoutRedirectUris: [`http://127.0.0.1:${baselinePort}/`],
      },
    ],
  });
  const issuer = dev.issuer;
  const resourceUrl = api.resourceUrl;
  let appsStarted = 0;

  return {
    redisUrl: redis.url,
    async startApp(store) {
      const port = appPorts[appsStarted];
      if (port === undefined) throw new Error(`the stack has ports for ${appSlots} app processes`);
      const dbPath = path.join(dir, `sessions-${appsStarted}.db`);
      appsStarted++;
      const url = `http://127.0.0.1:${port}`;
      const server = await spawnServer(t, {
        script: 'src/server.ts',
        url,
        env: {
          PORT: String(port),
          APP_BASE_URL: url,
          OIDC_ISSUER: issuer,
          OIDC_CLIENT_ID: appClient.id,
          OIDC_CLIENT_SECRET: appClient.secret,
          OIDC_ALLOW_INSECURE_HTTP: 'true',
          // What the dev provider adds by itself: the API's scope, and consent for refresh tokens.
          OIDC_SCOPES: 'openid profile email offline_access api:read',
          OIDC_AUTH_PARAMS: 'prompt=consent',
          RESOURCE_URL: resourceUrl,
          SESSION_SECRET: randomBytes(32).toString('base64url'),
          TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
          SESSION_STORE: store,
          ...(store === 'sqlite' ? { SESSION_DB_PATH: dbPath } : { REDIS_URL: redis.url }),
          // Request lines off for every server compared (the peer and baseline log nothing).
          LOG_LEVEL: 'warn',
        },
      });
      return Object.assign(server, { dbPath });
    },
    startPeer() {
      return spawnServer(t, {
        script: 'bench/peer-app.ts',
        url: `http://127.0.0.1:${peerPort}`,
        env: {
          PORT: String(peerPort),
          OIDC_ISSUER: issuer,
          OIDC_CLIENT_ID: peerClient.id,
          OIDC_CLIENT_SECRET: peerClient.secret,
          PEER_SESSION_SECRET: randomBytes(32).toString('base64url'),
          RESOURCE_URL: resourceUrl,
        },
      });
    },
    async startBaseline() {
      return spawnServer(t, {
        script: 'bench/baseline-app.ts',
        url: `http://127.0.0.1:${baselinePort}`,
        env: {
          PORT: String(baselinePort),
          OIDC_ISSUER: issuer,
          OIDC_CLIENT_ID: baselineClient.id,
          OIDC_CLIENT_SECRET: baselineClient.secret,
          RESOURCE_URL: resourceUrl,
          BASELINE_ACCESS_TOKEN: await clientCredentialsToken(issuer),
        },
      });
    },
  };
}

/**
 * An access token for the demo API from the client credentials grant (RFC 6749 §4.4): the
 * baseline's one fixed token, valid for the provider's access-token lifetime (5 minutes).
 */
async function clientCredentialsToken(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${appClient.id}:${appClient.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read' }),
  });
  if (!response.ok) throw new Error(`client credentials grant: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
