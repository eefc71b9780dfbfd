import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CookieJar } from '../support/cookie-jar.ts';
import { followRedirects } from '../support/dev-login.ts';
import {
  type GitHubLikeProvider,
  gitHubEnv,
  octocat,
  startGitHubLikeProvider,
} from '../support/github-like-provider.ts';
import { type RunningApp, runApp } from '../support/run-app.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('plain OAuth 2.0 sign-in (a GitHub-like provider)', () => {
  it('signs in and lands on the home page as the user the user endpoint names', async (t) => {
    const { app, jar, home } = await signInWithGitHub(t);

    const page = await home.text();

    assert.equal(home.status, 200);
    assert.equal(home.url, `${app.baseUrl}/`);
    assert.ok(page.includes(`Hello, ${octocat.name}`), 'the page greets the user by name');
    assert.ok(page.includes(octocat.email), 'the page shows the email');
    assert.match(jar.header(app.baseUrl) ?? '', /oer\.sid=/);
  });

  it('asks the token endpoint for JSON, with Basic client credentials and the PKCE verifier', async (t) => {
    const { github } = await signInWithGitHub(t);

    const [exchange] = requestsTo(github, '/login/oauth/access_token');

    assert.equal(exchange?.headers.accept, 'application/json');
    assert.match(exchange?.headers.authorization ?? '', /^Basic /);
    assert.equal(exchange?.form?.get('grant_type'), 'authorization_code');
    assert.match(exchange?.form?.get('code_verifier') ?? '', /^[\w-]{43}$/);
  });

  it('calls the user endpoint with a User-Agent, which GitHub requires', async (t) => {
    const { github } = await signInWithGitHub(t);

    const [userCall] = requestsTo(github, '/user');

    assert.ok(userCall?.headers['user-agent'], 'the user endpoint received a User-Agent');
    assert.match(userCall?.headers.authorization ?? '', /^Bearer gho_/);
  });

  it('shows the protected API answer on /resource', async (t) => {
    const { app, jar } = await signInWithGitHub(t);

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();

    assert.equal(response.status, 200);
    assert.match(page, /&#34;login&#34;: &#34;octocat&#34;/);
    assert.match(page, /read:user/);
  });

  it('signs out without revocation or end-session endpoints, back to a signed-out home page', async (t) => {
    const { app, jar } = await signInWithGitHub(t);
    const csrf = await app.csrfTokenOf(jar);

    const logout = await app.postLogout(jar, { csrf });
    const home = await jar.fetch(`${app.baseUrl}/`);
    const resource = await jar.fetch(`${app.baseUrl}/resource`);

    assert.equal(logout.status, 303);
    assert.equal(logout.headers.get('location'), '/');
    assert.doesNotMatch(await home.text(), /Hello,/);
    assert.equal(resource.status, 302);
    assert.match(resource.headers.get('location') ?? '', /^\/login/);
  });

  it('shows /flow with no discovery and no ID token: the code exchange, the user endpoint, the API call', async (t) => {
    const { app, jar } = await signInWithGitHub(t);
    await jar.fetch(`${app.baseUrl}/resource`);

    const response = await jar.fetch(`${app.baseUrl}/flow`);
    const page = await response.text();
    const titles = [...page.matchAll(/class="step-card__title">([^<]*)</g)].map(
      (match) => match[1],
    );

    assert.equal(response.status, 200);
    assert.deepEqual(titles, [
      'Authorization request',
      'Callback: the authorization response',
      'Code exchange: authorization code + PKCE verifier',
      'User endpoint (plain OAuth 2.0)',
      'API call with the access token',
    ]);
    assert.doesNotMatch(page, /class="check check--/, 'no ID token, no checks');
    assert.match(page, /Opaque: not a JWT/);
  });

  it('when the code was already used or expired (200 + error=bad_verification_code) then the callback says so with a 400 page, without secrets', async (t) => {
    const { github, app } = await startWithGitHub(t);
    const jar = new CookieJar();
    const stopAt = `${app.baseUrl}/callback`;
    const toCallback = await followRedirects(`${app.baseUrl}/login`, jar, {}, { stopAt });
    const callbackUrl = new URL(toCallback.headers.get('location') ?? '');
    const code = callbackUrl.searchParams.get('code') ?? '';
    github.expireCodes();

    const callback = await jar.fetch(callbackUrl);
    const page = await callback.text();
    const home = await jar.fetch(`${app.baseUrl}/`);

    assert.equal(callback.status, 400);
    assert.match(page, /Sign-in could not be completed/);
    assert.match(page, /already used or has expired/);
    assert.ok(app.logs.some((line) => line.includes('"code":"code_rejected"')));
    assert.equal(
      requestsTo(github, '/login/oauth/access_token')[0]?.form?.get('code'),
      code,
      'the code went to the token endpoint, so the page and the log could have shown it',
    );
    // The refused code got no token, so the `gho_` entry below cannot fail here by itself (kept for
    // a provider that would answer with one); the code, which the token endpoint did receive, can.
    assert.deepEqual(requestsTo(github, '/user'), [], 'no token was issued, so none was used');
    for (const secret of [github.clientSecret, code, 'gho_']) {
      assert.ok(!page.includes(secret), 'no secret, code or token on the error page');
      assert.ok(!app.logs.join('\n').includes(secret), 'no secret, code or token in the log');
    }
    assert.doesNotMatch(page, /bad_verification_code|incorrect or expired/);
    assert.doesNotMatch(await home.text(), /Hello,/);
  });

  it('when the refresh token was revoked at the provider (200 + bad_refresh_token) then the user is asked to sign in again', async (t) => {
    const { github, app, jar } = await signInWithGitHub(t, { hasExpiringTokens: true });
    github.revokeAllTokens();
    app.advanceClock((8 * 60 * 60 - 30) * 1000);

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const home = await jar.fetch(`${app.baseUrl}/`);

    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/login?returnTo=%2Fresource');
    const page = await home.text();
    assert.doesNotMatch(page, /Hello,/);
    assert.match(page, /sign-in had expired/);
  });

  it('refreshes an expiring token (a GitHub App) before calling the API once it is about to expire', async (t) => {
    const { github, app, jar } = await signInWithGitHub(t, { hasExpiringTokens: true });

    app.advanceClock((8 * 60 * 60 - 30) * 1000);
    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const refreshes = requestsTo(github, '/login/oauth/access_token').filter(
      (request) => request.form?.get('grant_type') === 'refresh_token',
    );

    assert.equal(response.status, 200);
    assert.match(await response.text(), /&#34;login&#34;: &#34;octocat&#34;/);
    assert.equal(refreshes.length, 1);
    assert.match(refreshes[0]?.form?.get('refresh_token') ?? '', /^ghr_/);
  });
});

function requestsTo(github: GitHubLikeProvider, pathname: string) {
  return github.requests.filter((request) => request.path === pathname);
}

interface GitHubOptions {
  /** A GitHub App with expiring user tokens (8 hours) and refresh tokens. */
  hasExpiringTokens?: boolean;
}

/** The GitHub-like provider and the app configured for it, on port 0; closed after the test. */
async function startWithGitHub(
  t: TestContext,
  { hasExpiringTokens = false }: GitHubOptions = {},
): Promise<{ github: GitHubLikeProvider; app: RunningApp }> {
  const github = await startGitHubLikeProvider(t, { hasExpiringTokens });
  const dataDir = await tempDir(t, 'oer-oauth2-');
  // An expiring token lives 8 hours: the session must outlive it for the refresh to matter.
  const env: Record<string, string> = hasExpiringTokens
    ? { SESSION_IDLE_TIMEOUT_SECONDS: '28800' }
    : {};
  const app = await runApp(
    { ...gitHubEnv(github), ...env },
    { dataDir, onClose: (close) => t.after(close) },
  );
  return { github, app };
}

/** Starts both and signs in a new browser through the real redirects (GitHub approves at once). */
async function signInWithGitHub(t: TestContext, options: GitHubOptions = {}) {
  const { github, app } = await startWithGitHub(t, options);
  const jar = new CookieJar();
  const home = await followRedirects(`${app.baseUrl}/login`, jar);
  return { github, app, jar, home };
}
