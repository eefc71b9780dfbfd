import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { startTestApp } from '../support/test-app.ts';

const second = 1000;

/** The expiry the SQLite store holds for a session (its idle timeout, counted from its last save). */
function storedExpiry(dbPath: string, sessionId: string): number {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const row = db.prepare('SELECT expires_at FROM sessions WHERE sid = ?').get(sessionId);
    return Number(row?.expires_at);
  } finally {
    db.close();
  }
}

describe('the idle timeout', () => {
  // SESSION_IDLE_TIMEOUT_SECONDS=600: a session in use has its expiry moved once a minute at most.
  const env = { SESSION_IDLE_TIMEOUT_SECONDS: '600' };

  it('does not write a session in use again within a tenth of the idle timeout', async (t) => {
    const app = await startTestApp(t, { env });
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const signedIn = storedExpiry(app.dbPath, sessionId);

    app.advanceClock(59 * second);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(resource.status, 200);
    assert.equal(resource.headers.get('set-cookie'), null, 'the cookie is not sent again');
    assert.equal(storedExpiry(app.dbPath, sessionId), signedIn, 'the row is not written');
  });

  it("moves a session's expiry, row and cookie, on its first request a tenth of the idle timeout after the last move", async (t) => {
    const app = await startTestApp(t, { env });
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const signedIn = storedExpiry(app.dbPath, sessionId);

    app.advanceClock(60 * second);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(resource.status, 200);
    assert.match(resource.headers.get('set-cookie') ?? '', /^oer\.sid=.*Expires=/);
    assert.ok(storedExpiry(app.dbPath, sessionId) > signedIn, 'the row expires later');
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
});
