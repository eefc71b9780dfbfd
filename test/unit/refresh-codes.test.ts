import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refreshTokens } from '../../src/oidc/tokens.ts';

describe('refreshTokens without a refresh token', () => {
  it('rejects with refresh_token_missing before calling the provider', async () => {
    const tokens = { accessToken: 'access-0', tokenType: 'Bearer' };

    // Neither the provider configuration, a DPoP signer nor the signing keys are reached.
    const refresh = refreshTokens(
      undefined as never,
      tokens,
      0,
      'alice',
      undefined as never,
      undefined as never,
    );

    await assert.rejects(refresh, { name: 'TokenRefreshError', code: 'refresh_token_missing' });
  });
});
