// The servers the benchmark compares, each a process of its own: spawned with a given
// environment, ready when its health route answers, asked for its memory, stopped by its pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AfterHooks } from '../test/support/temp-dir.ts';
import { waitUntilHealthy } from '../test/support/wait-until-healthy.ts';

export interface MemoryUsage {
  rss: number;
  heapUsed: number;
}

export interface ServerProcess {
  url: string;
  /** Milliseconds from spawn to the first 200 from the health route. */
  startMs: number;
  /** The process's memory after a full garbage collection (bench/process-probe.ts answers). */
  memory(): Promise<MemoryUsage>;
  /** Microseconds of CPU the process has used so far, all threads (bench/process-probe.ts). */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Spawns `node <script>` with `env` (and nothing of this process's environment but PATH and
 * NODE_ENV=production), waits until `url`/healthz answers 200, and stops it by its pid at
 * cleanup. The memory probe is preloaded; so is the network guard: servers reach loopback only.
 */
export async function spawnServer(
  t: AfterHooks,
  options: { script: string; url: string; env: Record<string, string> },
): Promise<ServerProcess> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import=./test/support/network-guard.ts',
      '--import=./bench/process-probe.ts',
      options.script,
    ],
    {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ...profiling(), ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const stop = () => stopProcess(child);
  t.after(stop);
  // A server that never answers fails the benchmark after 30 s.
  await waitUntilHealthy(`${options.url}/healthz`, { child, details: () => stderr });
  return {
    url: options.url,
    startMs: performance.now() - started,
    memory: () => ask<MemoryUsage>(child, 'memory'),
    cpuMicros: async () => (await ask<{ cpuMicros: number }>(child, 'cpu')).cpuMicros,
    stop,
  };
}

/** Asks bench/process-probe.ts a question and waits for its answer (one at a time per process). */
async function ask<Answer>(child: ChildProcess, question: 'memory' | 'cpu'): Promise<Answer> {
  const answer = once(child, 'message');
  child.send(question);
  const [value] = (await answer) as [Answer];
  return value;
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

/**
 * BENCH_CPU_PROF_DIR=/tmp/prof npm run bench: every server writes a CPU profile there when it
 * stops (node --cpu-prof), to find where a figure's time goes before changing code for it.
 */
function profiling(): Record<string, string> {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` } : {};
}
