// Benchmark: N signed-in sessions × M concurrent /resource requests, each round right after every
// access token expired. Prints requests/s, latency percentiles, refresh grants against the ideal
// (one per session per round) and failures. Usage:
//   node bench/refresh-storm.ts [--sessions 20] [--requests 10] [--rounds 3] [--store sqlite|redis]
// With --store redis, REDIS_URL names a running Redis (e.g. redis://127.0.0.1:6379).
import { parseArgs } from 'node:util';
import type { CookieJar } from '../test/support/cookie-jar.ts';
import { startLocalStack } from '../test/support/test-app.ts';

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

const app = await startLocalStack({
  env: {
    SESSION_STORE: values.store,
    ...(process.env.REDIS_URL && { REDIS_URL: process.env.REDIS_URL }),
    LOG_LEVEL: 'silent',
    SIGN_IN_RATE_LIMIT_PER_MINUTE: '100000',
    // Each round moves the app's clock an hour on: keep the sessions themselves alive throughout.
    SESSION_IDLE_TIMEOUT_SECONDS: String(7 * 24 * 3600),
    SESSION_MAX_AGE_SECONDS: String(7 * 24 * 3600),
  },
});
const jars: CookieJar[] = [];
for (let index = 0; index < sessions; index++) jars.push(await app.signIn(`user${index}`));

const latencies: number[] = [];
let failures = 0;
const started = performance.now();
for (let round = 0; round < rounds; round++) {
  app.advanceClock(60 * 60 * 1000); // every access token is now past its expiry
  await Promise.all(
    jars.flatMap((jar) =>
      Array.from({ length: requests }, async () => {
        const begin = performance.now();
        const response = await jar.fetch(`${app.baseUrl}/resource`);
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
  `  refresh grants ${app.grants.refresh_token ?? 0} (ideal ${sessions * rounds}: one per session per round)`,
);
console.log(`  refused grants ${app.grantErrors.length} (a refresh token spent twice is refused)`);
console.log(`  failures      ${failures}`);

await app.close();
const isIdeal = app.grants.refresh_token === sessions * rounds && app.grantErrors.length === 0;
process.exit(failures === 0 && isIdeal ? 0 : 1);
