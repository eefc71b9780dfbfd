// fetchWithUndici against real loopback servers, most answers checked against global fetch's own.
// The guard every test process preloads; imported here too, so this file is safe when run alone.
import '../support/network-guard.ts';
import assert from 'node:assert/strict';
import type { IncomingMessage, RequestListener } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as client from 'openid-client';
import { AnswerTooLargeError, fetchWithUndici } from '../../src/oidc/fetch-with-undici.ts';
import { mapProviderError } from '../../src/oidc/map-error.ts';
import { listenLocal, refusedOrigin } from '../support/local-server.ts';
import { thrownBy } from '../support/thrown-by.ts';

type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The guarded global fetch (looked up at each call), the one fetchWithUndici stands in for. */
const globalFetch: FetchLike = (url, init) => fetch(url, init);
const fetches: Record<string, FetchLike> = { 'global fetch': globalFetch, fetchWithUndici };

/** A server answering with `answer` (no Date header: two calls must compare equal). */
async function serve(t: TestContext, answer: RequestListener): Promise<string> {
  const server = await listenLocal((req, res) => {
    res.sendDate = false;
    answer(req, res);
  });
  t.after(() => server.close());
  return server.url;
}

/** What a caller can see of an answer. */
async function seen(response: Response) {
  return {
    isResponse: response instanceof Response,
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
    setCookies: response.headers.getSetCookie(),
    body: response.body === null ? null : await response.text(),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

const manual = { redirect: 'manual' } as const;

/** The error and its causes, outermost first. */
function causesOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let cause = error; cause !== undefined && chain.length < 10; ) {
    chain.push(cause);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return chain;
}

describe('fetchWithUndici', () => {
  it('answers as global fetch does: status, reason, headers, repeated lines, body', async (t) => {
    const url = await serve(t, (_req, res) => {
      res.statusMessage = 'Not Yours';
      res.setHeader('www-authenticate', ['Bearer error="invalid_token"', 'DPoP algs="ES256"']);
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('content-type', 'application/json');
      res.writeHead(401);
      res.end('{"error":"invalid_token"}');
    });

    const ours = await seen(await fetchWithUndici(url, manual));
    const theirs = await seen(await globalFetch(url, manual));

    assert.deepEqual(ours, theirs);
    assert.equal(ours.isResponse, true);
    assert.deepEqual(ours.setCookies, ['a=1; Path=/', 'b=2; Path=/']);
    assert.ok(ours.headers.some(([, value]) => value.includes('invalid_token", DPoP')));
  });

  it('sends the method and headers given as a Headers, a record or pairs, asking for no coding', async (t) => {
    const url = await serve(t, (req, res) => {
      res.end(`${req.method} ${req.headers['x-probe']} ${req.headers['accept-encoding']}`);
    });
    const forms: RequestInit['headers'][] = [
      new Headers({ 'x-probe': 'yes' }),
      { 'X-Probe': 'yes' },
      [['x-probe', 'yes']],
    ];

    const answers = await Promise.all(
      forms.map(async (headers) => {
        const response = await fetchWithUndici(url, { ...manual, method: 'delete', headers });
        return response.text();
      }),
    );

    assert.deepEqual(answers, Array(3).fill('DELETE yes identity'));
  });

  it('gives a body the content type fetch would, and keeps one the caller set', async (t) => {
    const url = await serve(t, async (req, res) => {
      res.end(`${req.headers['content-type']} | ${await readBody(req)}`);
    });
    const bodies: [RequestInit['body'], RequestInit['headers']][] = [
      [new URLSearchParams({ grant_type: 'refresh_token', a: 'é' }), {}],
      ['plain', {}],
      ['{}', { 'content-type': 'application/json' }],
      [new TextEncoder().encode('bytes'), {}],
      // A view into Node's shared pool, and a bare ArrayBuffer.
      [Buffer.from('pooled'), {}],
      [new Uint8Array([104, 105]).buffer, {}],
    ];

    const answers = async (fetchImpl: FetchLike) =>
      Promise.all(
        bodies.map(async ([body, headers]) => {
          const response = await fetchImpl(url, { ...manual, method: 'POST', body, headers });
          return response.text();
        }),
      );

    assert.deepEqual(await answers(fetchWithUndici), [
      'application/x-www-form-urlencoded;charset=UTF-8 | grant_type=refresh_token&a=%C3%A9',
      'text/plain;charset=UTF-8 | plain',
      'application/json | {}',
      'undefined | bytes',
      'undefined | pooled',
      'undefined | hi',
    ]);
    assert.deepEqual(await answers(globalFetch), await answers(fetchWithUndici));
  });

  it('gives a null body for 204, 205, 304 and HEAD, as fetch does', async (t) => {
    const url = await serve(t, (req, res) => {
      res.writeHead(Number(req.url?.slice(1)) || 200, { etag: '"v1"' });
      res.end();
    });
    const calls: [string, string][] = [
      ['GET', '/204'],
      ['GET', '/205'],
      ['GET', '/304'],
      ['HEAD', '/200'],
    ];

    const bodies = async (fetchImpl: FetchLike) => {
      const answers = [];
      for (const [method, path] of calls) {
        answers.push((await fetchImpl(`${url}${path}`, { ...manual, method })).body);
      }
      return answers;
    };

    assert.deepEqual(await bodies(fetchWithUndici), [null, null, null, null]);
    assert.deepEqual(await bodies(globalFetch), [null, null, null, null]);
  });

  it('does not wait for a body sent where none may be (a 205 that never ends one)', async (t) => {
    const url = await serve(t, (_req, res) => {
      res.writeHead(205, { 'content-length': '1000' });
      res.write('x');
    });
    const signal = AbortSignal.timeout(2000);

    const response = await fetchWithUndici(url, { ...manual, signal });

    assert.equal(response.status, 205);
    assert.equal(response.body, null);
    assert.equal(signal.aborted, false, 'answered before the timeout, not at it');
  });

  it('returns a 302 as it came, following nothing', async (t) => {
    const paths: (string | undefined)[] = [];
    const url = await serve(t, (req, res) => {
      paths.push(req.url);
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });

    const response = await fetchWithUndici(`${url}/start`, manual);

    assert.deepEqual([response.status, response.headers.get('location')], [302, '/elsewhere']);
    assert.deepEqual(paths, ['/start']);
  });

  it('refuses what it cannot do as fetch would: follow redirects, a body on GET, a stream', async () => {
    const url = await refusedOrigin();
    const stream = new Blob(['x']).stream();
    const calls: [RequestInit, RegExp][] = [
      [{}, /redirect: 'manual'/],
      [{ ...manual, body: 'x' }, /GET\/HEAD method cannot have body/],
      [{ ...manual, method: 'POST', body: stream }, /string, URLSearchParams or byte bodies/],
    ];

    for (const [init, message] of calls) {
      await assert.rejects(fetchWithUndici(url, init), { name: 'TypeError', message });
    }
  });

  it('refuses a URL with credentials in it, as fetch does, sending nothing', async (t) => {
    let requests = 0;
    const url = await serve(t, (_req, res) => {
      requests++;
      res.end('{}');
    });
    const withCredentials = url.replace('http://', 'http://user:secret@');

    for (const [name, fetchLike] of Object.entries(fetches)) {
      await assert.rejects(fetchLike(withCredentials, manual), { name: 'TypeError' }, name);
    }
    assert.equal(requests, 0);
  });

  it('rejects a status a Response cannot carry, closing the connection', {
    timeout: 10_000,
  }, async (t) => {
    const { promise: closed, resolve } = Promise.withResolvers<void>();
    const url = await serve(t, (_req, res) => {
      res.writeHead(600);
      // Endless: only a request given up ends it.
      const timer = setInterval(() => res.write('x'.repeat(16_384)), 1);
      res.on('close', () => {
        clearInterval(timer);
        resolve();
      });
    });

    const odd = fetchWithUndici(url, manual);

    await assert.rejects(odd, RangeError);
    await closed;
  });

  it('rejects a body cut short as fetch does, with TypeError terminated', async (t) => {
    const url = await serve(t, (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"orders": [');
      setTimeout(() => res.socket?.destroy(), 20);
    });

    const errors = [];
    for (const fetchImpl of Object.values(fetches)) {
      const response = await fetchImpl(url, manual);
      errors.push(await thrownBy(() => response.text()));
    }

    for (const error of errors) assert.ok(error instanceof TypeError, String(error));
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['terminated', 'terminated'],
    );
  });

  it('stops the transfer when the reader stops early: the server sees the connection closed', {
    timeout: 10_000,
  }, async (t) => {
    let sent = 0;
    const { promise: closed, resolve } = Promise.withResolvers<void>();
    const url = await serve(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // Endless: only a cancelled request ends it.
      const timer = setInterval(() => {
        res.write('x'.repeat(16_384));
        sent += 16_384;
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        resolve();
      });
    });

    const response = await fetchWithUndici(url, manual);
    let read = 0;
    for await (const chunk of response.body ?? []) {
      read += chunk.byteLength;
      if (read >= 100_000) break;
    }
    await closed;

    assert.ok(read >= 100_000);
    assert.ok(sent < 10_000_000, `the server sent ${sent} bytes`);
  });

  it('cancels the body of an answer collected unread, closing its connection', {
    timeout: 10_000,
  }, async (t) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let isClosed = false;
    const url = await serve(t, (req, res) => {
      req.socket.on('close', () => {
        isClosed = true;
      });
      // More than the client and the kernel buffer: the answer cannot finish while nobody reads.
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('x'.repeat(8_000_000));
    });
    const statusOnly = async () => (await fetchWithUndici(url, manual)).status;

    const status = await statusOnly();
    while (!isClosed) {
      gc();
      await sleep(20);
    }

    assert.equal(status, 500);
  });
});

describe('fetchWithUndici failures, as map-error.ts reads them', () => {
  const insecure = { execute: [client.allowInsecureRequests] };

  it('rejects a timeout and an abort with the signal reason, as fetch does', async (t) => {
    const url = await serve(t, () => {});

    const errors: Record<string, unknown[]> = {};
    for (const [name, fetchImpl] of Object.entries(fetches)) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 20);
      errors[name] = [];
      for (const signal of [AbortSignal.timeout(20), controller.signal]) {
        const error = await thrownBy(() => fetchImpl(url, { ...manual, signal }));
        errors[name].push(error instanceof DOMException && error.name);
      }
    }

    assert.deepEqual(errors.fetchWithUndici, ['TimeoutError', 'AbortError']);
    assert.deepEqual(errors.fetchWithUndici, errors['global fetch']);
  });

  it('rejects a signal aborted before the call without connecting', async (t) => {
    const server = await listenLocal(() => {});
    t.after(() => server.close());
    let connections = 0;
    server.server.on('connection', () => connections++);

    const call = fetchWithUndici(server.url, { ...manual, signal: AbortSignal.abort() });

    await assert.rejects(call, { name: 'AbortError' });
    assert.equal(connections, 0);
  });

  it('rejects a refused connection with TypeError fetch failed, ECONNREFUSED as its cause', async () => {
    const url = await refusedOrigin();

    const error = await thrownBy(() => fetchWithUndici(url, manual));

    assert.ok(error instanceof TypeError);
    assert.equal(error.message, 'fetch failed');
    assert.equal((error.cause as { code?: unknown }).code, 'ECONNREFUSED');
  });

  it('is mapped as global fetch is: a discovery that times out is 504, a refused one 503', async (t) => {
    const hanging = new URL(await serve(t, () => {}));
    const refused = new URL(await refusedOrigin());

    const mapped = async (issuer: URL, fetchImpl: FetchLike) => {
      const options = { ...insecure, timeout: 0.05, [client.customFetch]: fetchImpl };
      const error = await thrownBy(() =>
        client.discovery(issuer, 'app', 'secret', undefined, options),
      );
      const { status, code } = mapProviderError(error, 'discovery');
      return [status, code];
    };

    for (const fetchImpl of Object.values(fetches)) {
      assert.deepEqual(await mapped(hanging, fetchImpl), [504, 'provider_timeout']);
      assert.deepEqual(await mapped(refused, fetchImpl), [503, 'provider_unreachable']);
    }
  });

  it('stops reading an answer past 1 MB: a discovery that never ends is an unusable answer, 502', async (t) => {
    let isClosed = false;
    const endless = new URL(
      await serve(t, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, ' ');
        const more = () => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on('drain', more);
        res.on('close', () => {
          isClosed = true;
        });
        res.write('{"issuer":');
        more();
      }),
    );
    const options = { ...insecure, timeout: 10, [client.customFetch]: fetchWithUndici };

    const error = await thrownBy(() =>
      client.discovery(endless, 'app', 'secret', undefined, options),
    );
    const { status, code } = mapProviderError(error, 'discovery');
    await sleep(50);

    assert.deepEqual([status, code], [502, 'provider_bad_response']);
    assert.ok(
      causesOf(error).some((cause) => cause instanceof AnswerTooLargeError),
      String(error),
    );
    assert.equal(isClosed, true, 'the connection is closed, the rest never read');
  });

  it('is stopped by the network guard for anything beyond loopback', async () => {
    const targets = ['http://example.com/', 'https://192.0.2.1/'];

    const causes = [];
    for (const url of targets) {
      const error = await thrownBy(() => fetchWithUndici(url, manual));
      assert.ok(error instanceof TypeError, String(error));
      causes.push((error.cause as { code?: unknown }).code);
    }

    assert.deepEqual(causes, ['ERR_NETWORK_GUARD', 'ERR_NETWORK_GUARD']);
  });
});
