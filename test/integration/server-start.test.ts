// `node src/server.ts` as a developer runs it (test/support/dev-server.ts: the embedded provider,
// the port from PORT, the network guard preloaded, a folder of its own for data/): where it
// listens, its log format, and the one line it prints when it cannot start (a port taken, an old Node).
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { startDevServer } from '../support/dev-server.ts';
import { listenLocal } from '../support/local-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const serverFile = path.join(import.meta.dirname, '../../src/server.ts');
const preflightFile = path.join(import.meta.dirname, '../../bin/preflight.js');

/** A Node older than 24 on this machine (Debian's, beside the Node 24 that runs the tests), if any. */
function olderNode(): string | undefined {
  const candidate = '/usr/bin/node';
  try {
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' });
    return Number(/^v(\d+)/.exec(version)?.[1]) < 24 ? candidate : undefined;
  } catch {
    return undefined;
  }
}

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
    const { child, port } = await startDevServer(t);

    const ready = await readyLineOf(child);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    child.kill('SIGTERM');
    const [exitCode] = await once(child, 'exit');

    assert.equal(ready.url, `http://localhost:${port}`);
    assert.equal(ready.address, `127.0.0.1:${port}`);
    assert.equal(health.status, 200);
    assert.equal(exitCode, 0);
  });

  it('with LOG_FORMAT=pretty, writes readable log lines instead of JSON', async (t) => {
    const { child, port } = await startDevServer(t, { env: { LOG_FORMAT: 'pretty' } });

    let readyLine: string | undefined;
    if (!child.stdout) throw new Error('no stdout');
    for await (const line of createInterface({ input: child.stdout })) {
      if (/ INFO +ready /.test(line)) {
        readyLine = line;
        break;
      }
    }
    child.kill('SIGTERM');

    assert.match(
      readyLine ?? '',
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d INFO  ready url=http://localhost:${port} address=127\\.0\\.0\\.1:${port}$`,
      ),
    );
  });

  for (const variable of ['PORT', 'DEV_PROVIDER_PORT', 'DEV_API_PORT'] as const) {
    it(`when the ${variable} port is taken, prints one line naming ${variable} and exits 1`, async (t) => {
      const taken = await listenLocal();
      t.after(taken.close);

      const { child } = await startDevServer(t, {
        env: { [variable]: String(taken.port) },
        stdout: 'ignore',
        stderr: 'pipe',
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const [exitCode] = await once(child, 'exit');

      assert.equal(exitCode, 1);
      assert.equal(
        stderr,
        `Port ${taken.port} is already in use: stop what runs there, or set ${variable} to a free port (e.g. ${variable}=${taken.port + 100})\n`,
      );
    });
  }

  const oldNode = olderNode();
  it('on a Node older than 24, prints one line naming Node.js 24 and exits 1', {
    skip: oldNode === undefined && 'no Node older than 24 at /usr/bin/node',
  }, async (t) => {
    const cwd = await tempDir(t, 'oer-server-');

    const child = spawn(oldNode ?? '', ['--import', preflightFile, serverFile], {
      cwd,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const [exitCode] = await once(child, 'exit');

    assert.equal(exitCode, 1);
    assert.match(stderr, /^This app needs Node\.js 24 or later \(found v\d+\.\d+\.\d+\)[^\n]*\n$/);
  });
});
