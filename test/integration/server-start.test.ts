// `node src/server.ts` as a developer runs it (no configuration: the embedded provider, port from
// PORT), in a child process with the network guard preloaded, in a folder of its own for data/.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { freePort } from '../support/local-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const serverFile = path.join(import.meta.dirname, '../../src/server.ts');
const preloadFile = path.join(import.meta.dirname, '../support/preload.ts');

interface ReadyLine {
  msg: string;
  url: string;
  address?: string;
}

/** The server's JSON log line saying it is ready (it rejects if the process ends first). */
async function readyLineOf(child: ChildProcess): Promise<ReadyLine> {
  if (!child.stdout) throw new Error('no stdout');
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as ReadyLine;
    if (entry.msg === 'ready') return entry;
  }
  throw new Error(`the server exited before it was ready (code ${child.exitCode})`);
}

describe('node src/server.ts', () => {
  it('in development with a loopback APP_BASE_URL, listens on 127.0.0.1 only and stops on SIGTERM', async (t) => {
    const cwd = await tempDir(t, 'oer-server-');
    const port = await freePort('127.0.0.1');
    const child = spawn(process.execPath, ['--import', preloadFile, serverFile], {
      cwd,
      // No NODE_ENV, no OIDC_ISSUER: development with the embedded provider, as `npm run dev`.
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DEV_PROVIDER_PORT: '0',
        DEV_API_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });

    const ready = await readyLineOf(child);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    child.kill('SIGTERM');
    const [exitCode] = await once(child, 'exit');

    assert.equal(ready.url, `http://localhost:${port}`);
    assert.equal(ready.address, `127.0.0.1:${port}`);
    assert.equal(health.status, 200);
    assert.equal(exitCode, 0);
  });
});
