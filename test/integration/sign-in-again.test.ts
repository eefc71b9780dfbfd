import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError } from '../../src/errors.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { isActive } from '../support/post-to-provider.ts';
import { always, fault, html502 } from '../support/provider-faults.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The same browser as far as the app goes (its session cookie), but one the provider no longer
 * knows: its own session cookie is gone (it expired, or the user cleared it).
 */
function withAppCookieOnly(app: TestApp, jar: CookieJar): CookieJar {
  const cookie = jar
    .header(app.baseUrl)
    ?.split('; ')
    .find((pair) => pair.startsWith('oer.sid='));
  assert.ok(cookie, 'the browser holds the app session cookie');
  const copy = new CookieJar();
  copy.store(app.baseUrl, new Response(null, { headers: { 'set-cookie': `${cookie}; Path=/` } }));
  return copy;
}

describe('signing in again in a signed-in browser', () => {
  it("revokes the earlier sign-in's refresh token when it belongs to another provider session", async (t) => {
    const app = await startTestApp(t);
    const alice = await app.signIn('alice');
    const before = await app.backend.tokens.get(app.sessionIdOf(alice));
    const browser = withAppCookieOnly(app, alice);

    const home = await signInThroughProvider(`${app.baseUrl}/login`, browser, { login: 'bob' });
    const after = await app.backend.tokens.get(app.sessionIdOf(browser));

    assert.equal(home.status, 200);
    assert.match(await home.text(), /bob/);
    assert.ok(before?.sid && after?.sid && before.sid !== after.sid, 'two provider sessions');
    assert.equal(await isActive(app, before.tokens.refreshToken ?? ''), false, 'alice revoked');
    assert.equal(await isActive(app, after.tokens.refreshToken ?? ''), true, 'bob signed in');
  });

  it('revokes nothing when the new sign-in is in the same provider session (the grant may be shared)', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn('alice');
    const before = await app.backend.tokens.get(app.sessionIdOf(jar));

    const home = await signInThroughProvider(`${app.baseUrl}/login`, jar);
    const after = await app.backend.tokens.get(app.sessionIdOf(jar));
    const resource = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(home.status, 200);
    assert.ok(before?.sid && before.sid === after?.sid, 'one provider session');
    assert.notEqual(before.tokens.refreshToken, after.tokens.refreshToken);
    assert.equal(
      await isActive(app, after.tokens.refreshToken ?? ''),
      true,
      'the new sign-in works',
    );
    assert.equal(await isActive(app, before.tokens.refreshToken ?? ''), true, 'not revoked');
    assert.equal(resource.status, 200);
  });

  it('still signs in when revoking the earlier refresh token fails', async (t) => {
    const app = await startTestApp(t);
    const alice = await app.signIn('alice');
    const browser = withAppCookieOnly(app, alice);
    app.provider.use(fault('/token/revocation', always, html502));

    const home = await signInThroughProvider(`${app.baseUrl}/login`, browser, { login: 'bob' });

    assert.equal(home.status, 200);
    assert.match(await home.text(), /bob/);
    assert.ok(app.logs.some((line) => line.includes('refresh token revocation failed')));
  });

  it('keeps the earlier sign-in and revokes the new tokens when the new sign-in cannot be stored', async (t) => {
    const app = await startTestApp(t);
    const alice = await app.signIn('alice');
    const before = await app.backend.tokens.get(app.sessionIdOf(alice));
    const browser = withAppCookieOnly(app, alice);
    const revokedGrants: string[] = [];
    app.provider.on('grant.revoked', (_ctx, grantId: string) => revokedGrants.push(grantId));
    // The store fails once, as a full disk or a lost Redis connection would, at the new sign-in.
    const { tokens } = app.backend;
    const put = tokens.put.bind(tokens);
    tokens.put = async () => {
      tokens.put = put;
      throw new StoreError(new Error('disk full'));
    };

    const callback = await signInThroughProvider(`${app.baseUrl}/login`, browser, { login: 'bob' });

    assert.equal(callback.status, 503);
    assert.equal(await isActive(app, before?.tokens.refreshToken ?? ''), true, 'alice not revoked');
    assert.equal(revokedGrants.length, 1, "bob's new grant revoked, as no record keeps it");
  });
});
