// Decision 015 (docs/decisions/015-sqlite-writes-that-may-be-lost.md): a session row
// written or deleted without waiting for the disk may come back as it was after a power loss,
// while the synced deletion of its token record survives. Each test simulates that lost write by
// writing the row back as it was before a sign-in ended, then checks that the row alone grants
// nothing: the next request finds no token record and signs it out (a row past its absolute
// lifetime is ended by the lifetime check, before that).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signInThroughProvider } from '../support/dev-login.ts';
import { postLogoutToken, providerSigned } from '../support/logout-tokens.ts';
import { readSessionRow, readTokenRow, writeSessionRow } from '../support/sqlite-rows.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** What a browser holding `cookie` (the ended sign-in's) is shown, page by page. */
async function asOldCookie(app: TestApp, cookie: string) {
  const get = (path: string) =>
    fetch(`${app.baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
  const home = await (await get('/')).text();
  return {
    home,
    resource: (await get('/resource')).status,
    flow: (await get('/flow')).status,
  };
}

/** A signed-in browser, its session's id and cookie, and its session row as the sign-in wrote it. */
async function signedInWithRow(app: TestApp) {
  const jar = await app.signIn();
  const sessionId = app.sessionIdOf(jar);
  return {
    jar,
    sessionId,
    cookie: jar.header(app.baseUrl) ?? '',
    row: readSessionRow(app.dbPath, sessionId) ?? assert.fail('no session row'),
  };
}

function assertSignedOut(seen: { home: string; resource: number; flow: number }): void {
  assert.doesNotMatch(seen.home, /action="\/logout"/, 'no sign-out form: signed out');
  assert.equal(seen.resource, 302, '/resource sends the browser to sign in');
  assert.equal(seen.flow, 302, "/flow shows nothing of the ended sign-in's steps");
}

describe('a session row that comes back after a power loss (decision 015)', () => {
  it('signs out the row of a session ended by back-channel logout', async (t) => {
    const app = await startTestApp(t);
    const { sessionId, cookie, row } = await signedInWithRow(app);

    assert.equal((await postLogoutToken(app.baseUrl, await providerSigned(app))).status, 200);
    assert.equal(readTokenRow(app.dbPath, sessionId), undefined, 'the token record is gone');
    writeSessionRow(app.dbPath, row);

    const seen = await asOldCookie(app, cookie);
    assert.match(seen.home, /Your sign-in was ended/);
    assertSignedOut(seen);
  });

  it('signs out the pre-login row of a browser that signed in again over its sign-in', async (t) => {
    const app = await startTestApp(t);
    const { jar, sessionId: oldId, cookie: oldCookie, row } = await signedInWithRow(app);

    const again = await signInThroughProvider(`${app.baseUrl}/login`, jar, { login: 'bob' });
    assert.equal(again.status, 200);
    assert.notEqual(app.sessionIdOf(jar), oldId, 'a new session id');
    assert.equal(
      readTokenRow(app.dbPath, oldId),
      undefined,
      "the earlier sign-in's record is gone",
    );
    writeSessionRow(app.dbPath, row);

    assertSignedOut(await asOldCookie(app, oldCookie));
  });

  it('signs out the row of a session ended at its absolute lifetime', async (t) => {
    const app = await startTestApp(t, { env: { SESSION_IDLE_TIMEOUT_SECONDS: '36000' } });
    const { jar, sessionId, cookie, row } = await signedInWithRow(app);

    app.advanceClock(9 * 60 * 60 * 1000);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 302);
    assert.equal(readTokenRow(app.dbPath, sessionId), undefined);
    writeSessionRow(app.dbPath, row);

    // The row is past its lifetime too: that check ends it before its token record is looked up.
    const seen = await asOldCookie(app, cookie);
    assert.match(seen.home, /maximum length/);
    assertSignedOut(seen);
  });
});
