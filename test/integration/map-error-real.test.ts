import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import * as client from 'openid-client';
import { mapProviderError } from '../../src/oidc/map-error.ts';

const providerText = 'details from the provider';

async function startProvider(t: TestContext, answer: RequestListener): Promise<URL> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

/** A port that refuses connections: a server that listened on it has closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function json(res: Parameters<RequestListener>[1], status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const insecure = { execute: [client.allowInsecureRequests] };

/** Rejects with what openid-client throws, or fails the test when it resolves. */
async function thrownBy(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected the openid-client call to reject');
}

describe('mapProviderError with errors openid-client really throws', () => {
  it('maps a discovery that times out to 504', async (t) => {
    const issuer = await startProvider(t, () => {});

    const error = await thrownBy(() =>
      client.discovery(issuer, 'app', 'secret', undefined, { ...insecure, timeout: 0.05 }),
    );
    const mapped = mapProviderError(error, 'discovery');

    assert.deepEqual([mapped.status, mapped.code], [504, 'provider_timeout']);
  });

  it('maps a refused connection to 503', async () => {
    const issuer = new URL(`http://127.0.0.1:${await closedPort()}`);

    const error = await thrownBy(() =>
      client.discovery(issuer, 'app', 'secret', undefined, insecure),
    );
    const mapped = mapProviderError(error, 'discovery');

    assert.deepEqual([mapped.status, mapped.code], [503, 'provider_unreachable']);
  });

  it('maps a discovery answered with a 500 to 502', async (t) => {
    const issuer = await startProvider(t, (_req, res) => {
      res.writeHead(500);
      res.end('internal error');
    });

    const error = await thrownBy(() =>
      client.discovery(issuer, 'app', 'secret', undefined, insecure),
    );
    const mapped = mapProviderError(error, 'discovery');

    assert.deepEqual([mapped.status, mapped.code], [502, 'provider_bad_response']);
  });

  it('maps invalid_grant from a real refresh to TokenRefreshError 401', async (t) => {
    const issuer = await startProvider(t, (req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        json(res, 200, {
          issuer: issuer.href.replace(/\/$/, ''),
          authorization_endpoint: new URL('/auth', issuer).href,
          token_endpoint: new URL('/token', issuer).href,
        });
      } else {
        json(res, 400, { error: 'invalid_grant', error_description: providerText });
      }
    });
    const configuration = await client.discovery(issuer, 'app', 'secret', undefined, insecure);

    const error = await thrownBy(() => client.refreshTokenGrant(configuration, 'old-refresh'));
    const mapped = mapProviderError(error, 'refresh');

    assert.deepEqual(
      [mapped.status, mapped.code, mapped.constructor.name],
      [401, 'refresh_failed', 'TokenRefreshError'],
    );
  });
});
