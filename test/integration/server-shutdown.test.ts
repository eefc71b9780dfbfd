// SIGTERM while a request is in flight: the request gets its answer, then the process exits at once
// instead of lingering until Node's keep-alive timeout (5 s) closes the now idle connection. A
// container is killed 10 s after SIGTERM; every second spent lingering is taken from that budget.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevServer } from '../support/dev-server.ts';
import { waitUntilHealthy } from '../support/wait-until-healthy.ts';

/** The server, healthy, and a raw connection to it (closed after the test); `exited` is its exit. */
async function serverWithConnection(t: TestContext) {
  const { child, port } = await startDevServer(t, { stdout: 'ignore' });
  const exited = once(child, 'exit');
  await waitUntilHealthy(`http://127.0.0.1:${port}/healthz`, { child });
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.setEncoding('utf8');
  t.after(() => socket.destroy());
  return { child, exited, socket };
}

/** SIGTERM in the middle of a request: 200 ms after its start was sent, 300 ms before `rest`. */
async function sigtermBefore(rest: string, child: ChildProcess, socket: Socket): Promise<void> {
  await sleep(200);
  child.kill('SIGTERM');
  await sleep(300);
  socket.write(rest);
}

describe('node src/server.ts on SIGTERM', () => {
  it('answers the request in flight on a keep-alive connection, then exits within a second', async (t) => {
    const { child, exited, socket } = await serverWithConnection(t);

    // A POST whose body has not arrived yet is a request in flight: its headers are in, so the
    // server has a response object for it and cannot close the connection as idle.
    const body = 'a=1';
    socket.write(
      'POST /logout HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n' +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    let answer = '';
    const firstAnswer = new Promise<number>((resolve) => {
      socket.on('data', (chunk: string) => {
        answer += chunk;
        if (answer.includes('\r\n\r\n')) resolve(performance.now());
      });
    });
    await sigtermBefore(body, child, socket);

    const answeredAt = await firstAnswer;
    const [exitCode] = await exited;
    const lingeredMs = performance.now() - answeredAt;
    t.diagnostic(`exited ${Math.round(lingeredMs)} ms after the last answer`);

    assert.match(answer, /^HTTP\/1\.1 [1-5]\d\d /, 'the request in flight got an answer');
    assert.equal(exitCode, 0);
    assert.ok(lingeredMs < 1000, `exited ${Math.round(lingeredMs)} ms after the last answer`);
  });

  it('answers a request whose headers finish arriving after SIGTERM, and still exits cleanly', async (t) => {
    const { child, exited, socket } = await serverWithConnection(t);

    // The request line is in, its headers are not finished: the request arrives after SIGTERM.
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    let answer = '';
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    await sigtermBefore('\r\n', child, socket);

    const [exitCode] = await exited;

    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /\r\nConnection: close\r\n/i, 'the answer closes its connection');
    assert.equal(exitCode, 0, 'no crash: the store and the dev services were closed');
  });
});
