import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredTokens } from '../../src/protocol.ts';
import { describeTokens } from '../../src/routes/token-status.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2025, 0, 1);

function tokensExpiringAt(expiresAt: number | undefined): StoredTokens {
  return {
    accessToken: 'access-0',
    tokenType: 'Bearer',
    refreshToken: 'refresh-of-access-0',
    ...(expiresAt !== undefined && { expiresAt }),
  };
}

describe('describeTokens', () => {
  const now = START;

  for (const [leftMs, seconds] of [
    [90 * SECOND, 90],
    [1499, 1],
    [1500, 2],
    [1, 0],
  ] as const) {
    it(`reports ${seconds} seconds left when the token expires in ${leftMs} ms`, () => {
      const tokens = tokensExpiringAt(now + leftMs);

      const status = describeTokens(tokens, now);

      assert.equal(status.expiresInSeconds, seconds);
      assert.equal(status.expiresAt, new Date(now + leftMs).toISOString());
      assert.equal(status.isExpired, false);
    });
  }

  it('counts a token as expired from its expiry instant on', () => {
    const tokens = tokensExpiringAt(now);

    const atExpiry = describeTokens(tokens, now);
    const justBefore = describeTokens(tokens, now - 1);

    assert.equal(atExpiry.isExpired, true);
    assert.equal(justBefore.isExpired, false);
  });

  it('reports how long ago an expired token expired, as negative seconds', () => {
    const tokens = tokensExpiringAt(now - 5 * MINUTE);

    const status = describeTokens(tokens, now);

    assert.equal(status.isExpired, true);
    assert.equal(status.expiresInSeconds, -300);
  });

  it('treats a token without expiry as not expired', () => {
    const tokens = tokensExpiringAt(undefined);

    const status = describeTokens(tokens, now);

    assert.deepEqual(status, {
      isExpired: false,
      hasRefreshToken: true,
      afterExpiry: 'renewed on the next API call',
    });
  });

  it('tells whether there is a refresh token and the scope, never a token value', () => {
    const tokens: StoredTokens = {
      accessToken: 'secret-access-value',
      tokenType: 'Bearer',
      idToken: 'secret-id-value',
      expiresAt: now + HOUR,
      scope: 'openid profile',
    };

    const status = describeTokens(tokens, now);

    assert.equal(status.hasRefreshToken, false);
    assert.equal(status.scope, 'openid profile');
    assert.equal(JSON.stringify(status).includes('secret'), false);
  });
});

describe('describeTokens: what happens after expiry', () => {
  it('when a refresh token is kept then the access token is renewed on the next API call', () => {
    const status = describeTokens(tokensExpiringAt(START - MINUTE), START);

    assert.equal(status.afterExpiry, 'renewed on the next API call');
  });

  it('when there is no refresh token then the next API call sends the user to sign in again', () => {
    const { refreshToken: _none, ...tokens } = tokensExpiringAt(START - MINUTE);

    const status = describeTokens(tokens, START);

    assert.equal(status.afterExpiry, 'so the next API call sends you to sign in again');
  });
});
