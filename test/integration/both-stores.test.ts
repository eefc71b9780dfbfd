import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { assertNoTokensIn } from '../support/assert-no-tokens.ts';
import { confirmLogoutAtProvider } from '../support/dev-login.ts';
import { readSession } from '../support/read-session.ts';
import { type StoreName, useStore } from '../support/store-under-test.ts';
import { startTestApp } from '../support/test-app.ts';

const tenMinutes = 10 * 60 * 1000;
const encryptionKey = Buffer.alloc(32, 7).toString('base64');
const oldKey = Buffer.alloc(32, 1).toString('base64');
const newKey = Buffer.alloc(32, 2).toString('base64');

/** The key id a sealed text names (`v<n>.<key id>.…`): the first 8 characters of its SHA-256. */
function keyIdOf(base64Key: string): string {
  return createHash('sha256')
    .update(Buffer.from(base64Key, 'base64'))
    .digest('base64url')
    .slice(0, 8);
}

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
      assert.match(raw, /v2\.[\w-]{8}\./, 'the encrypted record is there');
    });

    it("sends a session to sign in, never showing another user's data, when that user's encrypted token record is copied onto it", async (t) => {
      const under = await useStore(t, store);
      const app = await startTestApp(t, {
        env: { ...under.env, TOKEN_ENCRYPTION_KEY: encryptionKey },
      });
      const alice = await app.signIn('alice');
      const bob = await app.signIn('bob');

      await under.copyTokenRecord(app, app.sessionIdOf(alice), app.sessionIdOf(bob));
      const response = await bob.fetch(`${app.baseUrl}/resource`);

      assert.equal(response.status, 302, 'bob is sent to sign in');
      assert.match(response.headers.get('location') ?? '', /^\/login/);
      assert.doesNotMatch(await response.text(), /alice/);
      assert.equal(
        (await alice.fetch(`${app.baseUrl}/resource`)).status,
        200,
        'alice is not affected',
      );
    });

    it("starts a new, signed-out session when another user's encrypted session row is copied onto it", async (t) => {
      const under = await useStore(t, store);
      const app = await startTestApp(t, {
        env: { ...under.env, TOKEN_ENCRYPTION_KEY: encryptionKey },
      });
      const alice = await app.signIn('alice');
      const bob = await app.signIn('bob');

      await under.copySession(app, app.sessionIdOf(alice), app.sessionIdOf(bob));
      const home = await (await bob.fetch(`${app.baseUrl}/`)).text();

      assert.doesNotMatch(home, /Alice/);
      assert.doesNotMatch(home, /Sign out/, 'bob is signed out');
    });

    it('re-encrypts a token record written under a retired key with the current key when it is read', async (t) => {
      const under = await useStore(t, store);
      const app = await startTestApp(t, { env: { ...under.env, TOKEN_ENCRYPTION_KEY: oldKey } });
      const jar = await app.signIn();
      const sessionId = app.sessionIdOf(jar);
      const rotated = await startTestApp(t, {
        env: {
          ...under.env,
          TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}`,
          SESSION_DB_PATH: app.dbPath,
        },
      });
      const before = await under.tokenRecordData(app, sessionId);

      const read = await rotated.backend.tokens.get(sessionId);
      const after = await under.tokenRecordData(app, sessionId);

      assert.ok(read);
      assert.equal(before?.split('.')[1], keyIdOf(oldKey));
      assert.equal(after?.split('.')[1], keyIdOf(newKey), 'the record now names the current key');
      const newKeyOnly = await startTestApp(t, {
        env: { ...under.env, TOKEN_ENCRYPTION_KEY: newKey, SESSION_DB_PATH: app.dbPath },
      });
      const withoutOldKey = await newKeyOnly.backend.tokens.get(sessionId);
      assert.equal(withoutOldKey?.tokens.accessToken, read.tokens.accessToken);
      assert.equal(withoutOldKey.version, read.version, 'a re-encryption is not a new version');
    });

    it("keeps pending logins (PKCE verifier, nonce) and the user's name and email out of the store in clear when TOKEN_ENCRYPTION_KEY is set", async (t) => {
      const under = await useStore(t, store);
      const app = await startTestApp(t, {
        env: { ...under.env, TOKEN_ENCRYPTION_KEY: encryptionKey },
      });
      const jar = await app.signIn('zelda-quartz');
      // A second sign-in started from the signed-in session: its pending login is in the session.
      await jar.fetch(`${app.baseUrl}/login`);
      const session = await readSession(app.backend, app.sessionIdOf(jar));
      assert.ok(session, 'the session is stored');
      await app.restart();

      const raw = await under.rawContent(app);

      const [pending] = Object.values(session.pendingLogins ?? {});
      const { name, email } = session.user ?? {};
      const secrets = { codeVerifier: pending?.codeVerifier, nonce: pending?.nonce, name, email };
      for (const [what, value] of Object.entries(secrets)) {
        assert.ok(value, `the session holds a ${what}`);
        assert.ok(!raw.includes(value), `the ${what} appears in clear in the store`);
      }
    });
  });
}
