import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CookieJar } from '../support/cookie-jar.ts';
import { followRedirects } from '../support/dev-login.ts';
import {
  type GitHubLikeProvider,
  octocat,
  startGitHubLikeProvider,
} from '../support/github-like-provider.ts';
import { type RunningApp, runApp } from '../support/run-app.ts';
import { tempDir } from '../support/temp-dir.ts';

describe('plain OAuth 2.0 sign-in (a GitHub-like provider)', () => {
  it('signs in and lands on the home page as the user the user endpoint names', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const app = await startOAuth2App(t, gitHubEnv(github));
    const jar = new CookieJar();

    const home = await followRedirects(`${app.baseUrl}/login`, jar);
    const page = await home.text();

    assert.equal(home.status, 200);
    assert.equal(home.url, `${app.baseUrl}/`);
    assert.ok(page.includes(`Hello, ${octocat.name}`), 'the page greets the user by name');
    assert.ok(page.includes(octocat.email), 'the page shows the email');
    assert.match(jar.header(app.baseUrl) ?? '', /oer\.sid=/);
  });

  it('asks the token endpoint for JSON, with Basic client credentials and the PKCE verifier', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const app = await startOAuth2App(t, gitHubEnv(github));

    await followRedirects(`${app.baseUrl}/login`, new CookieJar());
    const [exchange] = requestsTo(github, '/login/oauth/access_token');

    assert.equal(exchange?.headers.accept, 'application/json');
    assert.match(exchange?.headers.authorization ?? '', /^Basic /);
    assert.equal(exchange?.form?.get('grant_type'), 'authorization_code');
    assert.match(exchange?.form?.get('code_verifier') ?? '', /^[\w-]{43}$/);
  });

  it('calls the user endpoint with a User-Agent, which GitHub requires', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const app = await startOAuth2App(t, gitHubEnv(github));

    await followRedirects(`${app.baseUrl}/login`, new CookieJar());
    const [userCall] = requestsTo(github, '/user');

    assert.ok(userCall?.headers['user-agent'], 'the user endpoint received a User-Agent');
    assert.match(userCall?.headers.authorization ?? '', /^Bearer gho_/);
  });

  it('shows the protected API answer on /resource', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const app = await startOAuth2App(t, gitHubEnv(github));
    const jar = new CookieJar();
    await followRedirects(`${app.baseUrl}/login`, jar);

    const response = await jar.fetch(`${app.baseUrl}/resource`);
    const page = await response.text();

    assert.equal(response.status, 200);
    assert.match(page, /&#34;login&#34;: &#34;octocat&#34;/);
    assert.match(page, /read:user/);
  });

  it('signs out without revocation or end-session endpoints, back to a signed-out home page', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const app = await startOAuth2App(t, gitHubEnv(github));
    const jar = new CookieJar();
    await followRedirects(`${app.baseUrl}/login`, jar);
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

  it('when the token endpoint answers 200 with error=bad_verification_code then the callback shows an error page without secrets', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const app = await startOAuth2App(t, gitHubEnv(github));
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
    for (const secret of [github.clientSecret, code, 'gho_']) {
      assert.ok(!page.includes(secret), 'no secret, code or token on the error page');
      assert.ok(!app.logs.join('\n').includes(secret), 'no secret, code or token in the log');
    }
    assert.doesNotMatch(page, /bad_verification_code|incorrect or expired/);
    assert.doesNotMatch(await home.text(), /Hello,/);
  });

  it('when the code was already used or expired (200 + bad_verification_code) then the callback says so with a 400', async (t) => {
    const github = await startGitHubLikeProvider(t);
    const app = await startOAuth2App(t, gitHubEnv(github));
    const jar = new CookieJar();
    const stopAt = `${app.baseUrl}/callback`;
    const toCallback = await followRedirects(`${app.baseUrl}/login`, jar, {}, { stopAt });
    github.expireCodes();

    const callback = await jar.fetch(toCallback.headers.get('location') ?? '');
    const page = await callback.text();

    assert.equal(callback.status, 400);
    assert.match(page, /already used or has expired/);
    assert.ok(app.logs.some((line) => line.includes('"code":"code_rejected"')));
  });

  it('when the refresh token was revoked at the provider (200 + bad_refresh_token) then the user is asked to sign in again', async (t) => {
    const github = await startGitHubLikeProvider(t, { hasExpiringTokens: true });
    const app = await startOAuth2App(t, {
      ...gitHubEnv(github),
      SESSION_IDLE_TIMEOUT_SECONDS: '28800',
    });
    const jar = new CookieJar();
    await followRedirects(`${app.baseUrl}/login`, jar);
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
    const github = await startGitHubLikeProvider(t, { hasExpiringTokens: true });
    const app = await startOAuth2App(t, {
      ...gitHubEnv(github),
      SESSION_IDLE_TIMEOUT_SECONDS: '28800',
    });
    const jar = new CookieJar();
    await followRedirects(`${app.baseUrl}/login`, jar);

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

/** What a GitHub OAuth app needs: its endpoints, credentials and scopes (no OIDC_ISSUER). */
function gitHubEnv(github: GitHubLikeProvider): Record<string, string> {
  return {
    OAUTH_AUTHORIZATION_ENDPOINT: `${github.url}/login/oauth/authorize`,
    OAUTH_TOKEN_ENDPOINT: `${github.url}/login/oauth/access_token`,
    OAUTH_USERINFO_ENDPOINT: `${github.url}/user`,
    OIDC_CLIENT_ID: github.clientId,
    OIDC_CLIENT_SECRET: github.clientSecret,
    OIDC_SCOPES: 'read:user user:email',
    OIDC_ALLOW_INSECURE_HTTP: 'true',
    RESOURCE_URL: `${github.url}/api/me`,
  };
}

function requestsTo(github: GitHubLikeProvider, pathname: string) {
  return github.requests.filter((request) => request.path === pathname);
}

/** The app on port 0 against the provider `env` names; closed and deleted after the test. */
async function startOAuth2App(t: TestContext, env: Record<string, string>): Promise<RunningApp> {
  const dataDir = await tempDir(t, 'oer-oauth2-');
  return runApp(env, { dataDir, onClose: (close) => t.after(close) });
}
