import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSessionRow, writeSessionRow } from '../support/sqlite-rows.ts';
import { startTestApp } from '../support/test-app.ts';

const second = 1000;

/** The expiry the SQLite store holds for a session (its idle timeout, counted from its last save). */
function storedExpiry(dbPath: string, sessionId: string): number {
  return (readSessionRow(dbPath, sessionId) ?? assert.fail('no session row')).expires_at;
}

describe('the idle timeout', () => {
  // SESSION_IDLE_TIMEOUT_SECONDS=600: a session in use has its expiry moved once a minute at most.
  const env = { SESSION_IDLE_TIMEOUT_SECONDS: '600' };

  it('does not write a session in use again within a tenth of the idle timeout', async (t) => {
    // The clock of the whole process: express-session dates the expiry it writes from Date.now().
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const app = await startTestApp(t, { env });
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const signedIn = storedExpiry(app.dbPath, sessionId);

    t.mock.timers.tick(59 * second);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(resource.status, 200);
    assert.equal(resource.headers.get('set-cookie'), null, 'the cookie is not sent again');
    assert.equal(storedExpiry(app.dbPath, sessionId), signedIn, 'the row is not written');
  });

  it("moves a session's expiry, row and cookie, on its first request a tenth of the idle timeout after the last move", async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const app = await startTestApp(t, { env });
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);

    t.mock.timers.tick(60 * second);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(resource.status, 200);
    const cookie = resource.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^oer\.sid=.*Expires=/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? '');
    // Now plus the idle timeout, to the second (a cookie's Expires has no milliseconds).
    assert.equal(Math.floor(expires / 1000), Math.floor((Date.now() + 600 * second) / 1000));
    assert.equal(storedExpiry(app.dbPath, sessionId), Date.now() + 600 * second, 'the row too');
  });

  it('ends a session idle for the idle timeout after its last move, even when a request came since', async (t) => {
    const app = await startTestApp(t, { env });
    const jar = await app.signIn();
    app.advanceClock(50 * second);
    const used = await jar.fetch(`${app.baseUrl}/resource`);

    // 551 s after the last request, 601 s after the expiry last moved (at sign-in).
    app.advanceClock(551 * second);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(used.status, 200);
    assert.equal(resource.status, 302);
    assert.match(resource.headers.get('location') ?? '', /^\/login/);
  });

  it('signs out a session that a request in flight at sign-out wrote back (its tokens are gone)', async (t) => {
    const app = await startTestApp(t, { env });
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const cookie = jar.header(app.baseUrl) ?? '';
    const before = readSessionRow(app.dbPath, sessionId) ?? assert.fail('no session row');
    await app.postLogout(jar, { csrf: await app.csrfTokenOf(jar), origin: app.baseUrl });

    // What an extension save that started before the sign-out and finished after it writes.
    writeSessionRow(app.dbPath, before);
    const home = await (await fetch(`${app.baseUrl}/`, { headers: { cookie } })).text();
    const resource = await fetch(`${app.baseUrl}/resource`, {
      headers: { cookie },
      redirect: 'manual',
    });

    assert.match(home, /Your sign-in was ended/, 'the written-back session was read, then ended');
    assert.doesNotMatch(home, /action="\/logout"/, 'signed out');
    assert.equal(resource.status, 302);
  });
});
