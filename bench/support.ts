// What the benchmark's measurements share: their settings, cleanups, server processes started
// and stopped by pid, a fixed-URL load (autocannon), a scripted sign-in from a loopback address of
// its own, and percentiles. Everything talks to loopback only: the test suite's network guard
// throws on any other address before a packet leaves the machine.
import '../test/support/network-guard.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { Agent } from 'undici';
import { CookieJar } from '../test/support/cookie-jar.ts';
import { signInThroughProvider } from '../test/support/dev-login.ts';
import type { AfterHooks } from '../test/support/temp-dir.ts';

/** Durations and sizes; BENCH_SECONDS=2 BENCH_SIGN_IN_SECONDS=4 for a quick run. */
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

/** Cleanups run in reverse order by `close`, as node:test runs `t.after` hooks. */
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

export interface MemoryUsage {
  rss: number;
  heapUsed: number;
}

export interface ServerProcess {
  url: string;
  /** Milliseconds from spawn to the first 200 from the health route. */
  startMs: number;
  /** The process's memory after a full garbage collection (bench/memory-probe.ts answers). */
  memory(): Promise<MemoryUsage>;
  stop(): Promise<void>;
}

/**
 * Spawns `node <script>` with `env` (and nothing of this process's environment but PATH and
 * NODE_ENV=production), waits until `url + healthPath` answers 200, and stops it by its pid at
 * cleanup. The memory probe is preloaded; so is the network guard: servers reach loopback only.
 */
export async function spawnServer(
  t: AfterHooks,
  options: { script: string; url: string; env: Record<string, string>; healthPath?: string },
): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import=./test/support/network-guard.ts',
      '--import=./bench/memory-probe.ts',
      options.script,
    ],
    {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const stop = () => stopProcess(child);
  t.after(stop);
  await waitUntilHealthy(`${options.url}${options.healthPath ?? '/healthz'}`, child, () => stderr);
  return {
    url: options.url,
    startMs: performance.now() - started,
    memory: () => askMemory(child),
    stop,
  };
}

// Polled every 10 ms for at most 30 s: a server that never answers fails the benchmark.
async function waitUntilHealthy(url: string, child: ChildProcess, stderr: () => string) {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: exited (${child.exitCode}): ${stderr()}`);
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not answer 200 within 30 s: ${stderr()}`);
}

async function askMemory(child: ChildProcess): Promise<MemoryUsage> {
  const answer = once(child, 'message');
  child.send('memory');
  const [usage] = (await answer) as [MemoryUsage];
  return usage;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // server.ts finishes in-flight requests first; a process still there after 5 s is killed.
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not 2xx, plus connection errors and timeouts: should all be 0. */
  failures: number;
}

/**
 * GETs `url` from `settings.connections` connections for `seconds` (and at most 20,000 requests
 * a second on average: bounded in count too). With `isWarmUp`, a one-second load first, not
 * counted: the server's first requests compile its code and open its connections.
 */
export async function loadUrl(
  url: string,
  options: { headers?: Record<string, string>; seconds: number; isWarmUp: boolean },
): Promise<LoadResult> {
  const common = {
    url,
    headers: options.headers ?? {},
    connections: settings.connections,
    timeout: 10,
  };
  if (options.isWarmUp) await autocannon({ ...common, duration: 1, maxOverallRequests: 20_000 });
  const result = await autocannon({
    ...common,
    duration: options.seconds,
    maxOverallRequests: Math.ceil(options.seconds * 20_000),
  });
  return {
    requestsPerSecond: result.requests.total / (result.duration || options.seconds),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
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

/**
 * One full sign-in as a new browser from `address`: GET `appUrl`/login, the provider's sign-in
 * and consent pages, back through /callback to the app's signed-in page (`appUrl`/). Returns the
 * outcome and the browser's cookies for the app (to load pages as this user).
 */
export async function signInFrom(
  address: string,
  appUrl: string,
): Promise<{ outcome: SignInOutcome; cookie: string | undefined }> {
  // Its own connections from its own address, as another user's browser; no request waits > 10 s.
  const agent = new Agent({
    localAddress: address,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const jar = new CookieJar({ dispatcher: agent });
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
