// The home page's session card says what is true once the access token has expired: the session is
// still signed in, and the next API call renews the token (or, without a refresh token, asks for a
// new sign-in). The scope row says where each requested scope went.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CookieJar } from '../support/cookie-jar.ts';
import { startProviderApp } from '../support/provider-app.ts';
import type { RunningApp } from '../support/run-app.ts';
import { startTestApp } from '../support/test-app.ts';

/** Moves the app's clock to `seconds` after this browser's access token expired. */
async function expireAccessToken(app: RunningApp, jar: CookieJar, seconds: number): Promise<void> {
  const record = await app.backend.tokens.get(app.sessionIdOf(jar));
  const expiresAt = record?.tokens.expiresAt ?? assert.fail('the provider reported no expiry');
  app.advanceClock(expiresAt - Date.now() + seconds * 1000);
}

function sessionCard(page: string): string {
  return (
    /<section class="card" aria-labelledby="session-title">([\s\S]*?)<\/section>/.exec(page)?.[1] ??
    assert.fail('no session card')
  );
}

/** A row's text with the markup and extra spaces taken out. */
function rowText(card: string, term: string): string {
  const row = new RegExp(`<dt>${term}</dt>\\s*<dd>([\\s\\S]*?)</dd>\\s*</div>`).exec(card)?.[1];
  return (row ?? assert.fail(`no ${term} row`))
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('GET / once the access token has expired', () => {
  it('keeps the session Active and says the token is renewed on the next API call', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    await expireAccessToken(app, jar, 42);

    const card = sessionCard(await (await jar.fetch(`${app.baseUrl}/`)).text());

    assert.match(card, /badge--success">Active</);
    assert.doesNotMatch(card, /Expired/);
    assert.match(
      rowText(card, 'Access token'),
      /^expired 4[1-3] s ago, renewed on the next API call /,
    );
    assert.match(card, /data-after-expiry="renewed on the next API call"/);
  });

  it('without a refresh token, says the next API call asks for a new sign-in, which it does', async (t) => {
    const app = await startProviderApp(t);
    const jar = await app.signIn();
    await expireAccessToken(app, jar, 5);

    const card = sessionCard(await (await jar.fetch(`${app.baseUrl}/`)).text());
    const apiCall = await jar.fetch(`${app.baseUrl}/resource`);

    assert.match(card, /badge--success">Active</);
    assert.match(
      rowText(card, 'Access token'),
      /^expired [4-6] s ago, so the next API call sends you to sign in again /,
    );
    assert.equal(apiCall.status, 302);
    assert.equal(apiCall.headers.get('location'), '/login?returnTo=%2Fresource');
  });
});

describe('GET / scope row', () => {
  it('shows the scopes of the access token and where the other requested scopes went', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const card = sessionCard(await (await jar.fetch(`${app.baseUrl}/`)).text());

    assert.equal(
      rowText(card, 'Scope'),
      'api:read In the access token, for the API. openid profile email → the ID token and UserInfo offline_access → the refresh token',
    );
  });

  it('says when offline_access brought no refresh token', async (t) => {
    const app = await startProviderApp(t);
    const jar = await app.signIn();

    const card = sessionCard(await (await jar.fetch(`${app.baseUrl}/`)).text());

    assert.match(rowText(card, 'Scope'), /offline_access → no refresh token was issued$/);
  });
});
