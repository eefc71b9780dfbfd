import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoTokensIn } from '../support/assert-no-tokens.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { recordedSteps } from '../support/read-session.ts';
import { startTestApp } from '../support/test-app.ts';

describe('sign-in through the provider', () => {
  it('signs in, shows the user and calls the protected API with the access token', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();

    const home = await signInThroughProvider(`${app.baseUrl}/login?returnTo=/resource`, jar, {
      login: 'alice',
    });
    const page = await home.text();

    assert.equal(home.status, 200);
    assert.equal(home.url, `${app.baseUrl}/resource`);
    assert.match(page, /demo protected API/);
    assert.match(page, /alice/);
    assert.equal(app.grants.authorization_code, 1);
  });

  it('sends PKCE S256, state and nonce in the authorization request', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();

    const response = await jar.fetch(`${app.baseUrl}/login`);
    const location = new URL(response.headers.get('location') ?? '');

    assert.equal(response.status, 302);
    assert.equal(location.origin, new URL(app.issuer).origin);
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    assert.match(location.searchParams.get('code_challenge') ?? '', /^[\w-]{43}$/);
    assert.ok((location.searchParams.get('state') ?? '').length >= 32);
    assert.ok((location.searchParams.get('nonce') ?? '').length >= 32);
    assert.equal(location.searchParams.get('redirect_uri'), `${app.baseUrl}/callback`);
  });

  it('regenerates the session id at sign-in and sets an HttpOnly SameSite=Lax cookie', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    await jar.fetch(`${app.baseUrl}/login`);
    const before = jar.header(new URL(app.baseUrl));

    const response = await signInThroughProvider(`${app.baseUrl}/login`, jar, {
      stopAt: `${app.baseUrl}/callback`,
    });
    const callback = await jar.fetch(response.headers.get('location') ?? '');
    const setCookie = callback.headers.get('set-cookie') ?? '';

    assert.equal(callback.status, 302);
    assert.match(setCookie, /^oer\.sid=/);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    assert.notEqual(jar.header(new URL(app.baseUrl)), before);
  });

  it("writes the signed-in session once at the callback, with this sign-in's /flow steps in it", async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const toCallback = await signInThroughProvider(`${app.baseUrl}/login`, jar, {
      stopAt: `${app.baseUrl}/callback`,
    });
    // Counted at the real store (the writes still happen), restored after the test.
    const writes = t.mock.method(app.backend.sessions, 'set');

    const callback = await jar.fetch(toCallback.headers.get('location') ?? '');
    const written = writes.mock.callCount();
    const flow = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    assert.equal(callback.status, 302);
    assert.equal(written, 1, 'one write: user, token reference and /flow steps together');
    assert.match(flow, /finishSignIn/);
    // In the stored session, not only in this process's memory.
    assert.ok((await recordedSteps(app, jar)).some((step) => step.kind === 'token-request'));
  });

  it('keeps two logins of one browser apart (two tabs): the first to finish signs in, the other is refused', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const first = await jar.fetch(`${app.baseUrl}/login?returnTo=/flow`);
    const second = await jar.fetch(`${app.baseUrl}/login?returnTo=/resource`);

    const done = await signInThroughProvider(first.headers.get('location') ?? '', jar);
    const other = await signInThroughProvider(second.headers.get('location') ?? '', jar);
    const still = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(done.url, `${app.baseUrl}/flow`, 'the older login was not overwritten');
    assert.equal(done.status, 200);
    // A sign-in drops every other pending login (a planted one must not survive it).
    assert.equal(other.status, 400);
    assert.match(await other.text(), /not started in this browser, or it was already completed/);
    assert.equal(still.status, 200, 'the first sign-in is kept');
    assert.equal(app.grants.authorization_code, 1);
  });

  it('shows no token value on any page after sign-in', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    assert.ok(record, 'the token record exists');

    const pages = await Promise.all(
      ['/', '/resource', '/flow'].map((p) => jar.fetch(`${app.baseUrl}${p}`).then((r) => r.text())),
    );

    for (const page of pages) assertNoTokensIn(page, record, 'a page');
    assertNoTokensIn(app.logs.join('\n'), record, 'the log');
  });
});
