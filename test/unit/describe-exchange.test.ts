import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDiscovery } from '../../src/recorder/describe-discovery.ts';
import {
  describeAuthorizationResponse,
  describeExchange,
} from '../../src/recorder/describe-exchange.ts';

const bearer = 'Bearer an-access-token';
const claims = { sub: 'alice', name: 'Alice' };
const timing = { at: 0, durationMs: 3 };

function jsonResponse(body: object): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
}

describe('describeExchange: the kind of a call with a token', () => {
  const cases: Array<{ name: string; headers: Record<string, string>; kind: string }> = [
    {
      // What openid-client's fetchUserInfo sends (oauth4webapi userInfoRequest).
      name: 'a UserInfo request, which also accepts a signed (JWT) answer',
      headers: { authorization: bearer, accept: 'application/json, application/jwt' },
      kind: 'userinfo',
    },
    {
      name: 'the API call, which asks for JSON',
      headers: { authorization: bearer, accept: 'application/json' },
      kind: 'bearer-call',
    },
    {
      name: 'the plain OAuth 2.0 user endpoint, called without an Accept header',
      headers: { authorization: bearer },
      kind: 'bearer-call',
    },
  ];
  for (const { name, headers, kind } of cases) {
    it(`names ${name} ${kind}`, async () => {
      const url = new URL('https://provider.example/me');

      const step = await describeExchange(url, { headers }, jsonResponse(claims), timing);

      assert.equal(step.kind, kind);
      assert.match(step.request.params.authorization ?? '', /\(redacted\)$/);
    });
  }

  it("keeps a UserInfo answer's claims and only an API answer's status", async () => {
    const url = new URL('https://provider.example/me');

    const userinfo = await describeExchange(
      url,
      { headers: { authorization: bearer, accept: 'application/json, application/jwt' } },
      jsonResponse(claims),
      timing,
    );
    const api = await describeExchange(
      url,
      { headers: { authorization: bearer, accept: 'application/json' } },
      jsonResponse(claims),
      timing,
    );

    assert.deepEqual(userinfo.response?.fields, { sub: 'alice', name: 'Alice' });
    assert.deepEqual(api.response?.fields, {});
  });
});

describe('describeExchange: what a token request shows', () => {
  it('shows the Authorization scheme and the shape of its credentials, and how long the call took', async () => {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r-1-secret' });
    const basic = `Basic ${Buffer.from('app:client-secret').toString('base64')}`;

    const step = await describeExchange(
      new URL('https://provider.example/token'),
      { method: 'POST', body, headers: { authorization: basic } },
      jsonResponse({ access_token: 'a-2', refresh_token: 'r-2-secret', token_type: 'Bearer' }),
      timing,
    );

    assert.equal(step.kind, 'token-refresh');
    assert.equal(step.durationMs, 3);
    assert.match(
      step.request.params.authorization ?? '',
      /^Basic value, 24 characters \(redacted\)$/,
    );
    assert.match(step.request.params.refresh_token ?? '', /\(redacted\)$/);
    assert.equal(step.tokens?.accessToken, 'opaque');
    assert.match(step.tokens?.refreshTokenSent ?? '', /^[0-9a-f]{8}$/);
    assert.ok(!JSON.stringify(step).includes('secret'));
  });
});

describe('describeDiscovery', () => {
  it('shows the metadata that matters, an absent field as absent', () => {
    const step = describeDiscovery(
      new URL('https://op.example/.well-known/openid-configuration?x=1'),
      { issuer: 'https://op.example', code_challenge_methods_supported: ['S256', 'plain'] },
      { at: 5, durationMs: 7 },
    );

    assert.equal(step.request.url, 'https://op.example/.well-known/openid-configuration');
    assert.equal(step.response?.fields.code_challenge_methods_supported, 'S256 plain');
    assert.equal(step.response?.fields.end_session_endpoint, 'absent');
    assert.equal(step.response?.fields.revocation_endpoint, 'absent');
  });
});

describe('describeAuthorizationResponse', () => {
  it('keeps only the parameters an authorization response has, each cut to 256 characters', () => {
    const query = new URLSearchParams({
      code: 'the-code',
      state: 'the-state',
      error_description: 'x'.repeat(4000),
      padding: 'y'.repeat(4000),
    });

    const step = describeAuthorizationResponse('/callback', query, 0);

    assert.deepEqual(Object.keys(step.request.params), ['code', 'state', 'error_description']);
    assert.equal(step.request.params.error_description?.length, 256);
    assert.doesNotMatch(JSON.stringify(step), /the-code/, 'the code stays redacted');
  });

  it('says how long a code longer than the cut is, redacting it before cutting', () => {
    const query = new URLSearchParams({ code: 'c'.repeat(1000), state: 'the-state' });

    const step = describeAuthorizationResponse('/callback', query, 0);

    assert.equal(step.request.params.code, 'value, 1000 characters (redacted)');
  });
});
