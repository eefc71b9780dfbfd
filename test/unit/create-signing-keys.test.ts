import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSigningKeys } from '../../src/oidc/id-token-signature.ts';

const options = {
  fetch: () => Promise.reject(new Error('no fetch in a unit test')),
  timeoutMs: 1000,
  clientSecret: undefined,
};

describe('createSigningKeys', () => {
  it('drops none from the algorithms a provider announces: no unsigned ID or logout token', () => {
    const metadata = { id_token_signing_alg_values_supported: ['RS256', 'none', 'ES256'] };

    const { algorithms } = createSigningKeys(metadata, options);

    assert.deepEqual(algorithms, ['RS256', 'ES256']);
  });

  it('takes RS256 when the metadata lists no algorithm', () => {
    assert.deepEqual(createSigningKeys({}, options).algorithms, ['RS256']);
  });
});
