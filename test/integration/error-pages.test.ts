// The error page for someone learning the flow: in development the stable code and what the failed
// check protects against; in production only the safe text. A 5xx offers to try the same GET again.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import express from 'express';
import { LoginStateError, ProviderError } from '../../src/errors.ts';
import { notFound, renderErrors } from '../../src/http/error-pages.ts';
import { createLogger } from '../../src/http/logger.ts';
import { useEjsViews } from '../../src/http/view-engine.ts';
import { listenLocal } from '../support/local-server.ts';
import { startProviderApp } from '../support/provider-app.ts';
import { startTestApp } from '../support/test-app.ts';

const forgedCallback = '/callback?code=forged&state=forged';

describe('the error page in development', () => {
  it('shows the stable code and what the state check protects against', async (t) => {
    const app = await startTestApp(t);

    const response = await fetch(`${app.baseUrl}${forgedCallback}`);
    const page = await response.text();

    assert.equal(response.status, 400);
    assert.match(page, /This sign-in was not started in this browser/);
    assert.match(page, /For developers/);
    assert.match(page, /<code class="code-inline">unknown_state<\/code>/);
    assert.match(page, /login CSRF.*RFC 6749 §10\.12/);
  });
});

describe('the error page in production', () => {
  it('keeps to the safe text: no code, no explanation', async (t) => {
    const app = await startProviderApp(t, {
      env: {
        NODE_ENV: 'production',
        TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
    });

    const response = await fetch(`${app.baseUrl}${forgedCallback}`);
    const page = await response.text();

    assert.equal(app.config.isProduction, true);
    assert.equal(response.status, 400);
    assert.match(page, /This sign-in was not started in this browser/);
    assert.doesNotMatch(page, /For developers|unknown_state|RFC 6749/);
  });
});

describe('the error page: headline, code and way on, in both modes', () => {
  for (const isProduction of [false, true]) {
    const mode = isProduction ? 'production' : 'development';

    it(`${mode}: a provider that is down is "cannot be reached", with "Try again" to the same GET`, async (t) => {
      const baseUrl = await pagesApp(t, isProduction);

      const response = await fetch(`${baseUrl}/login?returnTo=%2Fresource`);
      const page = await response.text();

      assert.equal(response.status, 503);
      assert.match(page, /<h1[^>]*>The identity provider cannot be reached<\/h1>/);
      assert.doesNotMatch(page, /refused|not answering properly/);
      assert.match(page, /href="\/login\?returnTo=%2Fresource">Try again</);
      assert.equal(/provider_unreachable/.test(page), !isProduction);
    });

    it(`${mode}: a failed POST leads back to the home page, not to a retry`, async (t) => {
      const baseUrl = await pagesApp(t, isProduction);

      const response = await fetch(`${baseUrl}/login`, { method: 'POST' });
      const page = await response.text();

      assert.equal(response.status, 503);
      assert.doesNotMatch(page, /Try again/);
      assert.match(page, /href="\/">Back to home</);
    });
  }

  it('offers a new sign-in, not the spent callback, when the code exchange fails with a 5xx', async (t) => {
    const baseUrl = await pagesApp(t, false);

    const page = await (await fetch(`${baseUrl}/callback?code=c&state=s`)).text();

    assert.match(page, /href="\/login">Sign in again</);
    assert.doesNotMatch(page, /href="\/callback/);
  });

  it('offers no retry link to a request-target a browser would read as another site', async (t) => {
    const baseUrl = await pagesApp(t, false);

    const response = await fetch(`${baseUrl}//evil.example/login`);
    const page = await response.text();

    assert.equal(response.status, 503);
    assert.doesNotMatch(page, /evil\.example/);
    assert.doesNotMatch(page, /Try again/);
  });

  it('keeps a 4xx error its own way on and offers no retry', async (t) => {
    const baseUrl = await pagesApp(t, false);

    const page = await (await fetch(`${baseUrl}/state`)).text();

    assert.match(page, /href="\/login">Sign in again</);
    assert.doesNotMatch(page, /Try again/);
  });

  it('shows the 404 code in development only', async (t) => {
    const development = await pagesApp(t, false);
    const production = await pagesApp(t, true);

    const inDevelopment = await (await fetch(`${development}/nowhere`)).text();
    const inProduction = await (await fetch(`${production}/nowhere`)).text();

    assert.match(inDevelopment, /not_found/);
    assert.doesNotMatch(inProduction, /not_found/);
  });
});

/** The app's views and its last two handlers behind routes that fail on purpose. */
async function pagesApp(t: TestContext, isProduction: boolean): Promise<string> {
  const app = express();
  useEjsViews(app, path.join(import.meta.dirname, '../../views'), isProduction);
  app.locals.appName = 'Error pages under test';
  app.locals.providerOrigin = 'http://127.0.0.1:1';
  app.use((_req, res, next) => {
    res.locals.requestId = 'request-id-under-test';
    next();
  });
  const providerDown = () => {
    throw new ProviderError(
      503,
      'provider_unreachable',
      'The identity provider cannot be reached',
      'The identity provider cannot be reached right now.',
    );
  };
  app.all('/login', providerDown);
  app.get('/callback', providerDown);
  // Express routes `//evil.example/login` by its path, which no route pattern matches.
  app.use((req, _res, next) => (req.path.includes('evil.example') ? providerDown() : next()));
  app.get('/state', () => {
    throw new LoginStateError('unknown_state', 'This sign-in was not started in this browser.');
  });
  const options = { isProduction, callbackPath: '/callback' };
  app.use(notFound(options));
  app.use(renderErrors(createLogger('silent'), options));
  const server = await listenLocal(app);
  t.after(server.close);
  return server.url;
}
