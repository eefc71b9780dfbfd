// The dev provider and the demo API as real servers on 127.0.0.1, driven through the browser
// redirects with openid-client as the relying party, the way the app uses them.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { decodeJwt, decodeProtectedHeader, type JWK, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import { closeServer, listenServer, portOf } from '../../src/dev/listen-server.ts';
import { startDemoApi } from '../../src/dev/start-demo-api.ts';
import { startDevProvider } from '../../src/dev/start-dev-provider.ts';
import { startDevServices } from '../../src/dev/start-dev-services.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import {
  confirmLogoutAtProvider,
  followRedirects,
  readFormOf,
  signInThroughProvider,
} from '../support/dev-login.ts';
import { refusedOrigin } from '../support/local-server.ts';
import { forgeWithProviderKid, signWithProviderKey } from '../support/sign-with-provider-key.ts';
import { tempDir } from '../support/temp-dir.ts';

const CLIENT_ID = 'test-app';
const CLIENT_SECRET = 'test-app-secret';
// What the app asks for by default (OIDC_SCOPES): no API scope.
const APP_SCOPES = 'openid profile email offline_access';

describe('dev provider', () => {
  it('issues a JWT access token for the demo API from a code exchange without resource', async (t) => {
    const stack = await startStack(t);

    const { tokens } = await signIn(stack);
    const answer = await callApi(stack, tokens.access_token);

    assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
    assert.equal(decodeJwt(tokens.access_token).aud, stack.apiUrl);
    assert.ok(tokens.refresh_token, 'a refresh token is issued for offline_access');
    assert.equal(tokens.claims()?.name, 'Alice');
    assert.equal(tokens.claims()?.email, 'alice@example.test');
    assert.equal(answer.status, 200);
    const body = await readJson<ApiAnswer>(answer);
    assert.equal(body.subject, 'alice');
    assert.equal(body.client, CLIENT_ID);
    assert.match(body.message, /Hello, alice/);
  });

  it('puts api:read in the access token when the client asks for it', async (t) => {
    const stack = await startStack(t);

    const { tokens } = await signIn(stack, { scope: `${APP_SCOPES} api:read` });
    const answer = await callApi(stack, tokens.access_token);

    assert.equal(decodeJwt(tokens.access_token).scope, 'api:read');
    assert.deepEqual((await readJson<ApiAnswer>(answer)).scopes, ['api:read']);
  });

  it('rotates the refresh token and refuses the old one afterwards', async (t) => {
    const stack = await startStack(t);
    const { tokens } = await signIn(stack);
    const firstRefreshToken = tokens.refresh_token ?? assert.fail('no refresh token');

    const refreshed = await client.refreshTokenGrant(stack.config, firstRefreshToken);
    const reuse = client.refreshTokenGrant(stack.config, firstRefreshToken);

    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, firstRefreshToken);
    assert.equal(decodeProtectedHeader(refreshed.access_token).typ, 'at+jwt');
    await assert.rejects(reuse, { error: 'invalid_grant' });
  });

  it('refuses a refresh token once it was revoked', async (t) => {
    const stack = await startStack(t);
    const { tokens } = await signIn(stack);
    const refreshToken = tokens.refresh_token ?? assert.fail('no refresh token');

    await client.tokenRevocation(stack.config, refreshToken);

    await assert.rejects(client.refreshTokenGrant(stack.config, refreshToken), {
      error: 'invalid_grant',
    });
  });

  it('asks whether to also sign out of the provider, says the app session already ended, and notifies the app back-channel', async (t) => {
    const stack = await startStack(t);
    const { tokens, jar } = await signIn(stack);
    const endSessionUrl = client.buildEndSessionUrl(stack.config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: `${stack.appUrl}/`,
      state: 'bye',
    });

    const page = await jar.fetch(endSessionUrl);
    const pageHtml = await page.clone().text();
    const done = await confirmLogoutAtProvider(endSessionUrl, jar, { stopAt: stack.appUrl });

    assert.match(pageHtml, /<h1[^>]*>Also sign out of the provider\?<\/h1>/);
    assert.match(pageHtml, /<strong>test-app<\/strong>: it has already ended its own session/);
    assert.match(pageHtml, /value="yes"[^>]*>Yes, sign out of the provider</);
    assert.match(pageHtml, />No, stay signed in at the provider</);
    assert.match(pageHtml, /name="xsrf"/);
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${stack.appUrl}/?state=bye`);
    assert.equal(stack.backchannelLogouts.length, 1);
    const logoutToken = decodeJwt(stack.backchannelLogouts[0] ?? '');
    assert.equal(logoutToken.sub, 'alice');
    assert.ok(logoutToken.sid, 'the logout token names the session');
  });

  it('renders its errors as a page with every value escaped', async (t) => {
    const stack = await startStack(t);

    const response = await fetch(`${stack.issuer}/auth?client_id=%3Cscript%3Ex&response_type=code`);
    const html = await response.text();

    assert.equal(response.status, 400);
    assert.match(html, /Development provider/);
    assert.doesNotMatch(html, /<script/);
  });

  it('keeps its signing key across restarts when given a keys file', async (t) => {
    const keysFile = await temporaryKeysFile(t);
    const options = { port: 0, clients: [], resourceAudience: 'http://127.0.0.1:1/', keysFile };

    const first = await startDevProvider(options);
    const firstKid = await signingKid(first.issuer);
    await first.close();
    const second = await startDevProvider(options);
    t.after(() => second.close());

    assert.equal(await signingKid(second.issuer), firstKid);
    assert.equal((await stat(keysFile)).mode & 0o777, 0o600);
  });
});

describe('dev provider sign-in and consent pages', () => {
  it('serves a sign-in page whose first form answers the login prompt, with a strict CSP', async (t) => {
    const stack = await startStack(t);

    const page = await followRedirects((await authorizationRequest(stack)).url, new CookieJar());
    const html = await page.clone().text();
    const form = (await readFormOf(page)) ?? assert.fail('no form');

    assert.match(form.action.pathname, /^\/interaction\/[\w-]+$/);
    assert.equal(form.fields.get('prompt'), 'login');
    assert.ok(form.fields.has('login') && form.fields.has('password'));
    assert.match(html, /Sign in to the development provider/);
    assert.match(html, /any username and password work/);
    assert.ok(html.includes(`href="${form.action.pathname}/abort"`), 'a Cancel link');
    assert.ok(html.includes(CLIENT_ID), 'names the client');
    assert.doesNotMatch(html, /<script|<style|\sstyle=|https:\/\//);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /form-action/, 'the POSTs redirect to the app, another origin');
    assert.equal(page.headers.get('cache-control'), 'no-store');
  });

  it('lists the requested scopes in plain words and escapes the login on the consent page', async (t) => {
    const stack = await startStack(t);
    const jar = new CookieJar();
    const loginPage = await followRedirects(
      (await authorizationRequest(stack, { scope: `${APP_SCOPES} api:read` })).url,
      jar,
    );
    const loginForm = (await readFormOf(loginPage)) ?? assert.fail('no form');
    loginForm.fields.set('login', '<img src=x>');

    const page = await followRedirects(loginForm.action, jar, {
      method: 'POST',
      body: loginForm.fields,
    });
    const html = await page.clone().text();

    assert.equal((await readFormOf(page))?.fields.get('prompt'), 'consent');
    assert.match(html, /Allow access\?/);
    for (const words of [
      'Your profile (name)',
      'Your email address',
      'Stay signed in (offline access)',
      'Read the demo API',
    ]) {
      assert.ok(html.includes(words), words);
    }
    assert.ok(html.includes('&lt;img src=x&gt;'));
    assert.ok(!html.includes('<img src=x>'));
  });

  it('shows the sign-in page again with a 400 when the username is empty', async (t) => {
    const stack = await startStack(t);
    const jar = new CookieJar();
    const form =
      (await readFormOf(await followRedirects((await authorizationRequest(stack)).url, jar))) ??
      assert.fail('no form');
    form.fields.set('login', '   ');

    const page = await jar.fetch(form.action, { method: 'POST', body: form.fields });

    assert.equal(page.status, 400);
    assert.match(await page.text(), /Enter a username/);
  });

  it('refuses a sign-in POST without the interaction cookie, as a cross-site form would send it', async (t) => {
    const stack = await startStack(t);
    const form =
      (await readFormOf(
        await followRedirects((await authorizationRequest(stack)).url, new CookieJar()),
      )) ?? assert.fail('no form');
    form.fields.set('login', 'mallory');

    const page = await fetch(form.action, {
      method: 'POST',
      body: form.fields,
      redirect: 'manual',
    });

    assert.equal(page.status, 400);
    assert.match(await page.text(), /invalid_request/);
  });

  it('sends error=access_denied to the client when the user cancels at the consent page', async (t) => {
    const stack = await startStack(t);

    const redirect = await signInThroughProvider(
      (await authorizationRequest(stack)).url,
      new CookieJar(),
      {
        consent: 'deny',
        stopAt: `${stack.appUrl}/callback`,
      },
    );
    const callback = new URL(redirect.headers.get('location') ?? assert.fail('no redirect'));

    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('error_description'), 'End-User aborted interaction');
  });

  it('completes a request with prompt=login consent and issues a refresh token', async (t) => {
    const stack = await startStack(t);

    const { tokens } = await signIn(stack, { prompt: 'login consent' });

    assert.ok(tokens.refresh_token);
    assert.equal(tokens.claims()?.sub, 'alice');
    assert.ok(tokens.claims()?.sid, 'the ID token names the session, for back-channel logout');
  });
});

describe('demo API', () => {
  it('answers 401 without an error code when no token is sent', async (t) => {
    const stack = await startStack(t);

    const response = await fetch(stack.resourceUrl);

    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="demo-api"');
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('answers 401 invalid_token for a garbage token', async (t) => {
    const stack = await startStack(t);

    const response = await callApi(stack, 'not-a-jwt');

    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal((await readJson<ApiError>(response)).error, 'invalid_token');
  });

  it('answers 401 invalid_token for an expired token', async (t) => {
    const stack = await startStack(t);
    const now = Math.floor(Date.now() / 1000);

    const response = await callApi(
      stack,
      await mintToken(stack, { iat: now - 600, exp: now - 300 }),
    );

    assert.equal(response.status, 401);
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /error_description="[^"]*expired"/,
    );
  });

  it('answers 401 invalid_token for a token meant for another audience', async (t) => {
    const stack = await startStack(t);

    const response = await callApi(stack, await mintToken(stack, { aud: 'http://127.0.0.1:1/' }));

    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /aud claim/);
  });

  it('answers 401 invalid_token for a token signed by another key', async (t) => {
    const stack = await startStack(t);

    const response = await callApi(
      stack,
      await forgeWithProviderKid(stack.keysFile, accessTokenClaims(stack), accessTokenHeader),
    );

    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /signature does not verify/);
  });

  it('answers 503 while the issuer cannot be reached to verify tokens', async (t) => {
    const issuer = await refusedOrigin();
    const api = await startDemoApi({ port: 0, issuer });
    t.after(() => api.close());

    const response = await fetch(api.resourceUrl, {
      headers: { authorization: 'Bearer abc.def.ghi' },
    });

    assert.equal(response.status, 503);
    assert.equal((await readJson<ApiError>(response)).error, 'temporarily_unavailable');
  });

  it('answers 404 for other paths and 200 at /healthz', async (t) => {
    const stack = await startStack(t);

    const missing = await fetch(new URL('/orders', stack.apiUrl));
    const health = await fetch(new URL('/healthz', stack.apiUrl));

    assert.equal(missing.status, 404);
    assert.equal((await readJson<ApiError>(missing)).error, 'not_found');
    assert.equal(health.status, 200);
  });
});

interface ApiAnswer {
  message: string;
  subject: string;
  scopes: string[];
  client: string;
}

interface ApiError {
  error: string;
  error_description?: string;
}

interface Stack {
  issuer: string;
  apiUrl: string;
  resourceUrl: string;
  appUrl: string;
  keysFile: string;
  config: client.Configuration;
  backchannelLogouts: string[];
}

async function startStack(t: TestContext): Promise<Stack> {
  const keysFile = await temporaryKeysFile(t);
  const app = await startFakeApp(t);
  const services = await startDevServices({
    appBaseUrl: app.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    providerPort: 0,
    apiPort: 0,
    keysFile,
  });
  t.after(() => services.close());
  const config = await client.discovery(
    new URL(services.issuer),
    CLIENT_ID,
    undefined,
    client.ClientSecretBasic(CLIENT_SECRET),
    { execute: [client.allowInsecureRequests] },
  );
  return {
    issuer: services.issuer,
    apiUrl: new URL('.', services.resourceUrl).href,
    resourceUrl: services.resourceUrl,
    appUrl: app.url,
    keysFile,
    config,
    backchannelLogouts: app.backchannelLogouts,
  };
}

async function authorizationRequest(stack: Stack, { scope = APP_SCOPES, prompt = 'consent' } = {}) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(stack.config, {
    redirect_uri: `${stack.appUrl}/callback`,
    scope,
    // oidc-provider keeps offline_access only when consent is prompted for.
    prompt,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, codeVerifier, state, nonce };
}

async function signIn(stack: Stack, options: { scope?: string; prompt?: string } = {}) {
  const request = await authorizationRequest(stack, options);
  const jar = new CookieJar();

  const redirect = await signInThroughProvider(request.url, jar, {
    stopAt: `${stack.appUrl}/callback`,
  });
  const callbackUrl = new URL(redirect.headers.get('location') ?? assert.fail('no redirect'));
  const tokens = await client.authorizationCodeGrant(stack.config, callbackUrl, {
    pkceCodeVerifier: request.codeVerifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
  return { tokens, jar };
}

// Stands in for the app: only its back-channel logout endpoint is ever called by the provider.
async function startFakeApp(t: TestContext) {
  const backchannelLogouts: string[] = [];
  const server = await listenServer(0, '127.0.0.1');
  server.on('request', async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const logoutToken = new URLSearchParams(body).get('logout_token');
    if (req.url === '/backchannel-logout' && logoutToken) backchannelLogouts.push(logoutToken);
    res.writeHead(200).end();
  });
  t.after(() => closeServer(server));
  return { url: `http://127.0.0.1:${portOf(server)}`, backchannelLogouts };
}

async function temporaryKeysFile(t: TestContext): Promise<string> {
  return join(await tempDir(t, 'dev-services-'), 'data', 'dev-jwks.json');
}

async function signingKid(issuer: string): Promise<string | undefined> {
  const jwks = await readJson<{ keys: JWK[] }>(await fetch(`${issuer}/jwks`));
  return jwks.keys[0]?.kid;
}

const accessTokenHeader = { typ: 'at+jwt' };

/** The claims of a valid demo API access token, as the provider issues it. */
function accessTokenClaims(stack: Stack): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: stack.issuer,
    sub: 'alice',
    aud: stack.apiUrl,
    client_id: CLIENT_ID,
    scope: 'api:read',
    iat: now,
    exp: now + 300,
  };
}

/** An access token signed with the provider's key, with `claims` changed. */
function mintToken(stack: Stack, claims: JWTPayload): Promise<string> {
  return signWithProviderKey(
    stack.keysFile,
    { ...accessTokenClaims(stack), ...claims },
    accessTokenHeader,
  );
}

function callApi(stack: Stack, token: string): Promise<Response> {
  return fetch(stack.resourceUrl, { headers: { authorization: `Bearer ${token}` } });
}

async function readJson<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
