import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoTokensIn } from '../support/assert-no-tokens.ts';
import { confirmLogoutAtProvider } from '../support/dev-login.ts';
import { type StoreName, useStore } from '../support/store-under-test.ts';
import { startTestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;
const encryptionKey = Buffer.alloc(32, 7).toString('base64');

for (const store of ['sqlite', 'redis'] satisfies StoreName[]) {
  describe(`SESSION_STORE=${store}`, () => {
    it('makes exactly one refresh grant for concurrent requests across two instances sharing the store', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env });
      const second = await app.addInstance();
      const jar = await app.signIn();

      app.advanceClock(tenMinutes);
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          jar.fetch(`${index % 2 ? second : app.baseUrl}/resource`),
        ),
      );

      assert.deepEqual(
        responses.map((r) => r.status),
        Array(10).fill(200),
      );
      assert.equal(app.grants.refresh_token, 1);
      assert.deepEqual(app.grantErrors, [], 'no refresh token was spent twice');
    });

    it('keeps the user signed in across an app restart', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env });
      const jar = await app.signIn('dora');

      await app.restart();
      const response = await jar.fetch(`${app.baseUrl}/resource`);

      assert.equal(response.status, 200);
      assert.match(await response.text(), /dora/);
    });

    it('ends the sessions of a user who signs out at the provider (back-channel logout), and only theirs', async (t) => {
      const { env } = await useStore(t, store);
      const app = await startTestApp(t, { env });
      const jar = await app.signIn();
      const other = await app.signIn('someone-else');
      const record = await app.backend.tokens.get(app.sessionIdOf(jar));
      const endSession = new URL(`${app.issuer}/session/end`);
      endSession.searchParams.set('id_token_hint', record?.tokens.idToken ?? '');

      await confirmLogoutAtProvider(endSession, jar);
      const home = await jar.fetch(`${app.baseUrl}/`);
      const afterwards = await jar.fetch(`${app.baseUrl}/resource`);

      assert.doesNotMatch(await home.text(), /Sign out/, 'the home page shows the user signed out');
      assert.equal(afterwards.status, 302);
      assert.match(afterwards.headers.get('location') ?? '', /^\/login/);
      assert.equal(await app.backend.tokens.get(app.sessionIdOf(jar)), undefined);
      assert.equal(
        (await other.fetch(`${app.baseUrl}/resource`)).status,
        200,
        "another user's session is kept",
      );
    });

    it('stores no token in clear when TOKEN_ENCRYPTION_KEY is set', async (t) => {
      const under = await useStore(t, store);
      const app = await startTestApp(t, {
        env: { ...under.env, TOKEN_ENCRYPTION_KEY: encryptionKey },
      });
      const jar = await app.signIn();
      const record = await app.backend.tokens.get(app.sessionIdOf(jar));
      await app.restart();

      const raw = await under.rawContent(app);

      assertNoTokensIn(raw, record);
      assert.match(raw, /v1\.[\w-]{8}\./, 'the encrypted record is there');
    });
  });
}
