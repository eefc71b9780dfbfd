// `npm run bench`: every measurement in one run on this machine, then one table, ratios first.
// Ratios are compared, not absolute numbers: they are measured side by side, seconds apart, while
// a shared machine's absolute figures drift by tens of percent. docs/benchmarks.md explains each.
//   BENCH_SECONDS (default 10) per /resource load, BENCH_SIGN_IN_SECONDS (default 20) per app.
import { cpus } from 'node:os';
import { type BenchStack, startBenchStack } from './bench-stack.ts';
import { type BenchFigures, isSound, printTable } from './print-table.ts';
import { runRefreshStorm } from './refresh-storm.ts';
import { measureResourceLoad } from './resource-load.ts';
import {
  measurePendingLoginMemory,
  measureRowBytes,
  memoryPerThousand,
} from './session-footprint.ts';
import { measureSignInHops } from './sign-in-hops.ts';
import { measureSignInRates } from './sign-in-rate.ts';
import { startFiguresOf } from './start-time.ts';
import { Cleanups, LoopbackAddresses, settings, signInFrom } from './support.ts';

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
    // Like a test: a failed request or a refresh grant more than one per session fails the run.
    if (!isSound(figures)) process.exitCode = 1;
  } finally {
    await cleanups.close();
  }
}

async function measureEverything(stack: BenchStack): Promise<BenchFigures> {
  const addresses = new LoopbackAddresses();
  step('starting the servers (each its own process)');
  const appSqlite = await stack.startApp('sqlite');
  const appRedis = await stack.startApp('redis');
  const peer = await stack.startPeer();
  const baseline = await stack.startBaseline();

  step(
    `/resource: baseline, app SQLite, app Redis, peer in four rounds; ${settings.loadSeconds} s each`,
  );
  const resource = await measureResourceLoad({ baseline, appSqlite, appRedis, peer }, addresses);

  // The load is over: the sign-ins run on a new app process, its memory not swollen by the load.
  for (const server of [appSqlite, appRedis]) await server.stop();
  step(
    `sign-ins: app (a new process, SQLite), peer and bare sign-in in turns, ${settings.signInSeconds} s each`,
  );
  const signInApp = await stack.startApp('sqlite');
  for (const server of [signInApp, peer, baseline]) await warmUpSignIns(server.url, addresses);
  const beforeSignIns = await signInApp.memory();
  const signIns = await measureSignInRates({ app: signInApp, peer, baseline }, addresses);
  const signedInMemory = memoryPerThousand(
    beforeSignIns,
    await signInApp.memory(),
    signIns.app.completed,
  );
  const signedInRows = measureRowBytes(signInApp.dbPath);
  step('sign-ins one at a time, each request timed: app, peer and bare sign-in in turns');
  const signInHops = await measureSignInHops({ app: signInApp, peer, baseline }, addresses);
  for (const server of [signInApp, peer, baseline]) await server.stop();

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
    signInHops,
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
      ` SIGN_IN_RATE_LIMIT_PER_MINUTE at its default (each sign-in has its own address;` +
      ` the refresh storm alone raises it: its sign-ins all come from 127.0.0.1)`,
  );
  console.log(
    `  load: ${settings.connections} connections, ${settings.loadSeconds} s per /resource run;` +
      ` sign-ins: ${settings.signInWorkers} workers, ${settings.signInSeconds} s per app`,
  );
}

await main();
