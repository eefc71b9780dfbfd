import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { isActive } from '../support/post-to-provider.ts';
import { type StoreName, useStore } from '../support/store-under-test.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

// The shortest lifetimes the configuration allows: a token record lives maxAge + idle = 240 s.
// A sign-in happens within the idle timeout of the app's clock: express-session dates its cookie
// (and so the SQLite session row) by the real clock.
const shortSessions = { SESSION_MAX_AGE_SECONDS: '120', SESSION_IDLE_TIMEOUT_SECONDS: '120' };
const recordLifetime = 240_000;
const later = 100_000;

for (const store of ['sqlite', 'redis'] satisfies StoreName[]) {
  describe(`sweeping expired token records (SESSION_STORE=${store})`, () => {
    it('revokes the refresh token of a record the store removes at expiry, and no live one', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env: { ...env, ...shortSessions } });
      const gone = await refreshTokenOf(app, await app.signIn('alice'));
      app.advanceClock(later);
      const live = await refreshTokenOf(app, await app.signIn('bob'));
      app.advanceClock(recordLifetime - later + 1000);
      const revocations = countRevocations(app);

      await app.backend.sweep();

      assert.equal(await isActive(app, gone), false, 'the expired record’s token');
      assert.equal(await isActive(app, live), true, 'the live record’s token');
      assert.equal(revocations.count, 1);
      assert.ok(
        app.logs.some((line) => line.includes('"revoked":1') && line.includes('expired token')),
        'the sweep is logged with counts',
      );
      assert.ok(!app.logs.some((line) => line.includes(gone)), 'no token in the logs');
    });

    it('keeps the refresh token when a live record shares its provider session (the grant may be reused)', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env: { ...env, ...shortSessions } });
      const jar = await app.signIn('alice');
      const gone = await app.backend.tokens.get(app.sessionIdOf(jar));
      app.advanceClock(later);
      // A new app session in the same browser (its app cookie lost), same provider session.
      forgetAppSession(app, jar);
      await signInThroughProvider(`${app.baseUrl}/login`, jar);
      const live = await app.backend.tokens.get(app.sessionIdOf(jar));
      app.advanceClock(recordLifetime - later + 1000);
      const revocations = countRevocations(app);

      await app.backend.sweep();

      assert.equal(live?.sid, gone?.sid, 'one provider session behind both records');
      assert.equal(revocations.count, 0);
      assert.equal(await isActive(app, live?.tokens.refreshToken ?? ''), true);
    });

    it('when the token record is still live then a sweep revokes nothing', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env: { ...env, ...shortSessions } });
      const token = await refreshTokenOf(app, await app.signIn('alice'));
      app.advanceClock(recordLifetime - 1000);
      const revocations = countRevocations(app);

      await app.backend.sweep();

      assert.equal(revocations.count, 0);
      assert.equal(await isActive(app, token), true);
    });
  });
}

async function refreshTokenOf(app: TestApp, jar: CookieJar): Promise<string> {
  const record = await app.backend.tokens.get(app.sessionIdOf(jar));
  const token = record?.tokens.refreshToken;
  if (!token) throw new Error('the sign-in stored no refresh token');
  return token;
}

/** Drops the app's session cookie from the browser, keeping the provider's cookies. */
function forgetAppSession(app: TestApp, jar: CookieJar): void {
  const expired = `${app.config.session.cookieName}=; Path=/; Max-Age=0`;
  jar.store(app.baseUrl, new Response(null, { headers: { 'set-cookie': expired } }));
}

/** Counts the refresh tokens the provider destroys from now on (revocation, reuse detection). */
function countRevocations(app: TestApp): { count: number } {
  const revocations = { count: 0 };
  app.provider.on('refresh_token.destroyed', () => {
    revocations.count += 1;
  });
  return revocations;
}
