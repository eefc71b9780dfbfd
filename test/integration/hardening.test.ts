import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { isActive } from '../support/post-to-provider.ts';
import { readSession } from '../support/read-session.ts';
import { testSessionSecret } from '../support/run-app.ts';
import { startTestApp } from '../support/test-app.ts';

function signedCookie(sessionId: string): string {
  const mac = createHmac('sha256', testSessionSecret)
    .update(sessionId)
    .digest('base64')
    .replace(/=+$/, '');
  return `oer.sid=${encodeURIComponent(`s:${sessionId}.${mac}`)}`;
}

describe('bad input', () => {
  it('limits sign-in starts per client address with a 429 page, and callbacks answering none', async (t) => {
    const app = await startTestApp(t, { env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' } });

    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++)
      statuses.push((await fetch(`${app.baseUrl}/login`, { redirect: 'manual' })).status);
    const limited = await fetch(`${app.baseUrl}/callback?code=x&state=y`);
    const home = await fetch(`${app.baseUrl}/`);

    assert.deepEqual(statuses, [302, 302, 302, 429]);
    assert.equal(limited.status, 429);
    assert.match(await limited.text(), /Too many sign-in attempts/);
    assert.equal(home.status, 200, 'other pages are not limited');
  });

  it('refuses a /login over the limit without adding a sign-in to the session', async (t) => {
    const app = await startTestApp(t, { env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '3' } });
    // Signing in counts once: its /login (the callback answering it is never counted).
    const jar = await app.signIn();
    const pendingCount = async () =>
      Object.keys((await readSession(app.backend, app.sessionIdOf(jar)))?.pendingLogins ?? {})
        .length;

    const allowed = [];
    for (let attempt = 0; attempt < 2; attempt++)
      allowed.push((await jar.fetch(`${app.baseUrl}/login`)).status);
    const before = await pendingCount();
    const refused = await jar.fetch(`${app.baseUrl}/login`);
    const after = await pendingCount();
    const home = await jar.fetch(`${app.baseUrl}/`);

    assert.deepEqual(allowed, [302, 302]);
    assert.equal(refused.status, 429);
    assert.equal(before, 2);
    assert.equal(after, 2, 'the refused /login started nothing');
    assert.match(await home.text(), /action="\/logout"/, 'still signed in');
  });

  it('treats a tampered session cookie as signed out', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const cookie = `${signedCookie(app.sessionIdOf(jar)).slice(0, -6)}AAAAAA`;

    const home = await fetch(`${app.baseUrl}/`, { headers: { cookie } });
    const resource = await fetch(`${app.baseUrl}/resource`, {
      headers: { cookie },
      redirect: 'manual',
    });

    assert.equal(home.status, 200);
    assert.doesNotMatch(await home.text(), /Sign out/);
    assert.equal(resource.status, 302);
  });

  it('treats a validly signed but unknown session id as signed out', async (t) => {
    const app = await startTestApp(t);

    const resource = await fetch(`${app.baseUrl}/resource`, {
      headers: { cookie: signedCookie('no-such-session') },
      redirect: 'manual',
    });

    assert.equal(resource.status, 302);
    assert.match(resource.headers.get('location') ?? '', /^\/login/);
  });

  it('answers oversized headers with 431, an oversized form with 413, and keeps serving', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const hugeCookie = await fetch(`${app.baseUrl}/`, {
      headers: { cookie: `junk=${'x'.repeat(70_000)}` },
    });
    const hugeForm = await jar.fetch(`${app.baseUrl}/logout`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: 'x'.repeat(10_000) }),
    });
    const still = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(hugeCookie.status, 431);
    assert.equal(hugeForm.status, 413);
    assert.equal(still.status, 200);
  });
});

describe('security headers', () => {
  it('sends CSP, nosniff, frame-ancestors and a referrer policy on pages, errors and 404s', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const responses = await Promise.all(
      ['/', '/resource', '/flow', '/no-such-page', '/healthz', '/callback?state=forged&code=x'].map(
        (path) => jar.fetch(`${app.baseUrl}${path}`),
      ),
    );

    for (const response of responses) {
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, response.url);
      assert.match(csp, /frame-ancestors 'none'/, response.url);
      // Sign-out's form post ends in a redirect to the provider's end-session page.
      assert.ok(csp.includes(`form-action 'self' ${new URL(app.issuer).origin}`), csp);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, response.url);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', response.url);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', response.url);
      assert.ok(response.headers.get('referrer-policy'), response.url);
    }
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 200, 200, 404, 200, 400],
    );
  });

  it('marks every page with personal data Cache-Control: no-store', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const pages = await Promise.all(
      ['/', '/resource', '/flow'].map((path) => jar.fetch(`${app.baseUrl}${path}`)),
    );

    for (const page of pages) assert.equal(page.headers.get('cache-control'), 'no-store', page.url);
  });

  it('sends HSTS and a __Host- Secure cookie when the app is served over https', async (t) => {
    const app = await startTestApp(t, {
      env: { APP_BASE_URL: 'https://localhost:8443', TRUST_PROXY: 'loopback' },
    });

    const health = await fetch(`${app.baseUrl}/healthz`);
    const login = await fetch(`${app.baseUrl}/login`, {
      headers: { 'x-forwarded-proto': 'https' },
      redirect: 'manual',
    });

    assert.match(health.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    assert.match(
      login.headers.get('set-cookie') ?? '',
      /^__Host-oer\.sid=.*; Path=\/;.*HttpOnly; Secure; SameSite=Lax/,
    );
  });
});

describe('session lifetime', () => {
  it('ends a session past its absolute lifetime, however active, with a notice', async (t) => {
    const app = await startTestApp(t, { env: { SESSION_IDLE_TIMEOUT_SECONDS: '36000' } });
    const jar = await app.signIn();
    const hour = 60 * 60 * 1000;

    const hourly: number[] = [];
    for (let hours = 1; hours < 8; hours++) {
      app.advanceClock(hour);
      hourly.push((await jar.fetch(`${app.baseUrl}/resource`)).status);
    }
    app.advanceClock(hour + 1000);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);
    const home = await jar.fetch(`${app.baseUrl}/`);

    assert.deepEqual(hourly, Array(7).fill(200), 'used every hour until then');
    assert.equal(resource.status, 302);
    assert.match(resource.headers.get('location') ?? '', /^\/login/);
    assert.match(await home.text(), /maximum length/);
  });

  it('revokes the refresh token when the session reaches its absolute lifetime', async (t) => {
    const app = await startTestApp(t, { env: { SESSION_IDLE_TIMEOUT_SECONDS: '36000' } });
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const refreshToken = record?.tokens.refreshToken ?? '';

    app.advanceClock(8 * 60 * 60 * 1000 + 1000);
    const home = await jar.fetch(`${app.baseUrl}/`);
    const isRefreshTokenActive = await isActive(app, refreshToken);

    assert.ok(refreshToken, 'the dev provider issued a refresh token');
    assert.match(await home.text(), /maximum length/);
    assert.equal(isRefreshTokenActive, false);
  });

  it('ends a session left idle longer than SESSION_IDLE_TIMEOUT_SECONDS, on the server', async (t) => {
    // A long timeout and the app's clock, not a real wait: a 1 s timeout races the cookie's
    // Expires attribute, which has whole-second precision.
    const app = await startTestApp(t, { env: { SESSION_IDLE_TIMEOUT_SECONDS: '600' } });
    const jar = await app.signIn();

    app.advanceClock(601 * 1000);
    // The browser would have dropped the cookie by now; a replayed copy must not work either.
    const resource = await jar.fetch(`${app.baseUrl}/resource`);
    const home = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.equal(resource.status, 302);
    assert.match(resource.headers.get('location') ?? '', /^\/login/);
    assert.match(home, /href="\/login"/);
    assert.doesNotMatch(home, /action="\/logout"/, 'signed out');
  });
});
