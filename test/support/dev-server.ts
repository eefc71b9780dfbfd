// `node src/server.ts` as a developer runs it (no configuration: the embedded provider on ports
// the system picks, the app on PORT), in a child process with the network guard preloaded and a
// folder of its own for data/. Killed after the test if it is still running.
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './local-server.ts';
import { tempDir } from './temp-dir.ts';

const serverFile = path.join(import.meta.dirname, '../../src/server.ts');
const preloadFile = path.join(import.meta.dirname, 'preload.ts');

export interface DevServer {
  child: ChildProcess;
  /** The app's port (PORT). */
  port: number;
}

/** Spawns the server with `env` added to the development defaults; stdin is always ignored. */
export async function startDevServer(
  t: TestContext,
  options: {
    env?: Record<string, string>;
    stdout?: 'pipe' | 'ignore';
    stderr?: 'pipe' | 'inherit';
  } = {},
): Promise<DevServer> {
  const cwd = await tempDir(t, 'oer-server-');
  const port = await freePort('127.0.0.1');
  const stdio: StdioOptions = ['ignore', options.stdout ?? 'pipe', options.stderr ?? 'inherit'];
  const child = spawn(process.execPath, ['--import', preloadFile, serverFile], {
    cwd,
    // No NODE_ENV, no OIDC_ISSUER: development with the embedded provider, as `npm run dev`.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DEV_PROVIDER_PORT: '0',
      DEV_API_PORT: '0',
      ...options.env,
    },
    stdio,
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, port };
}
