// Measurement 1 and 2: GET /resource for a signed-in session, on the reference app (SQLite, then
// Redis) and on the express-openid-connect peer, against the bare baseline route calling the same
// API with one fixed token. The baseline runs first and last: the two runs show the machine's drift.
import type { ServerProcess } from './support.ts';
import { type LoadResult, type LoopbackAddresses, loadUrl, signInFrom } from './support.ts';

export interface ResourceServers {
  baseline: ServerProcess;
  appSqlite: ServerProcess;
  appRedis: ServerProcess;
  peer: ServerProcess;
}

export interface ResourceFigures {
  /** The mean of the two baseline runs: the reference for every ratio. */
  baseline: LoadResult;
  baselineRuns: [LoadResult, LoadResult];
  appSqlite: LoadResult;
  appRedis: LoadResult;
  peer: LoadResult;
}

export async function measureResourceLoad(
  servers: ResourceServers,
  addresses: LoopbackAddresses,
): Promise<ResourceFigures> {
  // Signed in right before the load: no access token expires during it (refreshes are measured
  // by the refresh storm).
  const appSqliteCookie = await signedInCookie(servers.appSqlite, addresses);
  const appRedisCookie = await signedInCookie(servers.appRedis, addresses);
  const peerCookie = await signedInCookie(servers.peer, addresses);

  const firstBaseline = await loadUrl(`${servers.baseline.url}/resource`);
  const appSqlite = await loadUrl(`${servers.appSqlite.url}/resource`, { cookie: appSqliteCookie });
  const appRedis = await loadUrl(`${servers.appRedis.url}/resource`, { cookie: appRedisCookie });
  const peer = await loadUrl(`${servers.peer.url}/resource`, { cookie: peerCookie });
  const lastBaseline = await loadUrl(`${servers.baseline.url}/resource`);

  return {
    baseline: meanOf(firstBaseline, lastBaseline),
    baselineRuns: [firstBaseline, lastBaseline],
    appSqlite,
    appRedis,
    peer,
  };
}

async function signedInCookie(server: ServerProcess, addresses: LoopbackAddresses) {
  const { outcome, cookie } = await signInFrom(addresses.next(), server.url);
  if (outcome !== 'completed' || !cookie) throw new Error(`sign-in at ${server.url}: ${outcome}`);
  return cookie;
}

function meanOf(a: LoadResult, b: LoadResult): LoadResult {
  return {
    requestsPerSecond: (a.requestsPerSecond + b.requestsPerSecond) / 2,
    p50Ms: (a.p50Ms + b.p50Ms) / 2,
    p99Ms: (a.p99Ms + b.p99Ms) / 2,
    failures: a.failures + b.failures,
  };
}
