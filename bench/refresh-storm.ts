// Measurement 4, the refresh storm: N signed-in sessions × M concurrent /resource requests, each
// round right after every access token expired. Counts the provider's refresh grants against the
// ideal (one per session per round: concurrent requests wait for the same refresh), refused
// grants (a refresh token spent twice) and failures. Run alone:
//   node bench/refresh-storm.ts [--sessions 20] [--requests 10] [--rounds 3] [--store sqlite|redis]
// With --store redis, REDIS_URL names a running Redis (e.g. redis://127.0.0.1:6379).
import { parseArgs } from 'node:util';
import type { CookieJar } from '../test/support/cookie-jar.ts';
import { startLocalStack } from '../test/support/test-app.ts';
import { percentile } from './support.ts';

export interface StormOptions {
  sessions: number;
  requests: number;
  rounds: number;
  store: 'sqlite' | 'redis';
  redisUrl?: string;
}

export interface StormFigures {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  refreshGrants: number;
  /** One refresh per session per round. */
  idealGrants: number;
  /** Refresh grants per session per round: 1 is the ideal. */
  grantsPerSessionRound: number;
  refusedGrants: number;
  failures: number;
}

export async function runRefreshStorm(options: StormOptions): Promise<StormFigures> {
  const { sessions, requests, rounds } = options;
  const app = await startLocalStack({
    env: {
      SESSION_STORE: options.store,
      ...(options.redisUrl && { REDIS_URL: options.redisUrl }),
      LOG_LEVEL: 'silent',
      // Every sign-in here comes from 127.0.0.1: the limit would refuse the 31st of the minute.
      SIGN_IN_RATE_LIMIT_PER_MINUTE: '100000',
      // Each round moves the app's clock an hour on: keep the sessions themselves alive throughout.
      SESSION_IDLE_TIMEOUT_SECONDS: String(7 * 24 * 3600),
      SESSION_MAX_AGE_SECONDS: String(7 * 24 * 3600),
    },
  });
  try {
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
            // Bounded in time as in count: a request still unanswered after 30 s is a failure.
            const status = await jar
              .fetch(`${app.baseUrl}/resource`, { signal: AbortSignal.timeout(30_000) })
              .then(async (response) => {
                await response.arrayBuffer();
                return response.status;
              })
              .catch(() => 0);
            latencies.push(performance.now() - begin);
            if (status !== 200) failures++;
          }),
        ),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const total = sessions * requests * rounds;
    const refreshGrants = app.grants.refresh_token ?? 0;
    return {
      requests: total,
      requestsPerSecond: total / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
      refreshGrants,
      idealGrants: sessions * rounds,
      grantsPerSessionRound: refreshGrants / (sessions * rounds),
      refusedGrants: app.grantErrors.length,
      failures,
    };
  } finally {
    await app.close();
  }
}

/** Whether the storm went as it should: one refresh per session per round, nothing refused. */
export function isIdealStorm(figures: StormFigures): boolean {
  return (
    figures.failures === 0 &&
    figures.refusedGrants === 0 &&
    figures.refreshGrants === figures.idealGrants
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sessions: { type: 'string', default: '20' },
      requests: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      store: { type: 'string', default: 'sqlite' },
    },
  });
  const store = values.store === 'redis' ? 'redis' : 'sqlite';
  const options: StormOptions = {
    sessions: Number(values.sessions),
    requests: Number(values.requests),
    rounds: Number(values.rounds),
    store,
    ...(process.env.REDIS_URL && { redisUrl: process.env.REDIS_URL }),
  };
  const figures = await runRefreshStorm(options);
  const { sessions, requests, rounds } = options;
  console.log(
    `refresh-storm: ${sessions} sessions × ${requests} concurrent requests × ${rounds} rounds, store ${store}`,
  );
  console.log(
    `  requests      ${figures.requests} = ${figures.requestsPerSecond.toFixed(0)} requests/s`,
  );
  console.log(
    `  latency       p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms, max ${figures.maxMs.toFixed(1)} ms`,
  );
  console.log(
    `  refresh grants ${figures.refreshGrants} (ideal ${figures.idealGrants}: one per session per round)`,
  );
  console.log(`  refused grants ${figures.refusedGrants} (a refresh token spent twice is refused)`);
  console.log(`  failures      ${figures.failures}`);
  process.exit(isIdealStorm(figures) ? 0 : 1);
}

if (import.meta.main) await main();
