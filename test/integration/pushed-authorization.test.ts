// Pushed authorization requests (RFC 9126): the authorization parameters go from the server to the
// provider, and the browser carries only the client id and the request_uri the provider handed back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Configuration } from 'oidc-provider';
import { CookieJar } from '../support/cookie-jar.ts';
import { signInThroughProvider } from '../support/dev-login.ts';
import { startProviderApp } from '../support/provider-app.ts';
import { recordedSteps } from '../support/read-session.ts';
import { startTestApp } from '../support/test-app.ts';

/** The provider's own setting (RFC 9126 §5): it announces it in its metadata and enforces it. */
function requirePushedRequests(configuration: Configuration): Configuration {
  return {
    ...configuration,
    features: {
      ...configuration.features,
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
    },
  };
}

/** The browser's way to the provider: /login answered with a redirect to the authorization URL. */
async function authorizationUrlOf(app: { baseUrl: string }, jar: CookieJar): Promise<URL> {
  const response = await jar.fetch(`${app.baseUrl}/login`);
  assert.equal(response.status, 302);
  return new URL(response.headers.get('location') ?? '');
}

describe('pushed authorization requests (OIDC_USE_PAR)', () => {
  it('sends the browser with only client_id and request_uri, and the sign-in completes', async (t) => {
    const app = await startTestApp(t, { env: { OIDC_USE_PAR: 'true' } });
    const jar = new CookieJar();

    const url = await authorizationUrlOf(app, jar);
    const done = await signInThroughProvider(url, jar);

    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(url.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:/);
    assert.equal(done.status, 200);
    assert.equal(done.url, `${app.baseUrl}/`);
    assert.match(await done.text(), /Alice/);
  });

  it('sends the parameters in the URL, as before, without OIDC_USE_PAR', async (t) => {
    const app = await startTestApp(t);

    const url = await authorizationUrlOf(app, new CookieJar());

    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.has('request_uri'), false);
  });

  it('pushes the request without OIDC_USE_PAR when the provider requires it (and refuses one that is not pushed)', async (t) => {
    const app = await startProviderApp(t, { adjustConfiguration: requirePushedRequests });
    const jar = new CookieJar();
    const notPushed = new URL(`${app.issuer}/auth`);
    notPushed.search = new URLSearchParams({
      client_id: app.config.client.id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${app.baseUrl}/callback`,
      // RFC 7636 Appendix B's example: any well-formed challenge will do.
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();

    const url = await authorizationUrlOf(app, jar);
    const done = await signInThroughProvider(url, jar);
    const refused = await fetch(notPushed, { redirect: 'manual' });

    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.equal(done.status, 200);
    assert.equal(done.url, `${app.baseUrl}/`);
    const refusal = new URL(refused.headers.get('location') ?? '', app.issuer);
    assert.equal(refused.status, 303, 'the provider sends the browser back with an error');
    assert.equal(refusal.origin + refusal.pathname, `${app.baseUrl}/callback`);
    assert.equal(refusal.searchParams.get('error'), 'invalid_request');
    assert.match(refusal.searchParams.get('error_description') ?? '', /pushed authorization/i);
  });

  it('records the pushed request on /flow, then the browser sent with its request_uri', async (t) => {
    const app = await startTestApp(t, { env: { OIDC_USE_PAR: 'true' } });
    const jar = await app.signIn();

    const steps = await recordedSteps(app, jar);
    const page = await (await jar.fetch(`${app.baseUrl}/flow`)).text();

    assert.deepEqual(
      steps.map((step) => step.kind),
      [
        'pushed-authorization-request',
        'authorization-request',
        'authorization-response',
        'token-request',
        'jwks',
      ],
    );
    const [pushed, redirect, response] = steps;
    assert.equal(pushed?.request.method, 'POST');
    assert.equal(pushed?.request.url, `${app.issuer}/request`);
    assert.equal(pushed?.request.params.response_type, 'code');
    assert.equal(pushed?.request.params.code_challenge_method, 'S256');
    assert.equal(pushed?.response?.status, 201);
    assert.match(pushed?.response?.fields.request_uri ?? '', /^urn:ietf:params:oauth:request_uri:/);
    assert.equal(redirect?.request.params.request_uri, pushed?.response?.fields.request_uri);
    assert.equal(response?.request.params.state, pushed?.request.params.state);
    assert.match(page, /Pushed authorization request/);
    assert.match(page, /RFC 9126/);
  });
});
