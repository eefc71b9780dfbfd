// Measurement 3, read closer: one sign-in at a time, each of its requests timed, on the reference
// app, the peer and the bare sign-in in turns. A sign-in is a chain of requests, half of them to
// the provider, which are the same whichever app signs in. With `settings.signInWorkers` browsers
// each waiting for its own chain, the rates follow these times: an app can lead the peer by at
// most what the bare sign-in, which stores nothing, leads it by.
import type { SignInServers } from './sign-in-rate.ts';
import { type LoopbackAddresses, percentile, signInFrom } from './support.ts';

/** Medians over the sign-ins of one server, in milliseconds. */
export interface SignInHops {
  signIns: number;
  /** Sign-ins that did not complete: not counted in the medians, and a failed run. */
  failed: number;
  /** The whole sign-in, as the browser waited for it. */
  totalMs: number;
  /** Its requests to the server measured: /login, the callback, the signed-in page. */
  serverMs: number;
  /** Its requests to the provider: the authorization endpoint, its sign-in and consent pages. */
  providerMs: number;
}

const turns = 4;
const perTurn = 25;

/**
 * `perTurn` sign-ins one after another on each server, in `turns` turns whose order alternates
 * (app, peer, baseline, then the other way round), so that a drift of the machine weighs on all.
 * Bounded in count; each request of a sign-in waits 10 s at most (signInFrom).
 */
export async function measureSignInHops(
  servers: SignInServers,
  addresses: LoopbackAddresses,
): Promise<Record<keyof SignInServers, SignInHops>> {
  const timings = { app: [] as Timing[], peer: [] as Timing[], baseline: [] as Timing[] };
  const attempts = turns * perTurn;
  const order: Array<keyof SignInServers> = ['app', 'peer', 'baseline'];
  for (let turn = 0; turn < turns; turn++) {
    for (const name of turn % 2 === 0 ? order : order.toReversed()) {
      for (let count = 0; count < perTurn; count++) {
        const timing = await timeOneSignIn(servers[name].url, addresses.next());
        if (timing) timings[name].push(timing);
      }
    }
  }
  return {
    app: hopsOf(timings.app, attempts),
    peer: hopsOf(timings.peer, attempts),
    baseline: hopsOf(timings.baseline, attempts),
  };
}

interface Timing {
  totalMs: number;
  serverMs: number;
  providerMs: number;
}

/** One sign-in's times; undefined when it did not complete (it then counts nowhere). */
async function timeOneSignIn(serverUrl: string, address: string): Promise<Timing | undefined> {
  const serverOrigin = new URL(serverUrl).origin;
  let serverMs = 0;
  let providerMs = 0;
  const started = performance.now();
  const { outcome } = await signInFrom(address, serverUrl, (url, milliseconds) => {
    if (url.origin === serverOrigin) serverMs += milliseconds;
    else providerMs += milliseconds;
  });
  if (outcome !== 'completed') return undefined;
  return { totalMs: performance.now() - started, serverMs, providerMs };
}

function hopsOf(timings: Timing[], attempts: number): SignInHops {
  const median = (key: keyof Timing) =>
    percentile(
      timings.map((timing) => timing[key]),
      50,
    );
  return {
    signIns: timings.length,
    failed: attempts - timings.length,
    totalMs: median('totalMs'),
    serverMs: median('serverMs'),
    providerMs: median('providerMs'),
  };
}
