// Benchmark: N signed-in sessions × M concurrent /resource requests, each round right after every
// access token expired. Prints requests/s, latency percentiles, refresh grants against the ideal
// (one per session per round) and failures. Usage:
//   node bench/refresh-storm.ts [--sessions 20] [--requests 10] [--rounds 3] [--store sqlite|redis]
// With --store redis, REDIS_URL names a running Redis (e.g. redis://127.0.0.1:6379).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.ts';
import { withDevProvider } from '../src/config/derive-config.ts';
import { devClient, loadConfig } from '../src/config/load-config.ts';
import { startDevServices } from '../src/dev/start-dev-services.ts';
import { createLogger } from '../src/http/logger.ts';
import { createOidcClient } from '../src/oidc/oidc-client.ts';
import { openSessionBackend } from '../src/session/session-backend.ts';
import { CookieJar } from '../test/support/cookie-jar.ts';
import { signInThroughProvider } from '../test/support/dev-login.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20' },
    requests: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const sessions = Number(values.sessions);
const requests = Number(values.requests);
const rounds = Number(values.rounds);

const dir = await mkdtemp(path.join(tmpdir(), 'oer-bench-'));
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const dev = await startDevServices({
  appBaseUrl: baseUrl,
  clientId: devClient.id,
  clientSecret: devClient.secret,
  providerPort: 0,
  apiPort: 0,
  keysFile: path.join(dir, 'jwks.json'),
});
const config = withDevProvider(
  loadConfig({
    APP_BASE_URL: baseUrl,
    SESSION_SECRET: 'bench-session-secret-long-enough-0123456789',
    SESSION_DB_PATH: path.join(dir, 'sessions.db'),
    SESSION_STORE: values.store,
    REDIS_URL: process.env.REDIS_URL,
    LOG_LEVEL: 'silent',
    SIGN_IN_RATE_LIMIT_PER_MINUTE: '100000',
  }),
  dev.issuer,
  dev.resourceUrl,
);
const logger = createLogger('silent');
const backend = await openSessionBackend(config);
let offset = 0;
const app = createApp({
  config,
  oidc: createOidcClient(config, { logger }),
  backend,
  logger,
  now: () => Date.now() + offset,
});
server.on('request', app);

let refreshGrants = 0;
let refusedGrants = 0;
dev.provider.on('grant.success', (ctx) => {
  if (ctx.oidc.params?.grant_type === 'refresh_token') refreshGrants++;
});
dev.provider.on('grant.error', () => {
  refusedGrants++;
});

const jars: CookieJar[] = [];
for (let index = 0; index < sessions; index++) {
  const jar = new CookieJar();
  await signInThroughProvider(`${baseUrl}/login`, jar, { login: `user${index}` });
  jars.push(jar);
}

const latencies: number[] = [];
let failures = 0;
const started = performance.now();
for (let round = 0; round < rounds; round++) {
  offset += 60 * 60 * 1000; // every access token is now past its expiry
  await Promise.all(
    jars.flatMap((jar) =>
      Array.from({ length: requests }, async () => {
        const begin = performance.now();
        const response = await jar.fetch(`${baseUrl}/resource`);
        await response.arrayBuffer();
        latencies.push(performance.now() - begin);
        if (response.status !== 200) failures++;
      }),
    ),
  );
}
const seconds = (performance.now() - started) / 1000;

latencies.sort((a, b) => a - b);
const percentile = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
const total = sessions * requests * rounds;
console.log(
  `refresh-storm: ${sessions} sessions × ${requests} concurrent requests × ${rounds} rounds, store ${values.store}`,
);
console.log(
  `  requests      ${total} in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(0)} requests/s`,
);
console.log(
  `  latency       p50 ${percentile(50).toFixed(1)} ms, p99 ${percentile(99).toFixed(1)} ms, max ${percentile(100).toFixed(1)} ms`,
);
console.log(
  `  refresh grants ${refreshGrants} (ideal ${sessions * rounds}: one per session per round)`,
);
console.log(`  refused grants ${refusedGrants} (a refresh token spent twice is refused)`);
console.log(`  failures      ${failures}`);

server.closeAllConnections();
server.close();
await backend.close();
await dev.close();
await rm(dir, { recursive: true, force: true });
process.exit(failures === 0 && refusedGrants === 0 && refreshGrants === sessions * rounds ? 0 : 1);
