// The ID token's signature, verified at every sign-in though OIDC Core §3.1.3.7 (6) lets a client
// skip it (docs/decisions/013): with the provider's key set, or the client secret for HS256.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Middleware } from 'koa';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { startProviderApp } from '../support/provider-app.ts';
import { always, answerWith, fault } from '../support/provider-faults.ts';
import { forgeWithProviderKid } from '../support/sign-with-provider-key.ts';
import { startTestApp } from '../support/test-app.ts';

// Past the dev provider's five-minute access tokens.
const tenMinutes = 10 * 60 * 1000;

/** A token endpoint answer whose ID token is re-signed by `resign` (same claims) while `isOn()`. */
function resignIdToken(
  isOn: () => boolean,
  resign: (token: string) => Promise<string>,
): Middleware {
  return async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (isOn() && ctx.path === '/token' && typeof body?.id_token === 'string') {
      ctx.body = { ...body, id_token: await resign(body.id_token) };
    }
  };
}

describe('the ID token signature, at sign-in and refresh', () => {
  it('refuses an ID token re-signed with a foreign key with a 502 page, and signs nobody in', async (t) => {
    const app = await startTestApp(t);
    app.provider.use(
      resignIdToken(always, (token) =>
        forgeWithProviderKid(app.providerKeysFile, decodeJwt(token)),
      ),
    );
    const jar = new CookieJar();

    const response = await signInThroughProvider(`${app.baseUrl}/login`, jar);
    const page = await response.text();
    const home = await (await jar.fetch(`${app.baseUrl}/`)).text();

    assert.equal(response.status, 502);
    assert.match(page, /ID token whose signature does not verify/);
    assert.doesNotMatch(page, /at .*\.ts:\d+/, 'no stack trace');
    assert.doesNotMatch(home, /Sign out/, 'nobody is signed in');
    assert.equal(await app.backend.tokens.get(app.sessionIdOf(jar)), undefined);
    const logged = app.logs.find((line) => line.includes('"id_token_invalid"'));
    assert.match(logged ?? '', /signature verification failed/, 'the reason is logged');
  });

  it('refuses a refresh whose new ID token is re-signed with a foreign key, and keeps the old tokens', async (t) => {
    const app = await startTestApp(t);
    let isForging = false;
    app.provider.use(
      resignIdToken(
        () => isForging,
        (token) => forgeWithProviderKid(app.providerKeysFile, decodeJwt(token)),
      ),
    );
    const jar = await app.signIn();
    const before = await app.backend.tokens.get(app.sessionIdOf(jar));

    isForging = true;
    app.advanceClock(tenMinutes);
    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const after = await app.backend.tokens.get(app.sessionIdOf(jar));

    assert.equal(app.grants.refresh_token, 1, 'the provider answered the refresh');
    assert.equal(response.status, 502);
    assert.equal(after?.tokens.idToken, before?.tokens.idToken, 'the forged ID token is not kept');
  });

  it('answers 503 when the provider’s key set cannot be fetched, and signs nobody in', async (t) => {
    const app = await startTestApp(t);
    app.provider.use(fault('/jwks', always, answerWith(500, 'down')));
    const jar = new CookieJar();

    const response = await signInThroughProvider(`${app.baseUrl}/login`, jar);
    const page = await response.text();

    assert.equal(response.status, 503);
    assert.match(page, /signing keys cannot be fetched/);
    assert.equal(await app.backend.tokens.get(app.sessionIdOf(jar)), undefined);
  });

  it('fetches the key set once for two sign-ins', async (t) => {
    const app = await startTestApp(t);
    let fetches = 0;
    app.provider.use(async (ctx, next) => {
      if (ctx.path === '/jwks') fetches += 1;
      await next();
    });

    await app.signIn('alice');
    await app.signIn('bob');

    assert.equal(fetches, 1);
  });

  it('accepts an HS256 ID token signed with the client secret, and says so on /flow', async (t) => {
    const app = await startProviderApp(t, {
      adjustConfiguration: (configuration) => ({
        ...configuration,
        enabledJWA: { idTokenSigningAlgValues: ['RS256', 'HS256'] },
        clients: (configuration.clients ?? []).map((client) => ({
          ...client,
          id_token_signed_response_alg: 'HS256',
        })),
      }),
    });

    const jar = await app.signIn();
    const record = await app.backend.tokens.get(app.sessionIdOf(jar));
    const html = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    assert.equal(decodeProtectedHeader(record?.tokens.idToken ?? '').alg, 'HS256');
    assert.match(html, /alg HS256[\s\S]*?verified with the client secret/);
    assert.doesNotMatch(html, /The provider’s key set \(jwks_uri\)/, 'no key set was needed');
  });
});
