import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postLogoutToken, providerSigned } from '../support/logout-tokens.ts';
import { type StoreName, useStore } from '../support/store-under-test.ts';
import { startTestApp } from '../support/test-app.ts';

for (const store of ['sqlite', 'redis'] satisfies StoreName[]) {
  describe(`back-channel logout replay, SESSION_STORE=${store}`, () => {
    it("refuses a used logout token replayed after a restart, and keeps the user's new session", async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env });
      await app.signIn();
      const token = await providerSigned(app);
      const first = await postLogoutToken(app.baseUrl, token);
      const signedInAgain = await app.signIn();

      await app.restart();
      const replayed = await postLogoutToken(app.baseUrl, token);
      const newSession = await signedInAgain.fetch(`${app.baseUrl}/resource`);

      assert.equal(first.status, 200);
      assert.equal(replayed.status, 400, 'a jti is accepted once, across restarts');
      assert.equal(newSession.status, 200, 'the new session survives the replay');
    });

    it('refuses a used logout token replayed to another instance', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env });
      const second = await app.addInstance();
      await app.signIn();
      const token = await providerSigned(app);
      const first = await postLogoutToken(app.baseUrl, token);
      const signedInAgain = await app.signIn();

      const replayed = await postLogoutToken(second, token);
      const newSession = await signedInAgain.fetch(`${app.baseUrl}/resource`);

      assert.equal(first.status, 200);
      assert.equal(replayed.status, 400, 'a jti is accepted once, across instances');
      assert.equal(newSession.status, 200, 'the new session survives the replay');
    });

    it('keeps a session that signed in after the logout token was issued', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env });
      const jar = await app.signIn();
      // Issued a minute before this sign-in: past the 30 s the app allows for clock skew.
      const issuedBefore = Math.floor(Date.now() / 1000) - 60;
      const token = await providerSigned(app, { claims: { iat: issuedBefore } });

      const response = await postLogoutToken(app.baseUrl, token);
      const session = await jar.fetch(`${app.baseUrl}/resource`);

      assert.equal(response.status, 200, 'a good token, with no session to end');
      assert.equal(session.status, 200, 'the later sign-in is not ended');
    });

    it('still ends a session that signed in shortly before the logout token was issued', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env });
      const jar = await app.signIn();
      const other = await app.signIn('someone-else');

      const response = await postLogoutToken(app.baseUrl, await providerSigned(app));
      const session = await jar.fetch(`${app.baseUrl}/resource`);
      const otherSession = await other.fetch(`${app.baseUrl}/resource`);

      assert.equal(response.status, 200);
      assert.equal(session.status, 302, 'sent to sign in');
      assert.equal(otherSession.status, 200, "another user's session is not touched");
    });
  });
}
