import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import {
  logoutClaims,
  logoutTokenHeader,
  postLogoutToken,
  providerSigned,
} from '../support/logout-tokens.ts';
import { answerWith, fault, rewriteMetadata } from '../support/provider-faults.ts';
import { forgeWithProviderKid } from '../support/sign-with-provider-key.ts';
import { startTestApp } from '../support/test-app.ts';

describe('logout token checks (Back-Channel Logout 1.0 §2.6)', () => {
  it('accepts a token signed with the provider key and refuses each broken variant, keeping the session', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const forgedWithSameKid = await forgeWithProviderKid(
      app.providerKeysFile,
      logoutClaims(app),
      logoutTokenHeader,
    );
    const broken = {
      'another key, same kid': forgedWithSameKid,
      'a nonce': await providerSigned(app, { claims: { nonce: 'n' } }),
      'no events claim': await providerSigned(app, { omit: ['events'] }),
      'the wrong event': await providerSigned(app, {
        claims: { events: { 'https://example.com/other': {} } },
      }),
      // Typed as another kind of token: an access token (RFC 9068) or a security event token
      // (RFC 8417) is not a logout token, whatever its claims say.
      'typ at+jwt': await providerSigned(app, { header: { typ: 'at+jwt' } }),
      'typ application/at+jwt': await providerSigned(app, {
        header: { typ: 'application/at+jwt' },
      }),
      'typ secevent+jwt': await providerSigned(app, { header: { typ: 'secevent+jwt' } }),
      'no exp': await providerSigned(app, { omit: ['exp'] }),
      'no jti': await providerSigned(app, { omit: ['jti'] }),
      'another audience': await providerSigned(app, { claims: { aud: 'another-client' } }),
      'another issuer': await providerSigned(app, { claims: { iss: 'https://evil.example' } }),
      'issued an hour ago': await providerSigned(app, {
        claims: { iat: Math.floor(Date.now() / 1000) - 3600 },
      }),
      'neither sub nor sid': await providerSigned(app, { omit: ['sub'] }),
    };

    const statuses: Record<string, number> = {};
    for (const [name, token] of Object.entries(broken))
      statuses[name] = (await postLogoutToken(app.baseUrl, token)).status;
    const stillSignedIn = (await jar.fetch(`${app.baseUrl}/resource`)).status;
    const valid = await providerSigned(app);
    const accepted = await postLogoutToken(app.baseUrl, valid);
    const replayed = await postLogoutToken(app.baseUrl, valid);
    const signedOut = await jar.fetch(`${app.baseUrl}/resource`);

    assert.deepEqual(statuses, Object.fromEntries(Object.keys(broken).map((name) => [name, 400])));
    assert.equal(stillSignedIn, 200);
    assert.equal(accepted.status, 200);
    assert.equal(replayed.status, 400, 'a jti is accepted once');
    assert.equal(signedOut.status, 302);
  });
});

describe('logout token typ header (Back-Channel Logout 1.0 §2.4, §4.1)', () => {
  // §2.4: explicit typing (typ logout+jwt) is RECOMMENDED, not required; what tells a logout token
  // from an ID token is the events claim and the absence of nonce (§2.6, §4.1), checked whatever
  // the typ. Keycloak 24 and earlier send the generic typ JWT, so it is accepted like an absent typ.
  for (const typ of [undefined, 'logout+jwt', 'application/logout+jwt', 'JWT', 'application/jwt']) {
    it(`accepts a logout token with ${typ === undefined ? 'no typ' : `typ ${typ}`} and ends the session`, async (t) => {
      const app = await startTestApp(t);
      const jar = await app.signIn();
      const token = await providerSigned(app, { header: { typ } });

      const response = await postLogoutToken(app.baseUrl, token);
      const afterwards = await jar.fetch(`${app.baseUrl}/resource`);

      assert.equal(response.status, 200);
      assert.equal(afterwards.status, 302, 'the session ended');
    });
  }

  it('ends the session named by a Keycloak-style logout token (typ JWT, typ claim Logout, sid)', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    // What Keycloak 24 sends: the generic typ header, a private `typ` claim, exp two minutes on.
    const keycloakToken = await providerSigned(app, {
      header: { typ: 'JWT' },
      claims: { typ: 'Logout', sid: record?.sid ?? assert.fail('the sign-in kept a sid') },
    });

    const response = await postLogoutToken(app.baseUrl, keycloakToken);
    const afterwards = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(response.status, 200);
    assert.equal(afterwards.status, 302, 'the session ended');
    assert.equal(await app.backend.tokens.get(app.sessionIdOf(jar)), undefined);
  });

  it('refuses a typ JWT token that carries a nonce: an ID token is not a logout token', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const token = await providerSigned(app, { header: { typ: 'JWT' }, claims: { nonce: 'n' } });

    const response = await postLogoutToken(app.baseUrl, token);

    assert.equal(response.status, 400);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });
});

describe('POST /backchannel-logout', () => {
  it('answers 400 to a logout token signed by someone else and touches no session', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    // Every claim right; only the signature is not the provider's.
    const forged = await new SignJWT(logoutClaims(app))
      .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
      .sign(new TextEncoder().encode('an attacker secret that is long enough!'));

    const response = await postLogoutToken(app.baseUrl, forged);
    const body = (await response.json()) as { error: string };

    assert.equal(response.status, 400);
    assert.equal(body.error, 'invalid_request');
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it('refuses an unsigned logout token (alg none), even from a provider that lists none, and touches no session', async (t) => {
    const app = await startTestApp(t);
    app.provider.use(
      rewriteMetadata((metadata) => {
        metadata.id_token_signing_alg_values_supported = ['RS256', 'none'];
      }),
    );
    // Started again: the app discovers the metadata that lists none.
    await app.restart();
    const jar = await app.signIn();
    const unsigned = new UnsecuredJWT(logoutClaims(app)).encode();

    const response = await postLogoutToken(app.baseUrl, unsigned);

    assert.equal(response.status, 400);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it("refuses the user's own ID token replayed as a logout token", async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));

    const response = await postLogoutToken(app.baseUrl, record?.tokens.idToken ?? '');

    assert.equal(response.status, 400);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it("answers 503, so the provider retries, when the provider's keys cannot be fetched", async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    // The sign-in fetched the keys of this instance; another instance has not fetched them yet.
    const other = await app.addInstance();
    let isJwksDown = true;
    app.provider.use(fault('/jwks', () => isJwksDown, answerWith(500, 'down')));

    const response = await postLogoutToken(other, await providerSigned(app));
    isJwksDown = false;

    assert.equal(response.status, 503);
    assert.equal((await jar.fetch(`${app.baseUrl}/resource`)).status, 200);
  });

  it('answers 400, not a retryable 5xx, to an oversized request', async (t) => {
    const app = await startTestApp(t);

    const response = await postLogoutToken(app.baseUrl, 'x'.repeat(20_000));

    assert.equal(response.status, 400);
    assert.equal(
      response.headers.get('cache-control'),
      'no-store',
      'refused before the handler too',
    );
  });

  it('answers 400 when logout_token is missing', async (t) => {
    const app = await startTestApp(t);

    const response = await fetch(`${app.baseUrl}/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({}),
    });

    assert.equal(response.status, 400);
  });
});
