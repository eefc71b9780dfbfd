// Headers on every kind of answer: pages, error pages, the health checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { always, fault, html502 } from '../support/provider-faults.ts';
import { startTestApp } from '../support/test-app.ts';

describe('response headers', () => {
  it('marks /healthz and /readyz Cache-Control: no-store', async (t) => {
    const app = await startTestApp(t);

    const answers = await Promise.all(
      ['/healthz', '/readyz'].map((path) => fetch(`${app.baseUrl}${path}`)),
    );

    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.url);
      assert.equal(answer.headers.get('cache-control'), 'no-store', answer.url);
    }
  });

  it('keeps no-store on /readyz when it answers 503', async (t) => {
    const app = await startTestApp(t);
    app.provider.use(fault('/.well-known/openid-configuration', always, html502));
    // Started again: the app discovers at start-up, and now the provider's metadata fails.
    await app.restart();

    const answer = await fetch(`${app.baseUrl}/readyz`);

    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
  });

  it('sends no ETag with a no-store page, and one with a static file', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const page = await jar.fetch(`${app.baseUrl}/resource`);
    const stylesheet = await fetch(`${app.baseUrl}/assets/app.css`);

    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('etag'), null);
    assert.ok(stylesheet.headers.get('etag'));
  });

  it('sends a Permissions-Policy denying camera, microphone, geolocation, payment and more on pages and error pages', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const answers = await Promise.all(
      ['/', '/resource', '/no-such-page', '/callback?state=forged&code=x', '/assets/app.css'].map(
        (path) => jar.fetch(`${app.baseUrl}${path}`),
      ),
    );

    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 404, 400, 200],
    );
    for (const answer of answers) {
      const policy = answer.headers.get('permissions-policy') ?? '';
      for (const feature of [
        'camera',
        'microphone',
        'geolocation',
        'payment',
        'usb',
        'browsing-topics',
      ]) {
        assert.match(
          policy,
          new RegExp(`(^|, )${feature}=\\(\\)(,|$)`),
          `${feature}: ${answer.url}`,
        );
      }
    }
  });
});
