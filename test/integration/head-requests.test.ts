import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startStandInApi } from '../support/stand-in-api.ts';
import { startTestApp } from '../support/test-app.ts';

const orders = { status: 200, body: { orders: [] } };

describe('HEAD requests', () => {
  it('when a session is past its absolute lifetime, HEAD /resource neither refreshes nor calls the API and ends the session', async (t) => {
    const api = await startStandInApi(t, orders);
    const app = await startTestApp(t, {
      env: { SESSION_MAX_AGE_SECONDS: '120' },
      resourceUrl: async () => api.url,
    });
    const jar = await app.signIn();
    // Past the maximum age and past the refresh point of the dev provider's 300 s access token.
    app.advanceClock(250 * 1000);

    const head = await jar.fetch(`${app.baseUrl}/resource`, { method: 'HEAD' });
    const again = await jar.fetch(`${app.baseUrl}/resource`, { method: 'HEAD' });
    const home = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.equal(head.status, 302);
    assert.match(head.headers.get('location') ?? '', /^\/login/);
    assert.equal(again.status, 302);
    assert.equal(app.grants.refresh_token, undefined, 'no refresh grant');
    assert.equal(api.requests.length, 0, 'no API call');
    assert.match(home, /maximum length/);
    assert.doesNotMatch(home, /action="\/logout"/, 'signed out');
  });

  it('when the token record is gone, HEAD /resource sends the browser to sign in as GET does', async (t) => {
    const api = await startStandInApi(t, orders);
    const app = await startTestApp(t, { resourceUrl: async () => api.url });
    const jar = await app.signIn();
    await app.backend.tokens.delete(app.sessionIdOf(jar));

    const head = await jar.fetch(`${app.baseUrl}/resource`, { method: 'HEAD' });
    const home = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.equal(head.status, 302);
    assert.match(head.headers.get('location') ?? '', /^\/login/);
    assert.equal(api.requests.length, 0, 'no API call');
    assert.match(home, /Your sign-in was ended/);
    assert.doesNotMatch(home, /action="\/logout"/, 'signed out');
  });

  it('when the refresh token is no longer good, HEAD /resource sends the browser to sign in as GET does', async (t) => {
    const api = await startStandInApi(t, orders);
    const app = await startTestApp(t, { resourceUrl: async () => api.url });
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    await app.backend.tokens.put(
      app.sessionIdOf(jar),
      {
        sub: record?.sub ?? '',
        signedInAt: record?.signedInAt ?? 0,
        tokens: { ...(record?.tokens ?? assert.fail('no record')), refreshToken: 'not-a-token' },
      },
      60 * 60 * 1000,
    );
    app.advanceClock(250 * 1000);

    const head = await jar.fetch(`${app.baseUrl}/resource`, { method: 'HEAD' });
    const home = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.equal(head.status, 302);
    assert.match(head.headers.get('location') ?? '', /^\/login\?returnTo=%2Fresource/);
    assert.equal(api.requests.length, 0, 'no API call');
    assert.match(home, /sign-in had expired/);
  });
});
