// Measurement 3: full sign-ins per second through the provider's pages, each from a loopback
// address of its own, by `settings.signInWorkers` browsers at a time. The reference app, the peer
// and the bare sign-in take turns (half the time each, twice), so all see the same drift of the
// machine.
import type { ServerProcess } from './server-process.ts';
import {
  type LoopbackAddresses,
  percentile,
  type SignInOutcome,
  settings,
  signInFrom,
} from './support.ts';

export interface SignInFigures {
  completed: number;
  refused: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  /** The server process's CPU time per completed sign-in, in milliseconds. */
  serverCpuMsPerSignIn: number;
  /**
   * The benchmark process's CPU time over the wall time of these sign-ins: it runs the provider
   * (its pages, its token endpoint) and the browsers. Near 1 (a whole core), the provider's side
   * is what limits the rate, whichever app signs in.
   */
  benchCpuShare: number;
}

interface SignInTally {
  counts: Record<SignInOutcome, number>;
  durationsMs: number[];
  seconds: number;
  serverCpuMicros: number;
  benchCpuMicros: number;
}

/** The servers whose sign-ins are measured: the two apps, and the bare sign-in (the ceiling). */
export interface SignInServers {
  app: ServerProcess;
  peer: ServerProcess;
  baseline: ServerProcess;
}

/**
 * Sign-ins on each server, `seconds` each, in two turns (app, peer, baseline, then baseline,
 * peer, app), so that a drift of the machine weighs on all alike.
 */
export async function measureSignInRates(
  servers: SignInServers,
  addresses: LoopbackAddresses,
  seconds = settings.signInSeconds,
): Promise<Record<keyof SignInServers, SignInFigures>> {
  const tallies = { app: emptyTally(), peer: emptyTally(), baseline: emptyTally() };
  const order: Array<keyof SignInServers> = ['app', 'peer', 'baseline'];
  for (let turn = 0; turn < 2; turn++) {
    for (const name of turn === 0 ? order : order.toReversed()) {
      await signInFor(servers[name], seconds / 2, addresses, tallies[name]);
    }
  }
  return {
    app: figuresOf(tallies.app),
    peer: figuresOf(tallies.peer),
    baseline: figuresOf(tallies.baseline),
  };
}

/**
 * Runs `settings.signInWorkers` loops of sign-ins for `seconds`, adding to `tally`. Bounded in
 * time and in count: no loop starts a sign-in after the deadline, nor beyond 200 a second.
 */
async function signInFor(
  server: ServerProcess,
  seconds: number,
  addresses: LoopbackAddresses,
  tally: SignInTally,
): Promise<void> {
  const serverCpuBefore = await server.cpuMicros();
  const benchCpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let remaining = Math.ceil(seconds * 200);
  const worker = async () => {
    while (performance.now() < deadline && remaining-- > 0) {
      const begin = performance.now();
      const { outcome } = await signInFrom(addresses.next(), server.url);
      tally.counts[outcome]++;
      if (outcome === 'completed') tally.durationsMs.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: settings.signInWorkers }, worker));
  // The last sign-ins may end after the deadline: the rate counts the time they took.
  tally.seconds += (performance.now() - started) / 1000;
  tally.serverCpuMicros += (await server.cpuMicros()) - serverCpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  tally.benchCpuMicros += benchCpu.user + benchCpu.system;
}

function emptyTally(): SignInTally {
  return {
    counts: { completed: 0, refused: 0, failed: 0 },
    durationsMs: [],
    seconds: 0,
    serverCpuMicros: 0,
    benchCpuMicros: 0,
  };
}

function figuresOf(tally: SignInTally): SignInFigures {
  const { counts, durationsMs, seconds } = tally;
  return {
    ...counts,
    seconds,
    perSecond: counts.completed / seconds,
    p50Ms: percentile(durationsMs, 50),
    serverCpuMsPerSignIn: tally.serverCpuMicros / 1000 / counts.completed,
    benchCpuShare: tally.benchCpuMicros / 1e6 / seconds,
  };
}
