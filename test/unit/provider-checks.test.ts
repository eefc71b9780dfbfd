// The doctor's checks that read the provider's metadata or its clock, without a provider.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClock } from '../../src/doctor/check-clock.ts';
import {
  checkClientAuthMethod,
  checkEndpoints,
  checkPkce,
  checkScopes,
  describeSignOut,
} from '../../src/oidc/metadata-checks.ts';

const issuer = 'https://id.example.com';

describe('checkClientAuthMethod', () => {
  it('fails for a method the provider does not list, naming those both sides support', () => {
    const metadata = {
      issuer,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'tls_client_auth'],
    };

    const result = checkClientAuthMethod(metadata, 'client_secret_post');

    assert.equal(result.status, 'fail');
    assert.match(result.detail, /client_secret_post/);
    assert.equal(result.fix, 'set OIDC_CLIENT_AUTH_METHOD=client_secret_basic');
  });

  it('takes client_secret_basic as the default when the provider lists none (RFC 8414 §2)', () => {
    const metadata = { issuer };

    const basic = checkClientAuthMethod(metadata, 'client_secret_basic');
    const post = checkClientAuthMethod(metadata, 'client_secret_post');

    assert.equal(basic.status, 'ok');
    assert.equal(post.status, 'fail');
  });
});

describe('checkScopes', () => {
  const metadata = { issuer, scopes_supported: ['openid', 'profile', 'email'] };
  const cases = [
    { scopes: 'openid profile email', isOidc: true, status: 'ok', names: '' },
    { scopes: 'openid api:read', isOidc: true, status: 'warn', names: 'api:read' },
    {
      scopes: 'openid email offline_access',
      isOidc: true,
      status: 'fail',
      names: 'offline_access',
    },
    { scopes: 'profile email', isOidc: true, status: 'fail', names: 'openid' },
    { scopes: 'profile email', isOidc: false, status: 'ok', names: '' },
  ] as const;
  for (const { scopes, isOidc, status, names } of cases) {
    it(`${status === 'ok' ? 'accepts' : `${status}s on`} "${scopes}"${isOidc ? '' : ' with plain OAuth 2.0'}`, () => {
      const result = checkScopes(metadata, scopes, isOidc);

      assert.equal(result?.status, status);
      if (names) assert.match(`${result?.detail} ${result?.fix}`, new RegExp(names));
    });
  }

  it('names the Google parameters that replace offline_access', () => {
    const result = checkScopes(metadata, 'openid offline_access', true);

    assert.match(result?.fix ?? '', /access_type=offline/);
  });

  it('checks nothing when the provider does not list its scopes', () => {
    assert.equal(checkScopes({ issuer }, 'openid anything', true), undefined);
  });
});

describe('checkPkce', () => {
  it('passes with S256, warns when the provider does not say, fails when S256 is not listed', () => {
    const withS256 = checkPkce({ issuer, code_challenge_methods_supported: ['plain', 'S256'] });
    const unsaid = checkPkce({ issuer });
    const plainOnly = checkPkce({ issuer, code_challenge_methods_supported: ['plain'] });

    assert.deepEqual([withS256.status, unsaid.status, plainOnly.status], ['ok', 'warn', 'fail']);
  });
});

describe('describeSignOut', () => {
  it('warns for each thing sign-out cannot do with a provider that offers none of them', () => {
    const results = describeSignOut({ issuer });

    assert.deepEqual(
      results.map(({ label, status }) => `${label} ${status}`),
      ['Revocation warn', 'Provider sign-out warn', 'Back-channel logout warn'],
    );
  });

  it('passes each one the provider offers', () => {
    const results = describeSignOut({
      issuer,
      revocation_endpoint: `${issuer}/revoke`,
      end_session_endpoint: `${issuer}/logout`,
      backchannel_logout_supported: true,
    });

    assert.deepEqual(
      results.map(({ status }) => status),
      ['ok', 'ok', 'ok'],
    );
  });
});

describe('checkEndpoints', () => {
  it('fails naming the first endpoint that is plain http off loopback', () => {
    const result = checkEndpoints({ issuer, token_endpoint: 'http://id.example.com/token' }, true);

    assert.equal(result.status, 'fail');
    assert.match(result.detail, /token_endpoint http:\/\/id\.example\.com\/token/);
  });
});

describe('checkClock', () => {
  const receivedAt = Date.parse('2026-12-01T10:00:00Z');
  const cases = [
    { providerDate: 'Tue, 01 Dec 2026 10:00:02 GMT', status: 'ok' },
    { providerDate: 'Tue, 01 Dec 2026 09:59:31 GMT', status: 'ok' },
    { providerDate: 'Tue, 01 Dec 2026 10:00:45 GMT', status: 'fail' },
    { providerDate: 'Tue, 01 Dec 2026 09:58:00 GMT', status: 'fail' },
    { providerDate: 'not a date', status: 'warn' },
  ] as const;
  for (const { providerDate, status } of cases) {
    it(`${status === 'ok' ? 'passes' : `${status}s`} when the provider says "${providerDate}" at 10:00:00`, () => {
      const result = checkClock({ providerDate, receivedAt });

      assert.equal(result.status, status);
    });
  }

  it('warns when no answer of the provider carried a Date header', () => {
    assert.equal(checkClock(undefined).status, 'warn');
  });

  it('says which way the clocks differ and how to fix it', () => {
    const result = checkClock({ providerDate: 'Tue, 01 Dec 2026 09:58:00 GMT', receivedAt });

    assert.match(result.detail, /120 s ahead of the provider's/);
    assert.match(result.fix ?? '', /NTP/);
  });
});
