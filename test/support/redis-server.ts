// A real redis-server (Debian's package) for the test, on a loopback address of its own, stopped
// after it. It can be stopped and started again on the same address to test an outage, and the
// app's backend can be opened on it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import type { SessionBackend } from '../../src/session/session-backend.ts';
import { openSessionBackend } from '../../src/stores/open-session-backend.ts';
import { freePort, privateLoopbackHost } from './local-server.ts';
import { type AfterHooks, tempDir } from './temp-dir.ts';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  pause(): void;
  resume(): void;
}

/** Starts redis-server with an append-only file, so data survives stop/start on the same `url`. */
export async function startRedisServer(t: AfterHooks): Promise<RedisServer> {
  // While it is stopped, nothing else can take its port: nothing else listens on this host.
  const host = privateLoopbackHost();
  const port = await freePort(host);
  // node:test runs after-hooks in the order they were added: stop redis before its folder goes.
  t.after(() => stop());
  const dir = await tempDir(t, 'oer-redis-');
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        host,
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = server;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new Error(
            `redis-server could not start (apt-get install redis-server): ${error.message}`,
          ),
        ),
      );
      server.once('exit', (code) =>
        reject(new Error(`redis-server exited with ${code}: ${output}`)),
      );
      server.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
    });
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGCONT');
    running.kill('SIGTERM');
    await once(running, 'exit');
  }

  await start();
  return {
    url: `redis://${host}:${port}`,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/** A redis-server for the test and the app's backend (SESSION_STORE=redis) on it, both closed after it. */
export async function openRedisBackend(t: TestContext): Promise<[SessionBackend, RedisServer]> {
  const redis = await startRedisServer(t);
  const backend = await openSessionBackend(
    loadConfig({ SESSION_STORE: 'redis', REDIS_URL: redis.url }),
  );
  t.after(() => backend.close());
  return [backend, redis];
}
