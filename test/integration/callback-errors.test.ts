import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** Starts a login in `jar` and returns the provider's redirect back to /callback, unfollowed. */
async function callbackUrlOf(app: TestApp, jar: CookieJar): Promise<URL> {
  const response = await signInThroughProvider(`${app.baseUrl}/login`, jar, {
    stopAt: `${app.baseUrl}/callback`,
  });
  return new URL(response.headers.get('location') ?? '', app.baseUrl);
}

describe('GET /callback', () => {
  it('rejects a callback this browser did not start with a 400 page', async (t) => {
    const app = await startTestApp(t);
    const url = await callbackUrlOf(app, new CookieJar());

    const response = await new CookieJar().fetch(url);
    const page = await response.text();

    assert.equal(response.status, 400);
    assert.match(page, /not started in this browser/);
    assert.doesNotMatch(page, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('rejects a mismatched state with a 400 page and keeps the signed-in session', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const url = await callbackUrlOf(app, jar);
    url.searchParams.set('state', 'forged-state-value');

    const response = await jar.fetch(url);
    const still = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 400);
    assert.equal(still.status, 200);
  });

  it('refuses a replayed callback of a finished login', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const url = await callbackUrlOf(app, jar);
    const first = await jar.fetch(url);

    const replay = await jar.fetch(url);

    assert.equal(first.status, 302);
    assert.equal(replay.status, 400);
    assert.equal(app.grants.authorization_code, 1);
  });

  it('shows the cancel message when the user denies consent (error=access_denied)', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();

    const response = await signInThroughProvider(`${app.baseUrl}/login`, jar, { consent: 'deny' });
    const page = await response.text();

    assert.equal(response.status, 400);
    assert.match(page, /cancelled or refused/);
  });

  it('escapes HTML sent in error_description', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const url = await callbackUrlOf(app, jar);
    url.searchParams.delete('code');
    url.searchParams.set('error', 'server_error');
    url.searchParams.set('error_description', '<script>alert(1)</script>');

    const response = await jar.fetch(url);
    const page = await response.text();

    assert.equal(response.status, 400);
    assert.doesNotMatch(page, /<script>alert/);
  });

  it('shows a clear 400 page for error= without a description', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const url = await callbackUrlOf(app, jar);
    url.searchParams.delete('code');
    url.searchParams.set('error', 'temporarily_unavailable');

    const response = await jar.fetch(url);

    assert.equal(response.status, 400);
    assert.match(await response.text(), /could not complete the sign-in/);
  });

  it('refuses a callback with a repeated parameter', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const url = await callbackUrlOf(app, jar);
    url.searchParams.append('code', 'second-code');

    const response = await jar.fetch(url);

    assert.equal(response.status, 400);
    assert.equal(app.grants.authorization_code, undefined);
  });

  it('refuses a callback without a code', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const url = await callbackUrlOf(app, jar);
    url.searchParams.delete('code');

    const response = await jar.fetch(url);

    assert.equal(response.status, 400);
  });

  it('refuses an iss that is not the provider (RFC 9207 mix-up)', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const url = await callbackUrlOf(app, jar);
    url.searchParams.set('iss', 'https://attacker.example');

    const response = await jar.fetch(url);

    assert.equal(response.status, 400);
    assert.equal(app.grants.authorization_code, undefined);
  });

  it('refuses a callback after the pending login expired', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const url = await callbackUrlOf(app, jar);

    app.advanceClock(11 * 60 * 1000);
    const response = await jar.fetch(url);

    assert.equal(response.status, 400);
    assert.match(await response.text(), /expired/);
  });

  it("answers a 100 kB state with an error (the server's header limit), not a crash", async (t) => {
    const app = await startTestApp(t);

    const response = await fetch(`${app.baseUrl}/callback?code=x&state=${'a'.repeat(100_000)}`);

    assert.ok([400, 414, 431].includes(response.status), `status ${response.status}`);
    assert.equal((await fetch(`${app.baseUrl}/healthz`)).status, 200);
  });

  it("refuses an 8 kB state with the app's own 400 page (below the server's header limit)", async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    await jar.fetch(`${app.baseUrl}/login`);

    const response = await jar.fetch(`${app.baseUrl}/callback?code=x&state=${'a'.repeat(8_000)}`);

    assert.equal(response.status, 400);
    assert.match(await response.text(), /malformed/);
  });

  it('sends Referrer-Policy no-referrer on the callback page', async (t) => {
    const app = await startTestApp(t);

    const response = await fetch(`${app.baseUrl}/callback?code=x&state=y`);

    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  });
});
