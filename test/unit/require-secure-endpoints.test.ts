import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError } from '../../src/errors.ts';
import { requireSecureEndpoints } from '../../src/oidc/require-secure-endpoints.ts';

const endpointFields = [
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'revocation_endpoint',
  'end_session_endpoint',
  'jwks_uri',
  'pushed_authorization_request_endpoint',
  'introspection_endpoint',
] as const;

interface Case {
  url: string;
  isInsecureHttpAllowed: boolean;
  isAccepted: boolean;
}

const cases: Case[] = [
  { url: 'https://id.example.com/x', isInsecureHttpAllowed: false, isAccepted: true },
  { url: 'https://id.example.com/x', isInsecureHttpAllowed: true, isAccepted: true },
  { url: 'https://127.0.0.1/x', isInsecureHttpAllowed: false, isAccepted: true },
  { url: 'http://127.0.0.1:4000/x', isInsecureHttpAllowed: true, isAccepted: true },
  { url: 'http://127.8.9.10/x', isInsecureHttpAllowed: true, isAccepted: true },
  { url: 'http://localhost:4000/x', isInsecureHttpAllowed: true, isAccepted: true },
  { url: 'http://[::1]:4000/x', isInsecureHttpAllowed: true, isAccepted: true },
  { url: 'http://127.0.0.1:4000/x', isInsecureHttpAllowed: false, isAccepted: false },
  { url: 'http://localhost:4000/x', isInsecureHttpAllowed: false, isAccepted: false },
  { url: 'http://192.0.2.1/x', isInsecureHttpAllowed: true, isAccepted: false },
  { url: 'http://192.0.2.1/x', isInsecureHttpAllowed: false, isAccepted: false },
  { url: 'http://id.example.com/x', isInsecureHttpAllowed: true, isAccepted: false },
  { url: 'http://127.0.0.1.example.com/x', isInsecureHttpAllowed: true, isAccepted: false },
  { url: 'http://localhost.example.com/x', isInsecureHttpAllowed: true, isAccepted: false },
  { url: 'http://[::2]/x', isInsecureHttpAllowed: true, isAccepted: false },
  { url: 'ftp://127.0.0.1/x', isInsecureHttpAllowed: true, isAccepted: false },
  { url: 'not a url', isInsecureHttpAllowed: true, isAccepted: false },
];

/** Secure metadata with `field` set to `url`, as a loopback development provider would publish. */
function metadataWith(field: string, url: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = { issuer: 'https://id.example.com' };
  for (const each of endpointFields) metadata[each] = `https://id.example.com/${each}`;
  metadata[field] = url;
  return metadata;
}

describe('requireSecureEndpoints', () => {
  for (const { url, isInsecureHttpAllowed, isAccepted } of cases) {
    const verdict = isAccepted ? 'accepts' : 'refuses';
    const allowed = isInsecureHttpAllowed ? 'allowed' : 'not allowed';
    it(`${verdict} ${url} in every endpoint field when insecure http is ${allowed}`, () => {
      const checks = endpointFields.map((field) => ({
        field,
        check: () => requireSecureEndpoints(metadataWith(field, url), isInsecureHttpAllowed),
      }));

      for (const { field, check } of checks) {
        if (isAccepted) {
          assert.doesNotThrow(check, `${field} is accepted`);
          continue;
        }
        assert.throws(check, (error: unknown) => {
          assert.ok(error instanceof ProviderError, `${field} is refused with a ProviderError`);
          assert.equal(error.status, 502);
          assert.equal(error.code, 'provider_insecure_endpoint');
          assert.doesNotMatch(error.publicMessage, /192|example|localhost|_endpoint|jwks/);
          assert.ok(String(error.cause).includes(`${field} ${url}`), `the log names ${field}`);
          return true;
        });
      }
    });
  }

  it('refuses an http mTLS alias on another host, naming it', () => {
    const metadata = {
      ...metadataWith('token_endpoint', 'https://id.example.com/token'),
      mtls_endpoint_aliases: { token_endpoint: 'http://mtls.example.com/token' },
    };

    const check = () => requireSecureEndpoints(metadata, true);

    assert.throws(check, (error: Error) =>
      String(error.cause).includes('mtls_endpoint_aliases.token_endpoint http://mtls.example.com'),
    );
  });

  it('checks only endpoints: other URLs in the metadata may be http', () => {
    const metadata = {
      ...metadataWith('token_endpoint', 'https://id.example.com/token'),
      issuer: 'http://127.0.0.1:4000',
      service_documentation: 'http://docs.example.com/',
      op_policy_uri: 'http://docs.example.com/policy',
    };

    const check = () => requireSecureEndpoints(metadata, true);

    assert.doesNotThrow(check);
  });

  it('leaves endpoints that are not strings to openid-client, which refuses to use them', () => {
    const metadata = {
      ...metadataWith('token_endpoint', 'https://id.example.com/token'),
      revocation_endpoint: null,
    };

    const check = () => requireSecureEndpoints(metadata, false);

    assert.doesNotThrow(check);
  });
});
