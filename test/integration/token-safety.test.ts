import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDemoApi } from '../../src/dev/start-demo-api.ts';
import { readSession, writeSession } from '../support/read-session.ts';
import { startTestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;
const oldKey = Buffer.alloc(32, 1).toString('base64');
const newKey = Buffer.alloc(32, 2).toString('base64');

describe('tokens kept safe', () => {
  it('keeps the rotated refresh token when a request that loaded the session earlier saves it afterwards', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const stale = await readSession(app.backend, sessionId);
    assert.ok(stale, 'the signed-in session is stored');

    app.advanceClock(tenMinutes);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
    await writeSession(app.backend, sessionId, stale);
    app.advanceClock(tenMinutes);
    const next = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(next.status, 200);
    assert.equal(app.grants.refresh_token, 2, 'both refreshes used the current refresh token');
  });

  it('refreshes once and retries once when the API answers 401 invalid_token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const sessionId = app.sessionIdOf(jar);
    const record = await app.backend.tokens.get(sessionId);
    assert.ok(record);
    await app.backend.tokens.replace(sessionId, record.version, {
      ...record.tokens,
      accessToken: 'revoked-or-garbage',
    });

    const response = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 200);
    assert.equal(app.grants.refresh_token, 1);
  });

  it('shows a page offering to sign in again, not a redirect loop, when the API refuses the refreshed token too', async (t) => {
    const app = await startTestApp(t, {
      resourceUrl: async (issuer) => {
        // An API for another audience: it refuses every token this provider issues for the app.
        const api = await startDemoApi({
          port: 0,
          issuer,
          audience: 'https://another-api.example/',
        });
        t.after(() => api.close());
        return api.resourceUrl;
      },
    });
    const jar = await app.signIn();

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();

    assert.equal(response.status, 403);
    assert.match(page, /refused your access/);
    assert.match(page, /href="\/login"/);
    assert.equal(app.grants.refresh_token, 1);
    assert.ok(await app.backend.tokens.get(app.sessionIdOf(jar)), 'the tokens are kept');
  });

  it('reads sessions written under the old key after a key rotation, and treats unreadable ones as signed out', async (t) => {
    const app = await startTestApp(t, { env: { TOKEN_ENCRYPTION_KEY: oldKey } });
    const jar = await app.signIn();
    const rotated = await startTestApp(t, {
      env: {
        TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}`,
        SESSION_DB_PATH: app.dbPath,
      },
    });
    const lost = await startTestApp(t, {
      env: { TOKEN_ENCRYPTION_KEY: newKey, SESSION_DB_PATH: app.dbPath },
    });
    const sessionId = app.sessionIdOf(jar);
    const written = await app.backend.tokens.get(sessionId);

    const unreadable = await lost.backend.tokens.get(sessionId);
    const readable = await rotated.backend.tokens.get(sessionId);
    const signedOut = await jar.fetch(`${lost.baseUrl}/resource`);

    assert.ok(written);
    assert.equal(readable?.tokens.accessToken, written.tokens.accessToken);
    assert.equal(unreadable, undefined);
    assert.equal(signedOut.status, 302, 'signed out, not an error page');
    assert.match(signedOut.headers.get('location') ?? '', /^\/login/);
  });
});
