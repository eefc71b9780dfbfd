import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signOutThroughProvider } from '../support/dev-login.ts';
import { isActive } from '../support/post-to-provider.ts';
import { always, fault, html502 } from '../support/provider-faults.ts';
import { startTestApp } from '../support/test-app.ts';

describe('POST /logout', () => {
  it('revokes the refresh token, ends the session and redirects to the provider end-session page', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const record = await app.backend.tokens.get(sessionId);
    const revoked: string[] = [];
    app.provider.on('refresh_token.destroyed', () => revoked.push('refresh_token'));
    const csrf = await app.csrfTokenOf(jar);

    const response = await app.postLogout(jar, { csrf });
    const location = new URL(response.headers.get('location') ?? '');
    const isRefreshTokenActive = await isActive(app, record?.tokens.refreshToken ?? '');
    const afterwards = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 303);
    assert.equal(location.origin + location.pathname, `${app.issuer}/session/end`);
    assert.equal(location.searchParams.get('post_logout_redirect_uri'), `${app.baseUrl}/`);
    assert.equal(location.searchParams.get('id_token_hint'), record?.tokens.idToken);
    assert.equal(revoked.length, 1);
    assert.equal(isRefreshTokenActive, false);
    assert.equal(await app.backend.tokens.get(sessionId), undefined);
    assert.equal(afterwards.status, 302);
    assert.match(afterwards.headers.get('location') ?? '', /^\/login/);
  });

  it('ends the provider session too and comes back to the home page', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const { back } = await signOutThroughProvider(app, jar);
    const login = await jar.fetch(`${app.baseUrl}/login`);
    const provider = await jar.fetch(login.headers.get('location') ?? '');

    assert.equal(back.status, 200);
    assert.equal(back.url, `${app.baseUrl}/`);
    assert.match(await back.text(), /Sign in/);
    assert.equal(provider.status, 303, 'the provider asks for a new sign-in');
    assert.match(provider.headers.get('location') ?? '', /\/interaction\//);
  });

  it('refuses a sign-out without the CSRF token with 403 and keeps the user signed in', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const response = await app.postLogout(jar);
    const page = await response.text();
    const still = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 403);
    assert.match(page, /Request refused/);
    assert.equal(still.status, 200);
  });

  it('accepts Origin: null with the right token (a post from a no-referrer page) but not without it', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const csrf = await app.csrfTokenOf(jar);

    const withoutToken = await app.postLogout(jar, { origin: 'null' });
    const withToken = await app.postLogout(jar, { csrf, origin: 'null' });

    assert.equal(withoutToken.status, 403);
    assert.equal(withToken.status, 303);
  });

  it('refuses a sign-out posted from another origin even with the token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const csrf = await app.csrfTokenOf(jar);

    const response = await app.postLogout(jar, { csrf, origin: 'https://evil.example' });

    assert.equal(response.status, 403);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it('still signs out and revokes with the form on screen after the session reached its maximum length', async (t) => {
    const app = await startTestApp(t, { env: { SESSION_IDLE_TIMEOUT_SECONDS: '36000' } });
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const csrf = await app.csrfTokenOf(jar);

    app.advanceClock(9 * 60 * 60 * 1000);
    const response = await app.postLogout(jar, { csrf });
    const isRefreshTokenActive = await isActive(app, record?.tokens.refreshToken ?? '');

    assert.equal(response.status, 303);
    assert.match(response.headers.get('location') ?? '', /id_token_hint=/);
    assert.equal(isRefreshTokenActive, false, 'the refresh token was revoked');
  });

  it('still ends the local session when revocation fails', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const csrf = await app.csrfTokenOf(jar);
    app.provider.use(fault('/token/revocation', always, html502));

    const response = await app.postLogout(jar, { csrf });

    assert.equal(response.status, 303);
    assert.equal(await app.backend.tokens.get(sessionId), undefined);
    assert.ok(app.logs.some((line) => line.includes('refresh token revocation failed')));
  });
});
