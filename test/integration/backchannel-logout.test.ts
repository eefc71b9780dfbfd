import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { confirmLogoutAtProvider } from '../support/dev-login.ts';
import { startTestApp } from '../support/test-app.ts';

describe('POST /backchannel-logout', () => {
  it('ends the app session when the user signs out at the provider', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const other = await app.signIn('someone-else');
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const endSession = new URL(`${app.issuer}/session/end`);
    endSession.searchParams.set('id_token_hint', record?.tokens.idToken ?? '');

    await confirmLogoutAtProvider(endSession, jar);
    const home = await jar.fetch(`${app.baseUrl}/`);
    const afterwards = await jar.fetch(`${app.baseUrl}/resource`);
    const untouched = await other.fetch(`${app.baseUrl}/resource`);

    assert.doesNotMatch(await home.text(), /Sign out/, 'the home page shows the user signed out');
    assert.equal(afterwards.status, 302);
    assert.match(afterwards.headers.get('location') ?? '', /^\/login/);
    assert.equal(await app.backend.tokens.get(app.sessionIdOf(jar)), undefined);
    assert.equal(untouched.status, 200, "another user's session is kept");
  });

  it('answers 400 to a logout token signed by someone else and touches no session', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const forged = await new SignJWT({
      sub: 'alice',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
      .setIssuer(app.issuer)
      .setAudience(app.config.client.id)
      .setIssuedAt()
      .setJti('forged-1')
      .sign(new TextEncoder().encode('an attacker secret that is long enough!'));

    const response = await fetch(`${app.baseUrl}/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: forged }),
    });
    const body = (await response.json()) as { error: string };

    assert.equal(response.status, 400);
    assert.equal(body.error, 'invalid_request');
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it("refuses the user's own ID token replayed as a logout token", async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));

    const response = await fetch(`${app.baseUrl}/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: record?.tokens.idToken ?? '' }),
    });

    assert.equal(response.status, 400);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it('answers 400 when logout_token is missing', async (t) => {
    const app = await startTestApp(t);

    const response = await fetch(`${app.baseUrl}/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({}),
    });

    assert.equal(response.status, 400);
  });
});
