import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devClient } from '../../src/config/load-config.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider, signOutThroughProvider } from '../support/dev-login.ts';
import { readSession } from '../support/read-session.ts';
import { testSessionSecret } from '../support/run-app.ts';
import { startTestApp } from '../support/test-app.ts';

interface Seen {
  url: string;
  text: string;
}

/** A browser that keeps every answer of the app (status line, headers, body) for scanning. */
class RecordingJar extends CookieJar {
  readonly seen: Seen[] = [];
  readonly #appOrigin: string;
  constructor(appOrigin: string) {
    super();
    this.#appOrigin = appOrigin;
  }
  override async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const response = await super.fetch(url, init);
    if (new URL(url).origin === this.#appOrigin) {
      const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
      this.seen.push({
        url: String(url),
        text: `${response.status}\n${headers}\n${await response.clone().text()}`,
      });
    }
    return response;
  }
}

describe('no secret leaves the server', () => {
  it('shows no token, code, PKCE verifier, client secret or session secret in any response or log line', async (t) => {
    const app = await startTestApp(t);
    const jar = new RecordingJar(app.baseUrl);
    const codes: string[] = [];
    const start = await signInThroughProvider(`${app.baseUrl}/login?returnTo=/resource`, jar, {
      stopAt: `${app.baseUrl}/callback`,
    });
    const callbackUrl = start.headers.get('location') ?? '';
    codes.push(new URL(callbackUrl).searchParams.get('code') ?? '');
    const pending = (await readSession(app.backend, app.sessionIdOf(jar)))?.pendingLogins ?? {};
    const verifier = Object.values(pending)[0]?.codeVerifier;
    await jar.fetch(callbackUrl);
    const sessionId = app.sessionIdOf(jar);
    const first = await app.backend.tokens.get(sessionId);

    for (const path of [
      '/',
      '/resource',
      '/flow',
      '/no-such-page',
      '/healthz',
      '/readyz',
      '/login?returnTo=//evil.example',
    ]) {
      await jar.fetch(`${app.baseUrl}${path}`);
    }
    await jar.fetch(callbackUrl);
    await jar.fetch(`${app.baseUrl}/callback?code=${codes[0]}&state=forged`);
    app.advanceClock(10 * 60 * 1000);
    await jar.fetch(`${app.baseUrl}/resource`);
    await jar.fetch(`${app.baseUrl}/flow`);
    const second = await app.backend.tokens.get(sessionId);
    await jar.fetch(`${app.baseUrl}/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: first?.tokens.accessToken ?? '' }),
    });
    await app.postLogout(jar, { csrf: 'wrong' });
    // The pages after the sign-out: the notice, and /flow with the sign-out steps.
    const { logout } = await signOutThroughProvider(app, jar);
    await jar.fetch(`${app.baseUrl}/flow`);

    const secrets = {
      code: codes[0],
      'PKCE code verifier': verifier,
      'first access token': first?.tokens.accessToken,
      'first refresh token': first?.tokens.refreshToken,
      'refreshed access token': second?.tokens.accessToken,
      'refreshed refresh token': second?.tokens.refreshToken,
      'client secret': devClient.secret,
      'session secret': testSessionSecret,
    };
    // A refresh may bring a new ID token: the latest one is the logout hint.
    const idTokens = [first?.tokens.idToken ?? '', second?.tokens.idToken ?? ''];
    const logoutLocation = logout.headers.get('location') ?? '';
    assert.equal(second?.version, 2, 'the tokens were refreshed during the test');
    assert.ok(jar.seen.length >= 17);
    assert.ok(
      jar.seen.some(({ url, text }) => url.endsWith('/flow') && text.includes('You signed out')),
      '/flow after the sign-out was scanned',
    );
    assert.ok(
      jar.seen.some(
        ({ text }) => text.includes('ID token checks') && text.includes('Token refresh'),
      ),
      'the signed-in /flow with its decoded tokens was scanned',
    );
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(value && value.length >= 20, `${name} is known`);
      for (const { url, text } of jar.seen)
        assert.ok(!text.includes(value), `${name} appears in the answer to ${url}`);
      for (const line of app.logs)
        assert.ok(!line.includes(value), `${name} appears in the log: ${line.slice(0, 200)}`);
    }
    // The only place an ID token may travel: the id_token_hint of the provider's end-session URL.
    assert.equal(new URL(logoutLocation).searchParams.get('id_token_hint'), idTokens[1]);
    for (const idToken of idTokens) {
      assert.ok(idToken.length >= 20, 'the ID token is known');
      for (const { url, text } of jar.seen) {
        if (url.endsWith('/logout') && text.startsWith('303')) continue;
        assert.ok(!text.includes(idToken), `an ID token appears in the answer to ${url}`);
      }
      for (const line of app.logs)
        assert.ok(!line.includes(idToken), 'an ID token appears in the log');
    }
  });
});
