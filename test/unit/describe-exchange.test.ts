import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeExchange } from '../../src/recorder/describe-exchange.ts';

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
