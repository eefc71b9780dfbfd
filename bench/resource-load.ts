// Measurement 1 and 2: GET /resource for a signed-in session, on the reference app (SQLite and
// Redis) and on the express-openid-connect peer, against the bare baseline route calling the same
// API with one fixed token. Each server's time is split over four rounds, every other one in
// reverse order (B S R P, P R S B, B S R P, P R S B), so a drift of the machine weighs on all
// alike; the spread of the baseline's rounds shows how much it drifted.
import type { ServerProcess } from './server-process.ts';
import {
  type LoadResult,
  type LoopbackAddresses,
  loadUrl,
  settings,
  signInFrom,
  warmUp,
} from './support.ts';

export interface ResourceServers {
  baseline: ServerProcess;
  appSqlite: ServerProcess;
  appRedis: ServerProcess;
  peer: ServerProcess;
}

export interface ResourceFigures {
  /** The baseline over all rounds: the reference for every ratio. */
  baseline: LoadResult;
  /** The baseline's rounds one by one: their spread is the machine's drift during the load. */
  baselineRounds: LoadResult[];
  appSqlite: LoadResult;
  appRedis: LoadResult;
  peer: LoadResult;
}

const rounds = 4;
const warmUpSeconds = 5;

export async function measureResourceLoad(
  servers: ResourceServers,
  addresses: LoopbackAddresses,
): Promise<ResourceFigures> {
  // Signed in right before the load: no access token expires during it (refreshes are measured
  // by the refresh storm).
  const appSqliteCookie = await signedInCookie(servers.appSqlite, addresses);
  const appRedisCookie = await signedInCookie(servers.appRedis, addresses);
  const peerCookie = await signedInCookie(servers.peer, addresses);

  const targets = {
    baseline: { server: servers.baseline, headers: {} },
    appSqlite: { server: servers.appSqlite, headers: { cookie: appSqliteCookie } },
    appRedis: { server: servers.appRedis, headers: { cookie: appRedisCookie } },
    peer: { server: servers.peer, headers: { cookie: peerCookie } },
  };
  const firstRound: Array<keyof typeof targets> = ['baseline', 'appSqlite', 'appRedis', 'peer'];
  const results: Record<keyof typeof targets, LoadResult[]> = {
    baseline: [],
    appSqlite: [],
    appRedis: [],
    peer: [],
  };
  // Each server first serves a long load that is not counted: V8 keeps optimizing a server's
  // hot functions for thousands of requests (the app's CPU per request still fell by a third
  // between its first and its third round of 2 s), and a server in production runs for hours.
  for (const { server, headers } of Object.values(targets)) {
    await warmUp(`${server.url}/resource`, { headers, seconds: warmUpSeconds });
  }
  const seconds = settings.loadSeconds / rounds;
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? firstRound : firstRound.toReversed()) {
      const { server, headers } = targets[name];
      results[name].push(
        await loadUrl(`${server.url}/resource`, { headers, seconds, cpuMicros: server.cpuMicros }),
      );
    }
  }

  return {
    baseline: meanOf(results.baseline),
    baselineRounds: results.baseline,
    appSqlite: meanOf(results.appSqlite),
    appRedis: meanOf(results.appRedis),
    peer: meanOf(results.peer),
  };
}

async function signedInCookie(server: ServerProcess, addresses: LoopbackAddresses) {
  const { outcome, cookie } = await signInFrom(addresses.next(), server.url);
  if (outcome !== 'completed' || !cookie) throw new Error(`sign-in at ${server.url}: ${outcome}`);
  return cookie;
}

/** Runs of equal length as one: mean rate and percentiles, failures added up. */
function meanOf(runs: LoadResult[]): LoadResult {
  const mean = (key: Exclude<keyof LoadResult, 'failures'>) =>
    runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
  return {
    requestsPerSecond: mean('requestsPerSecond'),
    p50Ms: mean('p50Ms'),
    p99Ms: mean('p99Ms'),
    cpuMicrosPerRequest: mean('cpuMicrosPerRequest'),
    benchCpuMicrosPerRequest: mean('benchCpuMicrosPerRequest'),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
  };
}
