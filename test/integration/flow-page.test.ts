// What GET /flow shows a signed-in user, and what it shows after a sign-out: every exchange in
// order, from discovery to the refresh and its reason, the ID token's checks and claims.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Configuration } from 'oidc-provider';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider, signOutThroughProvider } from '../support/dev-login.ts';
import { startProviderApp } from '../support/provider-app.ts';
import { recordedSteps } from '../support/read-session.ts';
import { startStandInApi } from '../support/stand-in-api.ts';
import { startTestApp } from '../support/test-app.ts';

// Past the dev provider's five-minute access tokens.
const tenMinutes = 10 * 60 * 1000;

/** The step titles of a /flow page, in order. */
function stepTitles(html: string): string[] {
  return [...html.matchAll(/class="step-card__title">([^<]*)</g)].map((match) => match[1] ?? '');
}

/** The text of an element with this class (the first one), tags and extra spaces removed. */
function textOf(html: string, className: string): string {
  const start = html.indexOf(`class="${className}"`);
  assert.ok(start !== -1, `the page has a ${className}`);
  const end = html.indexOf('</dl>', start);
  return html
    .slice(start, end === -1 ? undefined : end)
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ');
}

describe('GET /flow', () => {
  it('lists discovery, the sign-in, the key-set fetch, the ID token checks with a verified signature, both API calls and the refresh with its reason and rotation', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    await jar.fetch(`${app.baseUrl}/resource`);
    app.advanceClock(tenMinutes);
    await jar.fetch(`${app.baseUrl}/resource`);

    const response = await jar.fetch(`${app.baseUrl}/flow`);
    const html = await response.text();

    assert.equal(response.status, 200);
    assert.deepEqual(stepTitles(html), [
      'Discovery: the provider’s metadata',
      'Authorization request',
      'Callback: the authorization response',
      'Code exchange: authorization code + PKCE verifier',
      'The provider’s key set (jwks_uri)',
      'API call with the access token',
      'Token refresh',
      'API call with the access token',
    ]);
    assert.match(html, /code_challenge_methods_supported/);
    assert.match(html, /302 Found/, "the browser's 302 as the authorization request's answer");
    const checks = [
      ...html.matchAll(/class="check check--(\w+)">[\s\S]*?<code class="check__name">(\w+)</g),
    ];
    assert.deepEqual(
      checks.map(([, result, name]) => `${name} ${result}`),
      ['signature ok', 'alg ok', 'iss ok', 'aud ok', 'azp ok', 'exp ok', 'iat ok', 'nonce ok'],
    );
    assert.match(
      html,
      /alg RS256, kid [\w-]+[\s\S]*?verified against the provider(’|'|&#39;)s key set \(jwks_uri\)/,
    );
    assert.match(html, /Bearer JWT, \d+ characters \(redacted\)/);
    assert.match(
      textOf(html, 'step-facts'),
      /Why The access token had expired, at \d\d:\d\d:\d\d UTC/,
    );
    assert.match(
      textOf(html, 'step-facts'),
      /Rotated: refresh token #[0-9a-f]{8} was replaced by #[0-9a-f]{8}/,
    );
    const idToken = textOf(html, 'claims');
    assert.match(idToken, /alg RS256 The signature algorithm/);
    assert.match(html, /<code>sub<\/code><\/dt>\s*<dd>\s*<span class="claims__value">alice</);
    assert.match(
      html,
      /<code>email<\/code><\/dt>\s*<dd>\s*<span class="claims__value">alice@example.test</,
    );
    assert.match(html, /<code>offline_access<\/code>[\s\S]*?refresh token/);
  });

  it("carries only the sign-in's start into the new session, not what the browser's earlier user did meanwhile", async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    // A sign-in starts in a signed-in browser; its user calls the API before anyone finishes it.
    const login = await jar.fetch(`${app.baseUrl}/login`, { redirect: 'manual' });
    await jar.fetch(`${app.baseUrl}/resource`);
    await signInThroughProvider(login.headers.get('location') ?? '', jar);

    const html = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    assert.deepEqual(stepTitles(html), [
      'Discovery: the provider’s metadata',
      'Authorization request',
      'Callback: the authorization response',
      'Code exchange: authorization code + PKCE verifier',
    ]);
  });

  it('shows the sign-in that finished, not the start of another tab, and checks the nonce against its own', async (t) => {
    const app = await startTestApp(t);
    const jar = new CookieJar();
    const firstTab = await jar.fetch(`${app.baseUrl}/login`, { redirect: 'manual' });
    await jar.fetch(`${app.baseUrl}/login`, { redirect: 'manual' });
    await signInThroughProvider(firstTab.headers.get('location') ?? '', jar);

    const html = await (await jar.fetch(`${app.baseUrl}/flow`)).text();
    const checks = [
      ...html.matchAll(/class="check check--(\w+)">[\s\S]*?<code class="check__name">(\w+)</g),
    ];

    assert.deepEqual(stepTitles(html).slice(1, 3), [
      'Authorization request',
      'Callback: the authorization response',
    ]);
    assert.ok(
      checks.some(([, result, name]) => name === 'nonce' && result === 'ok'),
      'nonce ok',
    );
  });

  it('keeps an API call with a good token out of the session, and shows it all the same', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();
    const before = await recordedSteps(app, jar);

    await jar.fetch(`${app.baseUrl}/resource`);
    const after = await recordedSteps(app, jar);
    const html = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    assert.deepEqual(after, before, 'the session was not written');
    assert.equal(stepTitles(html).at(-1), 'API call with the access token');
  });

  it('gives a 401 from the API as the reason of the refresh that followed it', async (t) => {
    // Refuses the first call's token and answers every later one.
    const api = await startStandInApi(t, [
      { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
      { status: 200, body: { ok: true } },
    ]);
    const app = await startTestApp(t, { resourceUrl: async () => api.url });
    const jar = await app.signIn();

    await jar.fetch(`${app.baseUrl}/resource`);
    const html = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    assert.deepEqual(stepTitles(html).slice(-3), [
      'API call with the access token',
      'Token refresh',
      'API call with the access token',
    ]);
    assert.match(textOf(html, 'step-facts'), /Why The API refused the access token \(HTTP 401\)/);
  });
});

describe('GET /flow and the home page after POST /logout', () => {
  it('says the refresh token was revoked and the provider session ended, and keeps the sign-out steps', async (t) => {
    const app = await startTestApp(t);
    const jar = await app.signIn();

    const { back: home } = await signOutThroughProvider(app, jar);
    const homeHtml = await home.text();
    const flow = await jar.fetch(`${app.baseUrl}/flow`);
    const flowHtml = await flow.text();

    assert.equal(home.url, `${app.baseUrl}/`);
    assert.match(
      homeHtml,
      /You are signed out: your refresh token was revoked at the provider; you were sent to the provider&#39;s end-session page/,
    );
    assert.equal(flow.status, 200);
    assert.deepEqual(stepTitles(flowHtml), [
      'Discovery: the provider’s metadata',
      'Sign-out: token revocation',
      'Sign-out at the provider',
    ]);
    assert.match(flowHtml, /You signed out at/);
    assert.match(textOf(flowHtml, 'flow-outcome'), /Refresh token: revoked at the provider/);
    assert.match(flowHtml, /303 See Other/);
    assert.match(flowHtml, /id_token_hint[\s\S]*?JWT, \d+ characters \(redacted\)/);
  });

  it('says there was nothing to revoke and no provider session to end when the provider offers neither', async (t) => {
    const withoutLogoutFeatures = (configuration: Configuration): Configuration => ({
      ...configuration,
      features: {
        ...configuration.features,
        revocation: { enabled: false },
        rpInitiatedLogout: { enabled: false },
      },
    });
    const app = await startProviderApp(t, { adjustConfiguration: withoutLogoutFeatures });
    const jar = await app.signIn();
    const csrf = await app.csrfTokenOf(jar);

    const logout = await app.postLogout(jar, { csrf });
    const home = await jar.fetch(`${app.baseUrl}/`);
    const homeHtml = await home.text();
    const flowHtml = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    assert.equal(logout.headers.get('location'), '/');
    assert.match(
      homeHtml,
      /You are signed out: (the provider has no revocation endpoint|no refresh token had been issued)/,
    );
    assert.match(homeHtml, /the provider offers no end-session endpoint/);
    assert.match(textOf(flowHtml, 'flow-outcome'), /Provider session: not ended/);
  });

  it('sends a browser that never signed in to sign in', async (t) => {
    const app = await startTestApp(t);

    const response = await fetch(`${app.baseUrl}/flow`, { redirect: 'manual' });

    assert.equal(response.status, 302);
    assert.match(response.headers.get('location') ?? '', /^\/login\?returnTo=%2Fflow/);
  });
});
