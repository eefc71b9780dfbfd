import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { refusedOrigin } from '../support/local-server.ts';
import {
  always,
  dropConnection,
  fault,
  hang,
  html502,
  rewriteMetadata,
  truncatedJson,
} from '../support/provider-faults.ts';
import { startStandInApi } from '../support/stand-in-api.ts';
import { startTestApp } from '../support/test-app.ts';

// The hanging answers end only through the app's 1 s timeout; without it, this fails the test.
const timeoutTest = { timeout: 15_000 };

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
    app.provider.use(fault('/token', always, truncatedJson));

    const response = await signInThroughProvider(`${app.baseUrl}/login`, new CookieJar());

    assert.equal(response.status, 502);
  });

  it(
    'shows 504 when the token endpoint is slower than HTTP_TIMEOUT_SECONDS',
    timeoutTest,
    async (t) => {
      const app = await startTestApp(t, { env: { HTTP_TIMEOUT_SECONDS: '1' } });
      app.provider.use(fault('/token', always, hang));

      const response = await signInThroughProvider(`${app.baseUrl}/login`, new CookieJar());

      assert.equal(response.status, 504);
      assert.match(await response.text(), /took too long/);
    },
  );

  it('refuses metadata with the wrong issuer (502), then discovers again once it is right', async (t) => {
    const app = await startTestApp(t);
    let isWrong = true;
    app.provider.use(
      fault(
        '/.well-known/openid-configuration',
        () => isWrong,
        rewriteMetadata((metadata) => {
          metadata.issuer = 'https://mix-up.example';
        }),
      ),
    );
    // Started again: the app discovers at start-up, as server.ts does, and starts all the same.
    await app.restart();

    const wrong = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });
    const notReady = await fetch(`${app.baseUrl}/readyz`);
    isWrong = false;
    const right = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });

    assert.equal(wrong.status, 502);
    assert.equal(notReady.status, 503);
    assert.equal(right.status, 302);
  });

  it('shows 504 when discovery is slower than HTTP_TIMEOUT_SECONDS', timeoutTest, async (t) => {
    const app = await startTestApp(t, { env: { HTTP_TIMEOUT_SECONDS: '1' } });
    app.provider.use(fault('/.well-known/openid-configuration', always, hang));
    await app.restart();

    const response = await fetch(`${app.baseUrl}/login`, { redirect: 'manual' });

    assert.equal(response.status, 504);
  });

  it('answers 503 while the provider is unreachable and recovers without a restart', async (t) => {
    const app = await startTestApp(t);
    let isDown = true;
    app.provider.use(fault('/.well-known/openid-configuration', () => isDown, dropConnection));
    await app.restart();

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
    const app = await startTestApp(t, {
      resourceUrl: async () => `${await refusedOrigin()}/me`,
    });
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();

    assert.equal(response.status, 502);
    assert.match(page, /protected API/);
    assert.equal((await jar.fetch(`${app.baseUrl}/`)).status, 200);
    assert.ok(await app.backend.tokens.get(app.sessionIdOf(jar)));
  });

  it(
    'shows a 504 page when the API is slower than HTTP_TIMEOUT_SECONDS',
    timeoutTest,
    async (t) => {
      const app = await startTestApp(t, {
        env: { HTTP_TIMEOUT_SECONDS: '1' },
        // Accepts the connection and never answers.
        resourceUrl: async () => (await startStandInApi(t, () => {})).url,
      });
      const jar = await app.signIn();

      const response = await jar.fetch(`${app.baseUrl}/resource`);

      assert.equal(response.status, 504);
      assert.match(await response.text(), /protected API took too long/);
    },
  );
});
