// What the browser receives from POST /logout: the redirect to the provider's end-session page
// (its exact query: docs/decisions/008-id-token-hint-in-sign-out.md) and the cookie of the new,
// empty session that replaces the signed-in one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confirmLogoutAtProvider } from '../support/dev-login.ts';
import { readSession } from '../support/read-session.ts';
import { startTestApp } from '../support/test-app.ts';

describe('POST /logout response', () => {
  it('sends client_id, id_token_hint and post_logout_redirect_uri to the end-session page, nothing else', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const csrf = await app.csrfTokenOf(jar);

    const response = await app.postLogout(jar, { csrf });
    const location = new URL(response.headers.get('location') ?? '');

    assert.equal(response.status, 303);
    assert.deepEqual([...location.searchParams.keys()].sort(), [
      'client_id',
      'id_token_hint',
      'post_logout_redirect_uri',
    ]);
    assert.equal(location.searchParams.get('client_id'), app.config.client.id);
    assert.equal(location.searchParams.get('id_token_hint'), record?.tokens.idToken);
    assert.equal(location.searchParams.get('post_logout_redirect_uri'), `${app.baseUrl}/`);
  });

  it('without an ID token sends client_id and post_logout_redirect_uri, no id_token_hint, and the provider still brings the user back', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const record = await app.backend.tokens.get(sessionId);
    if (!record) throw new Error('signed in without a token record');
    const { idToken: _dropped, ...withoutIdToken } = record.tokens;
    await app.backend.tokens.replace(sessionId, record.version, withoutIdToken);
    const csrf = await app.csrfTokenOf(jar);

    const response = await app.postLogout(jar, { csrf });
    const location = new URL(response.headers.get('location') ?? '');
    const back = await confirmLogoutAtProvider(location, jar);

    assert.deepEqual([...location.searchParams.keys()].sort(), [
      'client_id',
      'post_logout_redirect_uri',
    ]);
    assert.equal(back.url, `${app.baseUrl}/`);
  });

  it('replaces the session cookie with a new id whose session holds no user and no token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const signedInId = app.sessionIdOf(jar);
    const csrf = await app.csrfTokenOf(jar);

    const response = await app.postLogout(jar, { csrf });
    const cookie = response.headers
      .getSetCookie()
      .find((line) => line.startsWith(`${app.config.session.cookieName}=`));
    const signedOutId = app.sessionIdOf(jar);
    const signedOut = await readSession(app.backend, signedOutId);

    assert.equal(response.status, 303);
    assert.ok(cookie, 'a Set-Cookie for the session cookie');
    assert.match(cookie, /; Path=\//);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.notEqual(signedOutId, signedInId, 'a new session id');
    assert.equal(await readSession(app.backend, signedInId), undefined, 'the old session is gone');
    assert.equal(await app.backend.tokens.get(signedInId), undefined);
    assert.equal(await app.backend.tokens.get(signedOutId), undefined);
    assert.deepEqual(Object.keys(signedOut ?? {}).sort(), [
      'compressedFlow',
      'cookie',
      'notice',
      'signedOut',
    ]);
    assert.equal(signedOut?.user, undefined);
    assert.equal(signedOut?.csrfToken, undefined);
  });
});
