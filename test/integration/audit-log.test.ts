import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoTokensIn } from '../support/assert-no-tokens.ts';
import { postLogoutToken, providerSigned } from '../support/logout-tokens.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

type LogLine = Record<string, unknown>;

function logLines(app: TestApp): LogLine[] {
  return app.logs.map((line) => JSON.parse(line) as LogLine);
}

/** The log lines of one audit event, e.g. 'sign-in'. */
function eventsOf(app: TestApp, event: string): LogLine[] {
  return logLines(app).filter((line) => line.event === event);
}

/** The request line of the last request to `path`. */
function requestLineOf(app: TestApp, path: string): LogLine | undefined {
  return logLines(app).findLast((line) => line.msg === 'request' && line.path === path);
}

describe('audit trail', () => {
  it('logs the client IP on request lines, ignoring X-Forwarded-For unless TRUST_PROXY says so', async (t) => {
    const direct = await startTestApp(t);
    const proxied = await startTestApp(t, { env: { TRUST_PROXY: 'loopback' } });
    const headers = { 'x-forwarded-for': '203.0.113.7' };

    await fetch(`${direct.baseUrl}/`, { headers });
    await fetch(`${proxied.baseUrl}/`, { headers });

    assert.equal(requestLineOf(direct, '/')?.ip, '127.0.0.1');
    assert.equal(requestLineOf(proxied, '/')?.ip, '203.0.113.7');
  });

  it('logs sign-in, refused CSRF, refused state and sign-out as events with the sub and no token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn('alice');
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const csrf = await app.csrfTokenOf(jar);

    const forgedPost = await app.postLogout(jar, { csrf: 'not-the-token' });
    const forgedCallback = await jar.fetch(`${app.baseUrl}/callback?state=forged&code=forged`);
    const signOut = await app.postLogout(jar, { csrf });

    assert.equal(forgedPost.status, 403);
    assert.equal(forgedCallback.status, 400);
    assert.equal(signOut.status, 303);
    for (const event of ['sign-in', 'csrf-refused', 'state-refused', 'sign-out']) {
      const [line, ...more] = eventsOf(app, event);
      assert.equal(more.length, 0, `one ${event} event`);
      assert.equal(line?.sub, 'alice', `${event} names the user`);
      assert.equal(line?.ip, '127.0.0.1', `${event} names the client IP`);
      assert.match(String(line?.reqId), /^[\w-]{36}$/, `${event} names the request`);
    }
    assert.equal(eventsOf(app, 'state-refused')[0]?.code, 'unknown_state');
    assertNoTokensIn(app.logs.join('\n'), record, 'the log');
  });

  it('logs a back-channel logout as an event with the sub and no token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn('alice');
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const logoutToken = await providerSigned(app);

    const response = await postLogoutToken(app.baseUrl, logoutToken);
    const [line, ...more] = eventsOf(app, 'backchannel-logout');

    assert.equal(response.status, 200);
    assert.equal(more.length, 0);
    assert.equal(line?.sub, 'alice');
    assert.equal(line?.sessions, 1);
    assert.equal(line?.ip, '127.0.0.1');
    assert.ok(!app.logs.join('\n').includes(logoutToken), 'the logout token is not logged');
    assertNoTokensIn(app.logs.join('\n'), record, 'the log');
  });

  it('logs the end of a session past its absolute lifetime as an event with the sub', async (t) => {
    const app = await startTestApp(t, { env: { SESSION_IDLE_TIMEOUT_SECONDS: '36000' } });
    const jar = await app.signIn('alice');

    app.advanceClock(8 * 60 * 60 * 1000 + 1000);
    await jar.fetch(`${app.baseUrl}/`);
    const [line] = eventsOf(app, 'session-expired');

    assert.equal(line?.sub, 'alice');
    assert.equal(line?.ip, '127.0.0.1');
  });
});
