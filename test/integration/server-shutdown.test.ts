// SIGTERM while a request is in flight: the request gets its answer, then the process exits at once
// instead of lingering until Node's keep-alive timeout (5 s) closes the now idle connection. A
// container is killed 10 s after SIGTERM; every second spent lingering is taken from that budget.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevServer } from '../support/dev-server.ts';
import { waitUntilHealthy } from '../support/wait-until-healthy.ts';

describe('node src/server.ts on SIGTERM', () => {
  it('answers the request in flight on a keep-alive connection, then exits within a second', async (t) => {
    const { child, port } = await startDevServer(t, { stdout: 'ignore' });
    const exited = once(child, 'exit');
    await waitUntilHealthy(`http://127.0.0.1:${port}/healthz`);

    // A POST whose body has not arrived yet is a request in flight: its headers are in, so the
    // server has a response object for it and cannot close the connection as idle.
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const body = 'a=1';
    socket.write(
      'POST /logout HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n' +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    let answer = '';
    socket.setEncoding('utf8');
    const firstAnswer = new Promise<number>((resolve) => {
      socket.on('data', (chunk: string) => {
        answer += chunk;
        if (answer.includes('\r\n\r\n')) resolve(performance.now());
      });
    });
    await sleep(200);
    child.kill('SIGTERM');
    await sleep(300);
    socket.write(body);

    const answeredAt = await firstAnswer;
    const [exitCode] = await exited;
    const lingeredMs = performance.now() - answeredAt;
    socket.destroy();
    t.diagnostic(`exited ${Math.round(lingeredMs)} ms after the last answer`);

    assert.match(answer, /^HTTP\/1\.1 [1-5]\d\d /, 'the request in flight got an answer');
    assert.equal(exitCode, 0);
    assert.ok(lingeredMs < 1000, `exited ${Math.round(lingeredMs)} ms after the last answer`);
  });

  it('answers a request whose headers finish arriving after SIGTERM, and still exits cleanly', async (t) => {
    const { child, port } = await startDevServer(t, { stdout: 'ignore' });
    const exited = once(child, 'exit');
    await waitUntilHealthy(`http://127.0.0.1:${port}/healthz`);

    // The request line is in, its headers are not finished: the request arrives after SIGTERM.
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    await sleep(200);
    child.kill('SIGTERM');
    await sleep(300);
    socket.write('\r\n');

    const [exitCode] = await exited;
    socket.destroy();

    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /\r\nConnection: close\r\n/i, 'the answer closes its connection');
    assert.equal(exitCode, 0, 'no crash: the store and the dev services were closed');
  });
});
