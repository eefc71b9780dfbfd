// Request targets a browser never sends but anyone can: `*` (asterisk-form, RFC 9112 §3.2.4),
// absolute-form, and paths that resolve to the static folder itself. Sent with node:http, which
// passes the request-target as written (fetch would normalise it).
import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, request } from 'node:http';
import { describe, it } from 'node:test';
import { startTestApp } from '../support/test-app.ts';

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends `method target HTTP/1.1` to `origin` exactly as written. */
function sendRaw(origin: string, method: string, target: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: target }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** pino's numeric level of each log line (error is 50). */
function levelsOf(logs: string[]): number[] {
  return logs.map((line) => (JSON.parse(line) as { level: number }).level);
}

describe('request targets no route serves', () => {
  it('answers GET * and OPTIONS * with 400 and logs them below error level', async (t) => {
    const app = await startTestApp(t);
    const logsBefore = app.logs.length;

    const answers = [
      await sendRaw(app.baseUrl, 'GET', '*'),
      await sendRaw(app.baseUrl, 'OPTIONS', '*'),
      await sendRaw(app.baseUrl, 'HEAD', '*'),
    ];
    const levels = levelsOf(app.logs.slice(logsBefore));

    assert.deepEqual(
      answers.map((answer) => answer.status),
      [400, 400, 400],
    );
    assert.match(answers[0]?.body ?? '', /^Bad request/);
    assert.equal(answers[0]?.headers['set-cookie'], undefined, 'no session for such a request');
    assert.ok(levels.length >= 3, 'each request is logged');
    assert.ok(
      levels.every((level) => level < 50),
      `no line at error level: ${levels}`,
    );
  });

  it('still serves an absolute-form request-target (RFC 9112 §3.2.2)', async (t) => {
    const app = await startTestApp(t);

    const health = await sendRaw(app.baseUrl, 'GET', `${app.baseUrl}/healthz`);

    assert.equal(health.status, 200);
  });

  it('serves the files of public/ under /assets/ only, so no page request looks in that folder', async (t) => {
    const app = await startTestApp(t);

    const stylesheet = await fetch(`${app.baseUrl}/assets/app.css`);
    const atTheRoot = await fetch(`${app.baseUrl}/app.css`);

    assert.equal(stylesheet.status, 200);
    assert.match(stylesheet.headers.get('content-type') ?? '', /^text\/css/);
    assert.equal(atTheRoot.status, 404);
  });

  it('never redirects a path that names the static folder, such as /\\evil.example/..', async (t) => {
    const app = await startTestApp(t);

    const answers = await Promise.all(
      [
        '/\\evil.example/..',
        '/%5C%5Cevil.example%2F..',
        '/a/..',
        '/.',
        '/assets/\\evil.example/..',
        '/assets',
        '/assets/',
      ].map((target) => sendRaw(app.baseUrl, 'GET', target)),
    );

    for (const answer of answers) {
      assert.equal(answer.headers.location, undefined, `no Location: ${answer.headers.location}`);
      assert.equal(answer.status, 404);
    }
  });
});
