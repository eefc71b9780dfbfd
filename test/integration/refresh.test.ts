import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postToProvider } from '../support/post-to-provider.ts';
import { fault, html502 } from '../support/provider-faults.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;

describe('token refresh', () => {
  it('refreshes an expired access token before calling the API and keeps the user signed in', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn('bob');
    const sessionId = app.sessionIdOf(jar);
    const before = await app.backend.tokens.get(sessionId);

    app.advanceClock(tenMinutes);
    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();
    const after = await app.backend.tokens.get(sessionId);

    assert.equal(response.status, 200);
    assert.match(page, /bob/);
    assert.equal(app.grants.refresh_token, 1);
    assert.notEqual(after?.tokens.accessToken, before?.tokens.accessToken);
    assert.notEqual(
      after?.tokens.refreshToken,
      before?.tokens.refreshToken,
      'the provider rotates refresh tokens',
    );
    assert.ok(
      after?.tokens.idToken,
      'an ID token is kept (the new one, or the old one if none came)',
    );
  });

  it('makes exactly one refresh grant for 10 concurrent requests of one session', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    app.advanceClock(tenMinutes);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => jar.fetch(`${app.baseUrl}/resource`)),
    );

    assert.deepEqual(
      responses.map((r) => r.status),
      Array(10).fill(200),
    );
    assert.equal(app.grants.refresh_token, 1);
    assert.deepEqual(app.grantErrors, [], 'no refresh token was spent twice');
  });

  it('does not refresh a token that is still good', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 200);
    assert.equal(app.grants.refresh_token, undefined);
  });

  it('sends the user to sign in again with a notice when the refresh token was revoked', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    await revokeAtProvider(app, record?.tokens.refreshToken ?? '');

    app.advanceClock(tenMinutes);
    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const home = await jar.fetch(`${app.baseUrl}/`);

    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/login?returnTo=%2Fresource');
    assert.match(await home.text(), /sign-in had expired/);
    assert.equal(await app.backend.tokens.get(app.sessionIdOf(jar)), undefined);
    assert.ok(
      app.logs.some((line) => line.includes('sign-in expired') && line.includes('refresh_failed')),
      'the log says why the user signs in again',
    );
  });

  it('keeps the session and its refresh token when the provider is down during a refresh', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const before = await app.backend.tokens.get(sessionId);
    let isTokenEndpointDown = true;
    app.provider.use(fault('/token', () => isTokenEndpointDown, html502));

    app.advanceClock(tenMinutes);
    const failed = await jar.fetch(`${app.baseUrl}/resource`);
    const failedPage = await failed.text();
    const kept = await app.backend.tokens.get(sessionId);
    isTokenEndpointDown = false;
    const recovered = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(failed.status, 502);
    assert.match(failedPage, /identity provider/i);
    assert.equal(
      kept?.tokens.refreshToken,
      before?.tokens.refreshToken,
      'the refresh token is kept while the provider is down',
    );
    assert.equal(recovered.status, 200);
    assert.equal(app.grants.refresh_token, 1, 'the next request refreshed with the kept token');
  });
});

async function revokeAtProvider(app: TestApp, token: string): Promise<void> {
  const response = await postToProvider(app, '/token/revocation', {
    token,
    token_type_hint: 'refresh_token',
  });
  assert.equal(response.status, 200);
}
