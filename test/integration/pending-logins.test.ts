import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { readSession } from '../support/read-session.ts';
import { startTestApp } from '../support/test-app.ts';

describe('pending sign-ins and a new session', () => {
  it("when a planted pending login's callback is replayed after the victim signed in, the session stays the victim's", async (t) => {
    const app = await startTestApp(t);
    const victim = new CookieJar();
    // The attacker's sign-in, started in the victim's pre-login session (a planted cookie), and
    // completed at the provider in the attacker's own browser: its callback URL is the bait.
    const planted = await victim.fetch(`${app.baseUrl}/login`);
    const attacker = await signInThroughProvider(
      planted.headers.get('location') ?? '',
      new CookieJar(),
      { login: 'mallory', stopAt: `${app.baseUrl}/callback` },
    );
    const bait = attacker.headers.get('location') ?? '';
    await signInThroughProvider(`${app.baseUrl}/login`, victim, { login: 'alice' });
    const sessionId = app.sessionIdOf(victim);

    const replay = await victim.fetch(bait);
    const home = await (await victim.fetch(`${app.baseUrl}/`)).text();
    const record = await app.backend.tokens.get(app.sessionIdOf(victim));

    assert.match(bait, /[?&]code=/);
    assert.equal(replay.status, 400);
    assert.match(home, /alice/);
    assert.doesNotMatch(home, /mallory/);
    assert.equal(app.sessionIdOf(victim), sessionId, 'the same signed-in session');
    assert.equal(record?.sub, 'alice', "the victim's tokens are kept");
    assert.equal(app.grants.authorization_code, 1, "the attacker's code was never exchanged");
  });

  it('keeps no pending login in the signed-in session', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    await jar.fetch(`${app.baseUrl}/login`);
    await jar.fetch(`${app.baseUrl}/login`);

    await signInThroughProvider(`${app.baseUrl}/login`, jar);
    const session = await readSession(app.backend, app.sessionIdOf(jar));

    assert.ok(session?.user, 'signed in');
    assert.equal(session.pendingLogins, undefined);
  });
});
