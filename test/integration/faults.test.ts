import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Middleware } from 'koa';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { startTestApp } from '../support/test-app.ts';

/** A provider middleware that answers `path` with a fault while `isOn()`; real HTTP, real server. */
function fault(path: string, isOn: () => boolean, answer: Middleware): Middleware {
  return async (ctx, next) => (isOn() && ctx.path === path ? answer(ctx, next) : next());
}

const html502: Middleware = async (ctx) => {
  ctx.status = 502;
  ctx.type = 'html';
  ctx.body = '<html><body><h1>502 Bad Gateway</h1></body></html>';
};

async function slowServer(t: import('node:test').TestContext): Promise<string> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/me`;
}

describe('provider faults', () => {
  it('shows 502 when the token endpoint answers an HTML error page, and the next sign-in works', async (t) => {
    const app = await startTestApp(t);
    let isDown = true;
    app.provider.use(fault('/token', () => isDown, html502));

    const failed = await signInThroughProvider(`${app.baseUrl}/login`, new CookieJar());
    const page = await failed.text();
    isDown = false;
    const retried = await signInThroughProvider(`${app.baseUrl}/login`, new CookieJar());

    assert.equal(failed.status, 502);
    assert.match(page, /identity provider/i);
    assert.match(page, /Reference/);
    assert.doesNotMatch(page, /Bad Gateway/, 'raw provider text is not shown');
    assert.equal(retried.status, 200);
  });

  it('shows 502 when the token endpoint answers invalid JSON', async (t) => {
    const app = await startTestApp(t);
    app.provider.use(
      fault(
        '/token',
        () => true,
        async (ctx) => {
          ctx.status = 200;
          ctx.type = 'json';
          ctx.body = '{"access_token": ';
        },
      ),
    );

    const response = await signInThroughProvider(`${app.baseUrl}/login`, new CookieJar());

    assert.equal(response.status, 502);
  });

  it('shows 504 when the token endpoint is slower than HTTP_TIMEOUT_SECONDS', async (t) => {
    const app = await startTestApp(t, { env: { HTTP_TIMEOUT_SECONDS: '1' } });
    app.provider.use(
      fault(
        '/token',
        () => true,
        async (_ctx, next) => {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          await next();
        },
      ),
    );

    const response = await signInThroughProvider(`${app.baseUrl}/login`, new CookieJar());

    assert.equal(response.status, 504);
    assert.match(await response.text(), /took too long/);
  });

  it('refuses metadata with the wrong issuer (502), then discovers again once it is right', async (t) => {
    const app = await startTestApp(t);
    let isWrong = true;
    app.provider.use(
      fault(
        '/.well-known/openid-configuration',
        () => isWrong,
        async (ctx, next) => {
          await next();
          ctx.body = { ...(ctx.body as object), issuer: 'https://mix-up.example' };
        },
      ),
    );

    const wrong = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });
    const notReady = await fetch(`${app.baseUrl}/readyz`);
    isWrong = false;
    const right = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });

    assert.equal(wrong.status, 502);
    assert.equal(notReady.status, 503);
    assert.equal(right.status, 302);
  });

  it('shows 504 when discovery is slower than HTTP_TIMEOUT_SECONDS', async (t) => {
    const app = await startTestApp(t, { env: { HTTP_TIMEOUT_SECONDS: '1' } });
    app.provider.use(
      fault(
        '/.well-known/openid-configuration',
        () => true,
        async (_ctx, next) => {
          await new Promise((resolve) => setTimeout(resolve, 1500));
          await next();
        },
      ),
    );

    const response = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });

    assert.equal(response.status, 504);
  });

  it('answers 503 while the provider is unreachable and recovers without a restart', async (t) => {
    const app = await startTestApp(t);
    let isDown = true;
    app.provider.use(
      fault(
        '/.well-known/openid-configuration',
        () => isDown,
        async (ctx) => {
          ctx.req.socket.destroy();
        },
      ),
    );

    const down = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });
    const downPage = await down.text();
    isDown = false;
    const back = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });

    assert.equal(down.status, 503);
    assert.match(downPage, /cannot be reached/);
    assert.equal(back.status, 302);
  });
});

describe('protected API faults', () => {
  it('shows a 502 page naming the API when it cannot be reached, keeping the session', async (t) => {
    const app = await startTestApp(t, { resourceUrl: async () => 'http://127.0.0.1:9/me' });
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();

    assert.equal(response.status, 502);
    assert.match(page, /protected API/);
    assert.equal((await jar.fetch(`${app.baseUrl}/`)).status, 200);
    assert.ok(await app.backend.tokens.get(app.sessionIdOf(jar)));
  });

  it('shows a 504 page when the API is slower than HTTP_TIMEOUT_SECONDS', async (t) => {
    const app = await startTestApp(t, {
      env: { HTTP_TIMEOUT_SECONDS: '1' },
      resourceUrl: () => slowServer(t),
    });
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 504);
    assert.match(await response.text(), /protected API took too long/);
  });
});
