// The benchmark's one table: the ratios a reader compares first, then the absolute figures of
// this machine and minute they come from.
import { isIdealStorm, type StormFigures } from './refresh-storm.ts';
import type { ResourceFigures } from './resource-load.ts';
import type { MemoryPerThousand, RowBytes } from './session-footprint.ts';
import type { SignInHops } from './sign-in-hops.ts';
import type { SignInFigures } from './sign-in-rate.ts';
import type { StartFigures } from './start-time.ts';
import type { LoadResult } from './support.ts';

/** Everything one run measured. */
export interface BenchFigures {
  resource: ResourceFigures;
  signIns: { app: SignInFigures; peer: SignInFigures; baseline: SignInFigures };
  signInHops: { app: SignInHops; peer: SignInHops; baseline: SignInHops };
  storms: { sqlite: StormFigures; redis: StormFigures };
  rows: RowBytes;
  signedInMemory: MemoryPerThousand;
  pendingMemory: MemoryPerThousand;
  start: StartFigures;
}

/** The table a reader compares: ratios first, then the absolute figures behind them. */
export function printTable(f: BenchFigures, totalSeconds: number): void {
  const { baseline, appSqlite, appRedis, peer } = f.resource;
  const rows: Array<[string, string]> = [
    ['RATIOS (side by side, this run)', ''],
    ['/resource req/s, app SQLite / baseline', ratio(appSqlite, baseline, 'requestsPerSecond')],
    ['/resource req/s, app Redis / baseline', ratio(appRedis, baseline, 'requestsPerSecond')],
    ['/resource req/s, peer / baseline', ratio(peer, baseline, 'requestsPerSecond')],
    ['/resource req/s, app SQLite / peer', ratio(appSqlite, peer, 'requestsPerSecond')],
    ['/resource p50, app SQLite / baseline', ratio(appSqlite, baseline, 'p50Ms')],
    ['/resource p99, app SQLite / baseline', ratio(appSqlite, baseline, 'p99Ms')],
    ['/resource p50, app Redis / baseline', ratio(appRedis, baseline, 'p50Ms')],
    ['/resource p99, app Redis / baseline', ratio(appRedis, baseline, 'p99Ms')],
    ['/resource p50, peer / baseline', ratio(peer, baseline, 'p50Ms')],
    ['/resource p99, peer / baseline', ratio(peer, baseline, 'p99Ms')],
    [
      '/resource CPU per request, app SQLite / baseline',
      ratio(appSqlite, baseline, 'cpuMicrosPerRequest'),
    ],
    [
      '/resource CPU per request, app Redis / baseline',
      ratio(appRedis, baseline, 'cpuMicrosPerRequest'),
    ],
    ['/resource CPU per request, peer / baseline', ratio(peer, baseline, 'cpuMicrosPerRequest')],
    [
      'sign-ins/s, app / peer (target ≥ 1.2)',
      times(f.signIns.app.perSecond, f.signIns.peer.perSecond),
    ],
    [
      'sign-ins/s, app / bare sign-in (the ceiling here)',
      times(f.signIns.app.perSecond, f.signIns.baseline.perSecond),
    ],
    [
      'sign-ins/s, peer / bare sign-in',
      times(f.signIns.peer.perSecond, f.signIns.baseline.perSecond),
    ],
    // Times, not rates: divided the other way round, so that above 1 the first named is faster.
    [
      'sign-ins one at a time, app / peer',
      times(f.signInHops.peer.totalMs, f.signInHops.app.totalMs),
    ],
    [
      'sign-ins one at a time, bare / peer (the most any app leads by)',
      times(f.signInHops.peer.totalMs, f.signInHops.baseline.totalMs),
    ],
    [
      'server CPU per sign-in, app / peer',
      times(f.signIns.app.serverCpuMsPerSignIn, f.signIns.peer.serverCpuMsPerSignIn),
    ],
    ['refresh grants per session, SQLite (ideal 1)', stormRatio(f.storms.sqlite)],
    ['refresh grants per session, Redis (ideal 1)', stormRatio(f.storms.redis)],
    ['ABSOLUTE (this machine, this minute)', ''],
    ['/resource baseline (all rounds)', load(baseline)],
    ['  baseline req/s by round (the drift)', spread(f.resource.baselineRounds)],
    ['/resource app, SQLite', load(appSqlite)],
    ['/resource app, Redis', load(appRedis)],
    ['/resource peer (express-openid-connect)', load(peer)],
    ['sign-ins app', signIns(f.signIns.app)],
    ['sign-ins peer', signIns(f.signIns.peer)],
    ['sign-ins bare (baseline process)', signIns(f.signIns.baseline)],
    ['one sign-in alone, app', hops(f.signInHops.app)],
    ['one sign-in alone, peer', hops(f.signInHops.peer)],
    ['one sign-in alone, bare sign-in', hops(f.signInHops.baseline)],
    ['refresh storm SQLite (20×10×3)', storm(f.storms.sqlite)],
    ['refresh storm Redis (20×10×3)', storm(f.storms.redis)],
    [
      'SQLite bytes: signed-in session + token record',
      `${f.rows.signedInSession} + ${f.rows.tokenRecord} = ${f.rows.signedInSession + f.rows.tokenRecord} B`,
    ],
    ['SQLite bytes: pending-login session', `${f.rows.pendingLogin} B`],
    ['memory per 1,000 signed-in sessions', memory(f.signedInMemory)],
    ['memory per 1,000 pending logins', memory(f.pendingMemory)],
    [
      'start to healthy (node src/server.ts → /healthz)',
      `median ${f.start.medianMs.toFixed(0)} ms (${f.start.minMs.toFixed(0)}–${f.start.maxMs.toFixed(0)}, ${f.start.starts} starts)`,
    ],
    ['total benchmark time', `${totalSeconds.toFixed(0)} s`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('');
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  if (!isSound(f))
    console.log('\nFailed requests or sign-ins, or a refresh storm not ideal: see above.');
}

/** No failed request or sign-in, and exactly one refresh per session per round. */
export function isSound(f: BenchFigures): boolean {
  const { resource, signIns, storms } = f;
  const loads = [resource.baseline, resource.appSqlite, resource.appRedis, resource.peer];
  return (
    loads.every((result) => result.failures === 0) &&
    Object.values(signIns).every((figures) => figures.failed === 0) &&
    Object.values(f.signInHops).every((hops) => hops.failed === 0) &&
    isIdealStorm(storms.sqlite) &&
    isIdealStorm(storms.redis)
  );
}

function ratio(a: LoadResult, b: LoadResult, key: keyof LoadResult): string {
  return times(a[key], b[key]);
}

/** `a / b` as the table writes a ratio: `1.23×`. */
function times(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

function spread(rounds: LoadResult[]): string {
  const rates = rounds.map((round) => round.requestsPerSecond);
  const drift = Math.max(...rates) / Math.min(...rates);
  return `${rates.map((rate) => rate.toFixed(0)).join(', ')}: max / min ${drift.toFixed(2)}×`;
}

function load(result: LoadResult): string {
  return (
    `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(0)} ms,` +
    ` p99 ${result.p99Ms.toFixed(0)} ms, ${result.failures} failed;` +
    ` server CPU ${result.cpuMicrosPerRequest.toFixed(0)} µs/request,` +
    ` load generator and API ${result.benchCpuMicrosPerRequest.toFixed(0)} µs/request`
  );
}

function signIns(figures: SignInFigures): string {
  return (
    `${figures.perSecond.toFixed(1)}/s: ${figures.completed} completed, ${figures.refused} refused (429),` +
    ` ${figures.failed} failed in ${figures.seconds.toFixed(1)} s; p50 ${figures.p50Ms.toFixed(0)} ms;` +
    ` server CPU ${figures.serverCpuMsPerSignIn.toFixed(1)} ms/sign-in;` +
    ` provider and browsers' process ${(100 * figures.benchCpuShare).toFixed(0)} % of a core`
  );
}

function hops(figures: SignInHops): string {
  return (
    `${figures.totalMs.toFixed(1)} ms: its own requests (code exchange included) ${figures.serverMs.toFixed(1)} ms,` +
    ` the provider's ${figures.providerMs.toFixed(1)} ms (medians of ${figures.signIns}, ${figures.failed} failed)`
  );
}

function stormRatio(figures: StormFigures): string {
  return `${figures.grantsPerSessionRound.toFixed(2)} (${figures.refreshGrants} of ideal ${figures.idealGrants})`;
}

function storm(figures: StormFigures): string {
  return (
    `${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.p50Ms.toFixed(0)} ms,` +
    ` p99 ${figures.p99Ms.toFixed(0)} ms; ${figures.refusedGrants} refused grants, ${figures.failures} failed`
  );
}

function memory(figures: MemoryPerThousand): string {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return `RSS ${mb(figures.rssBytes)} MB, heap ${mb(figures.heapBytes)} MB (measured over ${figures.sessions})`;
}
