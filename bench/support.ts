// What the benchmark's measurements share: their settings, cleanups, a fixed-URL load
// (autocannon), a scripted sign-in from a loopback address of its own, and percentiles.
// Everything talks to loopback only: the test suite's network guard throws on any other address
// before a packet leaves the machine.
import '../test/support/network-guard.ts';
import autocannon from 'autocannon';
import { Agent } from 'undici';
import { CookieJar } from '../test/support/cookie-jar.ts';
import { signInThroughProvider } from '../test/support/dev-login.ts';
import type { AfterHooks } from '../test/support/temp-dir.ts';

/** Durations and sizes; BENCH_SECONDS=4 BENCH_SIGN_IN_SECONDS=4 for a quick run. */
export const settings = {
  loadSeconds: positiveNumber('BENCH_SECONDS', 10),
  signInSeconds: positiveNumber('BENCH_SIGN_IN_SECONDS', 20),
  connections: 32,
  signInWorkers: 4,
  sessionsForMemory: 1000,
};

function positiveNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name} must be a positive number of seconds`);
  return value;
}

/**
 * Cleanups run by `close`, the last registered first (node:test runs `t.after` hooks in the order
 * they were added: a stack's later parts here may depend on its earlier ones).
 */
export class Cleanups implements AfterHooks {
  readonly #cleanups: Array<() => unknown> = [];

  after(cleanup: () => unknown): void {
    this.#cleanups.push(cleanup);
  }

  /** Runs every cleanup once, the last registered first. */
  async close(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) await cleanup();
  }
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not 2xx, plus connection errors and timeouts: should all be 0. */
  failures: number;
  /** The server process's CPU time per request over the load, in microseconds (all its threads). */
  cpuMicrosPerRequest: number;
  /** This process's CPU time per request meanwhile: the load generator and the API it calls. */
  benchCpuMicrosPerRequest: number;
}

/**
 * GETs `url` from `settings.connections` connections for `seconds` (and at most 20,000 requests
 * a second on average: bounded in count too), after a one-second load that is not counted: the
 * first requests open connections (and compile code), and the server measured before finishes
 * the requests its load left in flight.
 */
export async function loadUrl(
  url: string,
  options: {
    headers?: Record<string, string>;
    seconds: number;
    /** The server's CPU time so far (ServerProcess.cpuMicros), read before and after the load. */
    cpuMicros: () => Promise<number>;
  },
): Promise<LoadResult> {
  await warmUp(url, { headers: options.headers, seconds: 1 });
  const cpuBefore = await options.cpuMicros();
  const benchCpuBefore = process.cpuUsage();
  const result = await load(url, options);
  const benchCpu = process.cpuUsage(benchCpuBefore);
  return {
    requestsPerSecond: result.requests.total / (result.duration || options.seconds),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
    cpuMicrosPerRequest: ((await options.cpuMicros()) - cpuBefore) / result.requests.total,
    benchCpuMicrosPerRequest: (benchCpu.user + benchCpu.system) / result.requests.total,
  };
}

/** A load whose figures are not kept: `settings.connections` connections for `seconds`. */
export async function warmUp(
  url: string,
  options: { headers?: Record<string, string>; seconds: number },
): Promise<void> {
  await load(url, options);
}

/** GETs `url` from `settings.connections` connections for `seconds`, 20,000 a second at most. */
function load(url: string, options: { headers?: Record<string, string>; seconds: number }) {
  return autocannon({
    url,
    headers: options.headers ?? {},
    connections: settings.connections,
    timeout: 10,
    duration: options.seconds,
    maxOverallRequests: Math.ceil(options.seconds * 20_000),
  });
}

/**
 * Source addresses for the benchmark's browsers, one per sign-in as real users' browsers have:
 * 127.0.x.y in turn (Linux answers on all of 127.0.0.0/8), skipping 127.0.0.1 (the servers') and
 * the .0 and .255 host bytes.
 */
export class LoopbackAddresses {
  #count = 0;

  next(): string {
    const index = this.#count++ + 1;
    const third = Math.floor(index / 254);
    const fourth = (index % 254) + 1;
    if (third > 255) throw new Error('more browsers than 127.0.0.0/16 has addresses');
    return `127.0.${third}.${fourth}`;
  }
}

export type SignInOutcome = 'completed' | 'refused' | 'failed';

/** Told of each request a scripted browser sends: where, and how long until its answer's headers. */
export type RequestTimer = (url: URL, milliseconds: number) => void;

/** A browser's cookie jar that times each request it sends (bench/sign-in-hops.ts). */
class TimedCookieJar extends CookieJar {
  readonly #onRequest: RequestTimer;

  constructor(options: ConstructorParameters<typeof CookieJar>[0], onRequest: RequestTimer) {
    super(options);
    this.#onRequest = onRequest;
  }

  override async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const started = performance.now();
    const response = await super.fetch(url, init);
    this.#onRequest(new URL(url), performance.now() - started);
    return response;
  }
}

/**
 * One full sign-in as a new browser from `address`: GET `appUrl`/login, the provider's sign-in
 * and consent pages, back through /callback to the app's signed-in page (`appUrl`/). Returns the
 * outcome and the browser's cookies for the app (to load pages as this user). `onRequest` is told
 * how long each of its requests took.
 */
export async function signInFrom(
  address: string,
  appUrl: string,
  onRequest?: RequestTimer,
): Promise<{ outcome: SignInOutcome; cookie: string | undefined }> {
  // Its own connections from its own address, as another user's browser; no request waits > 10 s.
  const agent = new Agent({
    localAddress: address,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const jar = onRequest
    ? new TimedCookieJar({ dispatcher: agent }, onRequest)
    : new CookieJar({ dispatcher: agent });
  try {
    const response = await signInThroughProvider(`${appUrl}/login`, jar);
    await response.arrayBuffer();
    if (response.status === 429) return { outcome: 'refused', cookie: undefined };
    const isSignedIn = response.status === 200 && response.url === `${appUrl}/`;
    return { outcome: isSignedIn ? 'completed' : 'failed', cookie: jar.header(appUrl) };
  } catch {
    return { outcome: 'failed', cookie: undefined };
  } finally {
    await agent.close();
  }
}

/** The value at percentile `p` (0–100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
