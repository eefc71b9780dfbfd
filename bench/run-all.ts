// `npm run bench`: every measurement in one run on this machine, then one table, ratios first.
// Ratios are compared, not absolute numbers: they are measured side by side, minutes apart, while
// a shared machine's absolute figures drift by tens of percent. docs/benchmarks.md explains each.
//   BENCH_SECONDS (default 10) per /resource load, BENCH_SIGN_IN_SECONDS (default 20) per app.
import { cpus } from 'node:os';
import { type BenchStack, startBenchStack } from './bench-stack.ts';
import { isIdealStorm, runRefreshStorm, type StormFigures } from './refresh-storm.ts';
import { measureResourceLoad, type ResourceFigures } from './resource-load.ts';
import {
  type MemoryPerThousand,
  measurePendingLoginMemory,
  measureRowBytes,
  memoryPerThousand,
  type RowBytes,
} from './session-footprint.ts';
import { measureSignInRates, type SignInFigures } from './sign-in-rate.ts';
import { type StartFigures, startFiguresOf } from './start-time.ts';
import { Cleanups, type LoadResult, LoopbackAddresses, settings, signInFrom } from './support.ts';

interface Figures {
  resource: ResourceFigures;
  signIns: { app: SignInFigures; peer: SignInFigures };
  storms: { sqlite: StormFigures; redis: StormFigures };
  rows: RowBytes;
  signedInMemory: MemoryPerThousand;
  pendingMemory: MemoryPerThousand;
  start: StartFigures;
}

async function main(): Promise<void> {
  const cleanups = new Cleanups();
  // Ctrl-C still stops every process the benchmark started.
  process.once('SIGINT', () => void cleanups.close().then(() => process.exit(130)));
  const started = performance.now();
  try {
    printConditions();
    const stack = await startBenchStack(cleanups);
    const figures = await measureEverything(stack);
    printTable(figures, (performance.now() - started) / 1000);
  } finally {
    await cleanups.close();
  }
}

async function measureEverything(stack: BenchStack): Promise<Figures> {
  const addresses = new LoopbackAddresses();
  step('starting the servers (each its own process)');
  const appSqlite = await stack.startApp('sqlite');
  const appRedis = await stack.startApp('redis');
  const peer = await stack.startPeer();
  const baseline = await stack.startBaseline();

  step(
    `/resource: baseline, app SQLite, app Redis, peer, and back; ${settings.loadSeconds} s each`,
  );
  const resource = await measureResourceLoad({ baseline, appSqlite, appRedis, peer }, addresses);

  // The load is over: the sign-ins run on a new app process, its memory not swollen by the load.
  for (const server of [appSqlite, appRedis, baseline]) await server.stop();
  step(`sign-ins: app (a new process, SQLite) and peer in turns, ${settings.signInSeconds} s each`);
  const signInApp = await stack.startApp('sqlite');
  await warmUpSignIns(signInApp.url, addresses);
  const beforeSignIns = await signInApp.memory();
  const signIns = await measureSignInRates(signInApp.url, peer.url, addresses);
  const signedInMemory = memoryPerThousand(
    beforeSignIns,
    await signInApp.memory(),
    signIns.app.completed,
  );
  const signedInRows = measureRowBytes(signInApp.dbPath);
  for (const server of [signInApp, peer]) await server.stop();

  step(`pending logins: ${settings.sessionsForMemory} × GET /login on a new app process`);
  const footprintApp = await stack.startApp('sqlite');
  const pendingMemory = await measurePendingLoginMemory(
    footprintApp,
    addresses,
    settings.sessionsForMemory,
  );
  const pendingRows = measureRowBytes(footprintApp.dbPath);
  await footprintApp.stop();

  step('refresh storm: SQLite, then Redis');
  const stormOptions = { sessions: 20, requests: 10, rounds: 3 };
  const storms = {
    sqlite: await runRefreshStorm({ ...stormOptions, store: 'sqlite' }),
    redis: await runRefreshStorm({ ...stormOptions, store: 'redis', redisUrl: stack.redisUrl }),
  };

  return {
    resource,
    signIns,
    storms,
    rows: { ...signedInRows, pendingLogin: pendingRows.pendingLogin },
    signedInMemory,
    pendingMemory,
    // Each a new process on a new SQLite file, in production mode.
    start: startFiguresOf([appSqlite, signInApp, footprintApp]),
  };
}

const benchStarted = performance.now();

function step(text: string): void {
  const seconds = (performance.now() - benchStarted) / 1000;
  console.log(`${seconds.toFixed(0).padStart(4)} s  ${text}`);
}

/** A few sign-ins before measuring: the first ones compile code and fill caches. */
async function warmUpSignIns(appUrl: string, addresses: LoopbackAddresses): Promise<void> {
  for (let count = 0; count < settings.signInWorkers; count++) {
    await signInFrom(addresses.next(), appUrl);
  }
}

function printConditions(): void {
  console.log(
    `npm run bench: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(
    `  servers: NODE_ENV=production, TOKEN_ENCRYPTION_KEY set, LOG_LEVEL=warn, loopback only;` +
      ` SIGN_IN_RATE_LIMIT_PER_MINUTE left at its default (each sign-in has its own address)`,
  );
  console.log(
    `  load: ${settings.connections} connections, ${settings.loadSeconds} s per /resource run;` +
      ` sign-ins: ${settings.signInWorkers} workers, ${settings.signInSeconds} s per app`,
  );
}

function printTable(f: Figures, totalSeconds: number): void {
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
      'sign-ins/s, app / peer (target ≥ 1.2)',
      `${(f.signIns.app.perSecond / f.signIns.peer.perSecond).toFixed(2)}×`,
    ],
    ['refresh grants per session, SQLite (ideal 1)', stormRatio(f.storms.sqlite)],
    ['refresh grants per session, Redis (ideal 1)', stormRatio(f.storms.redis)],
    ['ABSOLUTE (this machine, this minute)', ''],
    ['/resource baseline (both rounds)', load(baseline)],
    ['  baseline first round / second round', load(f.resource.baselineRuns[0])],
    ['', load(f.resource.baselineRuns[1])],
    ['/resource app, SQLite', load(appSqlite)],
    ['/resource app, Redis', load(appRedis)],
    ['/resource peer (express-openid-connect)', load(peer)],
    ['sign-ins app', signIns(f.signIns.app)],
    ['sign-ins peer', signIns(f.signIns.peer)],
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
  const stormsIdeal = isIdealStorm(f.storms.sqlite) && isIdealStorm(f.storms.redis);
  if (!stormsIdeal) console.log('\nThe refresh storm was not ideal: see its grants and failures.');
}

function ratio(a: LoadResult, b: LoadResult, key: keyof LoadResult): string {
  return `${(a[key] / b[key]).toFixed(2)}×`;
}

function load(result: LoadResult): string {
  return (
    `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(0)} ms,` +
    ` p99 ${result.p99Ms.toFixed(0)} ms, ${result.failures} failed`
  );
}

function signIns(figures: SignInFigures): string {
  return (
    `${figures.perSecond.toFixed(1)}/s: ${figures.completed} completed, ${figures.refused} refused (429),` +
    ` ${figures.failed} failed in ${figures.seconds.toFixed(1)} s; p50 ${figures.p50Ms.toFixed(0)} ms`
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

await main();
